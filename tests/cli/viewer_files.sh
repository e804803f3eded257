#!/usr/bin/env bash
# viewer_files.sh — the viewer as a new user meets it, under xvfb-run (this test never skips):
#   1. `view bad.json` opens the viewer with the error shown (a scripted run writes its window shot,
#      then exits 2 with one line naming the file); the file is left as it was. Without a display,
#      the load error (exit 2) is what is reported.
#   2. On a 1024x768 screen the window fits the screen; at --window-size 1024x700 the colorbar is
#      on screen (its pixels are the colormap's, not the background).
#   3. `view --size 20000x3000` advises `gaussmap render --backend cpu`, never `view --backend`.
#   4. Keys, through xdotool: Ctrl+Q quits a clean viewer (exit 0); with unsaved changes it asks
#      (the viewer keeps running, the scene file is unchanged).
#   5. No file written by mistake, through xdotool: with so.json edited, type typo.json in the File
#      field, Ctrl+O, answer "Save first" (S): so.json holds the edit, typo.json is never written;
#      then another edit and Ctrl+S (the field still says typo.json) writes so.json again.
#   6. A kernel centre dragged with the mouse is saved rounded to what the zoom level can point at
#      (about 0.85 domain units per screen pixel here: one decimal), not 200.43280182232346.
# Exit 77 (skip) only for a gaussmap built without the viewer; missing tools are a failure.
# Usage: viewer_files.sh <path-to-gaussmap> <source-dir>
set -u
GM=${1:?usage: viewer_files.sh GAUSSMAP SOURCE_DIR}
SRC=${2:?usage: viewer_files.sh GAUSSMAP SOURCE_DIR}
PY=/usr/bin/python3
pass=0 failed=0
ok() { pass=$((pass + 1)); echo "ok    $*"; }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }

if ! "$GM" view --help >/dev/null 2>&1; then
  echo "SKIP: this gaussmap was built without the viewer (GAUSSMAP_VIEWER=OFF)"
  exit 77
fi
for tool in xvfb-run xdotool "$PY"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "FAIL: $tool not found (bash .ci/install-deps)"; exit 1; }
done
OUT=$(mktemp -d "${TMPDIR:-/tmp}/gm_viewer_files.XXXXXX")
export GAUSSMAP_STATE_DIR="$OUT/state"  # a private recovery folder
cd "$OUT" || exit 1
# -noreset: these scripts start one viewer after another on one server; Xvfb otherwise resets
# when its last client leaves, and a viewer that connects during the reset finds no display.
XVFB_1024=(xvfb-run -a -s "-screen 0 1024x768x24 -noreset")

# png_info FILE [X Y]: "W H" and, with X Y, the RGB of that pixel (PIL decodes RGB or RGBA).
png_info() {
  "$PY" - "$@" <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1])
out = [str(im.width), str(im.height)]
if len(sys.argv) > 3:
    out += [str(v) for v in im.convert('RGB').getpixel((int(sys.argv[2]), int(sys.argv[3])))]
print(' '.join(out))
PYEOF
}

# --- 1. a scene that fails to load
printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00' >bad.json
sum_before=$(sha256sum bad.json)
"${XVFB_1024[@]}" "$GM" view bad.json --frames 3 --window-shot bad-window.png >bad.out 2>bad.err
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <bad.err)" -eq 1 ] && grep -q "bad.json: this is a JPEG image" bad.err &&
  [ -s bad-window.png ] && [ "$(sha256sum bad.json)" = "$sum_before" ]; then
  ok "view bad.json: window opened (shot written), then exit 2: $(cat bad.err)"
else
  bad "view bad.json: exit $rc, stderr: $(tr '\n' '|' <bad.err), shot: $(ls bad-window.png 2>&1)"
fi
env -u DISPLAY -u WAYLAND_DISPLAY "$GM" view bad.json >nodisp.out 2>nodisp.err
rc=$?
[ $rc -eq 2 ] && grep -q "bad.json: this is a JPEG image" nodisp.err &&
  ok "view bad.json without a display: exit 2, the load error" ||
  bad "view bad.json without a display: exit $rc, $(tr '\n' '|' <nodisp.err)"

# --- 2. small screens
cp "$SRC/examples/seed.json" s.json
"${XVFB_1024[@]}" "$GM" view s.json --frames 3 --window-shot fit.png >fit.out 2>fit.err
read -r w h _ <<<"$(png_info fit.png 2>/dev/null)"
if [ "${w:-0}" -gt 0 ] && [ "$w" -le 1024 ] && [ "$h" -le 768 ]; then
  ok "1024x768 screen: the window is ${w}x${h}"
else
  bad "1024x768 screen: the window is ${w:-?}x${h:-?} ($(tr '\n' '|' <fit.err))"
fi
"${XVFB_1024[@]}" "$GM" view s.json --window-size 1024x700 --frames 3 --window-shot small.png \
  >small.out 2>small.err
# The colorbar at 1024x700 (src/viewer/layout.cpp): panel 348, canvas from 360, 534 wide; the bar
# at x = 914..930, y = 46..666. Its top is the colormap's top colour (viridis: yellow), its
# bottom the bottom colour (dark purple).
read -r w h r1 g1 b1 <<<"$(png_info small.png 922 60 2>/dev/null)"
read -r _ _ r2 g2 b2 <<<"$(png_info small.png 922 650 2>/dev/null)"
if [ "${w:-0}" -eq 1024 ] && [ "${h:-0}" -eq 700 ] && [ "${r1:-0}" -gt 180 ] && [ "${g1:-0}" -gt 180 ] &&
  [ "${b1:-255}" -lt 100 ] && [ "${r2:-255}" -lt 100 ] && [ "${b2:-0}" -gt 50 ]; then
  ok "1024x700: the colorbar is on screen (top rgb $r1,$g1,$b1; bottom rgb $r2,$g2,$b2)"
else
  bad "1024x700: ${w:-?}x${h:-?}, colorbar top rgb ${r1:-?},${g1:-?},${b1:-?} bottom ${r2:-?},${g2:-?},${b2:-?}"
fi

# --- 3. the advice for a field too large for GL
"${XVFB_1024[@]}" "$GM" view s.json --size 20000x3000 --frames 3 >big.out 2>big.err
rc=$?
if [ $rc -ne 0 ] && grep -q "gaussmap render --backend cpu" big.err; then
  ok "view --size 20000x3000: exit $rc, $(cat big.err)"
else
  bad "view --size 20000x3000: exit $rc, stderr: $(tr '\n' '|' <big.err)"
fi

# --- 4. keys
keys_test() {
  cat >keys.sh <<KEYS
set -u
wait_window() { for _ in \$(seq 100); do xdotool search --name "gaussmap" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
gone() { for _ in \$(seq 50); do kill -0 \$1 2>/dev/null || return 0; sleep 0.2; done; return 1; }
"$GM" view s.json --no-recovery >q1.out 2>q1.err & pid=\$!
wait_window || { echo "clean: no window"; kill \$pid; exit 1; }
sleep 1
xdotool search --name gaussmap windowfocus --sync key --clearmodifiers ctrl+q
if gone \$pid; then wait \$pid; echo "clean: exit \$?"; else echo "clean: still running"; kill \$pid; fi
"$GM" view s.json --no-recovery >q2.out 2>q2.err & pid=\$!
wait_window || { echo "dirty: no window"; kill \$pid; exit 1; }
sleep 1
xdotool search --name gaussmap windowfocus --sync key --clearmodifiers n
sleep 1
xdotool search --name gaussmap windowfocus --sync key --clearmodifiers ctrl+q
sleep 2
if kill -0 \$pid 2>/dev/null; then echo "dirty: asked"; else echo "dirty: quit without asking"; fi
xdotool search --name gaussmap windowfocus --sync key --clearmodifiers ctrl+q
sleep 1
kill -0 \$pid 2>/dev/null && echo "dirty: still asking"
kill \$pid 2>/dev/null; wait \$pid 2>/dev/null
exit 0
KEYS
  xvfb-run -a -s "-screen 0 1280x900x24 -noreset" bash keys.sh >keys.out 2>&1
}
keys_test
grep -q "^clean: exit 0$" keys.out && ok "Ctrl+Q quits a clean viewer (exit 0)" ||
  bad "Ctrl+Q on a clean viewer: $(tr '\n' '|' <keys.out)"
grep -q "^dirty: asked$" keys.out && grep -q "^dirty: still asking$" keys.out &&
  cmp -s s.json "$SRC/examples/seed.json" && ok "Ctrl+Q with unsaved changes asks first; s.json unchanged" ||
  bad "Ctrl+Q with unsaved changes: $(tr '\n' '|' <keys.out)"

# --- 5. the data-loss scenario, by keys
cp "$SRC/examples/seed.json" so.json
n0=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["kernels"]))' so.json)
cat >typo.sh <<KEYS
set -u
"$GM" view so.json --no-recovery --window-size 1280x1000 >t.out 2>t.err & pid=\$!
for _ in \$(seq 100); do xdotool search --name "gaussmap" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
win=\$(xdotool search --name gaussmap | head -n 1)
xdotool windowfocus --sync \$win key --clearmodifiers n          # an edit: a kernel added
sleep 0.5
xdotool mousemove --window \$win 150 72 click 1                  # the File field (selects all)
sleep 0.5
xdotool type --delay 30 typo.json
sleep 0.3
xdotool key --clearmodifiers ctrl+o                                # "discard changes?"
sleep 1
xdotool key --clearmodifiers s                                     # Save first
sleep 1.5
xdotool key --clearmodifiers n                                     # another edit
sleep 0.5
xdotool key --clearmodifiers ctrl+s                                # the field still says typo.json
sleep 1.5
kill -0 \$pid 2>/dev/null && echo "running"
xdotool key --clearmodifiers ctrl+q                                # saved: quits at once
for _ in \$(seq 50); do kill -0 \$pid 2>/dev/null || break; sleep 0.2; done
if kill -0 \$pid 2>/dev/null; then echo "still running"; kill \$pid; else wait \$pid; echo "exit \$?"; fi
KEYS
xvfb-run -a -s "-screen 0 1280x1000x24 -noreset" bash typo.sh >typo.out 2>&1
n1=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["kernels"]))' so.json 2>/dev/null)
if [ ! -e typo.json ] && [ "${n1:-0}" -eq $((n0 + 2)) ] && grep -q "^exit 0$" typo.out; then
  ok "typo.json + Ctrl+O + Save first, then Ctrl+S: so.json has both edits ($n0 -> $n1 kernels), typo.json never written"
else
  bad "typo scenario: typo.json $( [ -e typo.json ] && echo WRITTEN || echo absent), so.json $n0 -> ${n1:-?} kernels (want $((n0 + 2))), $(tr '\n' '|' <typo.out)"
fi

# --- 6. a dragged centre, saved
cp "$SRC/examples/seed.json" drag.json
cat >drag.sh <<KEYS
set -u
"$GM" view drag.json --no-recovery --window-size 1280x1000 >d.out 2>d.err & pid=\$!
for _ in \$(seq 100); do xdotool search --name "gaussmap" >/dev/null 2>&1 && break; sleep 0.2; done
sleep 1
win=\$(xdotool search --name gaussmap | head -n 1)
# Kernel 0's centre (320, 240) on screen: the 640x480 image letterboxed into the canvas at
# x 392 + 758 wide, y 12 + 976 high (src/viewer/layout.cpp): 1.184 px per pixel, image top 215.7.
xdotool mousemove --window \$win 772 500 mousedown 1
for dx in 5 10 15 20 25 30 37; do sleep 0.1; xdotool mousemove --window \$win \$((772 + dx)) \$((500 + dx)); done
sleep 0.3
xdotool mouseup 1
sleep 0.5
xdotool key --clearmodifiers ctrl+s
sleep 1
xdotool key --clearmodifiers ctrl+q
for _ in \$(seq 50); do kill -0 \$pid 2>/dev/null || break; sleep 0.2; done
kill \$pid 2>/dev/null
KEYS
xvfb-run -a -s "-screen 0 1280x1000x24 -noreset" bash drag.sh >drag.out 2>&1
centre=$(grep -o '"center": \[[^]]*\]' drag.json | head -n 1)
if "$PY" - "$centre" <<'PYEOF'
import re, sys
x, y = (s.strip() for s in re.search(r'\[(.*)\]', sys.argv[1]).group(1).split(','))
moved = abs(float(x) - 320) > 10 and abs(float(y) - 240) > 10
short = all(len(v.split('.')[1]) <= 1 if '.' in v else True for v in (x, y))
sys.exit(0 if moved and short else 1)
PYEOF
then
  ok "a dragged centre is saved as $centre"
else
  bad "dragged centre: ${centre:-none} (want moved from [320, 240], at most one decimal); $(tr '\n' '|' <drag.out)"
fi

echo "$pass passed, $failed failed"
if [ $failed -eq 0 ]; then rm -rf "$OUT"; else echo "files kept in $OUT"; fi
[ $failed -eq 0 ]
