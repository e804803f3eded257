#!/usr/bin/env bash
# render_outputs.sh — what `gaussmap render` writes and says, beyond the files' layout
# (render_e2e.sh):
#   - the executable links no window or GL library (ldd: no libGL, libEGL, libglfw, libX11);
#   - --verbose names the backend and why (auto on a small scene: the CPU, "small scene");
#     --backend cpu says it was forced; --timings prints the five phases in ms;
#   - --png-level: 0 and 9 give the same pixels, 9 a smaller file; 10 is a usage error (exit 2);
#   - PIL (Debian's python3-pil) reads the picture and Image.open(p).text["gaussmap"] is the scene,
#     for a small scene (compressed iTXt) and one over 1 MiB of JSON (plain iTXt, PIL's limit);
#   - a PNG of the old layout (scene in a plain tEXt chunk, written here by PIL) still re-opens:
#     rendering it gives the same .npy as rendering the scene itself.
# PIL rows are skipped, saying why, where /usr/bin/python3 has no PIL.
#   usage: bash tests/cli/render_outputs.sh GAUSSMAP_BINARY SOURCE_DIR
# Ends with "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail

BIN=${1:?usage: render_outputs.sh GAUSSMAP_BINARY SOURCE_DIR}
SRC=${2:?usage: render_outputs.sh GAUSSMAP_BINARY SOURCE_DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_outputs.XXXXXX")
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3

source "$SRC/tests/cli/lib/report.sh"

seed=$SRC/examples/seed.json

no_gl_linked() {
  local libs
  libs=$(ldd "$BIN" | grep -E 'lib(GL|EGL|GLX|OpenGL|glfw|X11|xcb)[.-]') && { echo "$libs"; return 1; }
  return 0
}
check "gaussmap links no GL, EGL, GLFW or X11 library" no_gl_linked

verbose_auto() {
  "$BIN" render "$seed" -o "$W/v.png" --verbose --quiet 2>"$W/v.err" || { cat "$W/v.err"; return 1; }
  [[ $(wc -l <"$W/v.err") -eq 1 ]] || { echo "want one line: $(cat "$W/v.err")"; return 1; }
  grep -q '^backend: cpu (auto: small scene (1.34e+05 kernel evaluations < 1e+09)' "$W/v.err" ||
    { cat "$W/v.err"; return 1; }
}
check "--verbose: auto takes the cpu for a small scene" verbose_auto

verbose_forced() {
  "$BIN" render "$seed" -o "$W/f.png" --backend cpu --verbose --quiet 2>"$W/f.err" || return 1
  [[ $(cat "$W/f.err") == "backend: cpu (--backend cpu)" ]] || { cat "$W/f.err"; return 1; }
}
check "--verbose: --backend cpu is forced" verbose_forced

timings() {
  "$BIN" render "$seed" -o "$W/t.png" --npy "$W/t.npy" --timings --quiet 2>"$W/t.err" || return 1
  local n='[0-9]+\.[0-9]+ ms'
  grep -Eq "^timings: parse $n, evaluate $n \(cpu\), colorize $n, encode $n, write $n \(scene text and \.npy $n alongside\), total $n$" \
    "$W/t.err" || { cat "$W/t.err"; return 1; }
}
check "--timings prints parse, evaluate, colorize, encode, write" timings

bad_level() {
  "$BIN" render "$seed" -o "$W/l.png" --png-level 10 2>"$W/l.err"
  local rc=$?
  ((rc == 2)) || { echo "exit $rc, want 2"; return 1; }
  [[ $(cat "$W/l.err") == 'gaussmap: --png-level: expected a whole number from 0 to 9, got "10"' ]] ||
    { cat "$W/l.err"; return 1; }
  [[ ! -e $W/l.png ]] || { echo "l.png written"; return 1; }
}
check "--png-level 10 is a usage error" bad_level

# A scene of 20000 kernels: about 2 MiB of JSON, over PIL's 1 MiB limit for compressed text.
$PY - "$W/big.json" <<'PYEOF'
import json, random, sys
rng = random.Random(7)
ks = [{"center": [rng.uniform(0, 399), rng.uniform(0, 299)], "sigma": [rng.uniform(1, 4)] * 2,
       "weight": rng.uniform(0.5, 1.5)} for _ in range(20000)]
json.dump({"gaussmap": 1, "width": 400, "height": 300, "cutoff_sigma": 3, "kernels": ks},
          open(sys.argv[1], "w"))
PYEOF

if ! $PY -c 'import PIL' 2>/dev/null; then
  for c in "PIL reads the pictures and the scene" "levels 0 and 9" "old tEXt layout"; do
    skipped "$c" "no PIL in $PY (apt install python3-pil)"
  done
else
  pil_scene() {  # pil_scene SCENE.json: render, then PIL opens the PNG and its text is the scene
    local s=$1 out=$W/$(basename "$1" .json)
    "$BIN" render "$s" -o "$out.png" --backend cpu --quiet || return 1
    $PY - "$s" "$out.png" <<'PYEOF'
import json, sys
from PIL import Image
scene = json.load(open(sys.argv[1]))
im = Image.open(sys.argv[2])
im.load()
text = im.text["gaussmap"]
got = json.loads(text)
assert im.size == (scene["width"], scene["height"]), im.size
assert im.mode == "RGB", im.mode
assert len(got["kernels"]) == len(scene["kernels"])
for a, b in zip(got["kernels"], scene["kernels"]):
    assert a["center"] == b["center"], (a, b)
print(f"{len(text)} bytes of scene text, {len(got['kernels'])} kernels")
PYEOF
  }
  check "PIL reads the picture and the scene (small, compressed iTXt)" pil_scene "$seed"
  check "PIL reads the picture and the scene (2 MiB of JSON, plain iTXt)" pil_scene "$W/big.json"

  levels() {
    "$BIN" render "$seed" -o "$W/l0.png" --png-level 0 --quiet &&
      "$BIN" render "$seed" -o "$W/l9.png" --png-level 9 --quiet || return 1
    $PY - "$W/l0.png" "$W/l9.png" <<'PYEOF'
import os, sys
from PIL import Image
a, b = (Image.open(p) for p in sys.argv[1:3])
assert a.tobytes() == b.tobytes(), "pixels differ"
s0, s9 = (os.path.getsize(p) for p in sys.argv[1:3])
assert s9 * 10 < s0, (s0, s9)
PYEOF
  }
  check "levels 0 and 9: same pixels, level 9 at least 10x smaller" levels

  old_layout() {
    "$BIN" render "$seed" -o "$W/new.png" --npy "$W/direct.npy" --backend cpu --quiet || return 1
    $PY - "$W/new.png" "$W/old.png" <<'PYEOF'
import sys
from PIL import Image
from PIL.PngImagePlugin import PngInfo
im = Image.open(sys.argv[1])
info = PngInfo()
info.add_text("gaussmap", str(im.text["gaussmap"]))  # a plain str: tEXt, uncompressed
im.save(sys.argv[2], pnginfo=info)
assert b"tEXtgaussmap" in open(sys.argv[2], "rb").read()
PYEOF
    [[ $? -eq 0 ]] || return 1
    "$BIN" render "$W/old.png" -o "$W/again.png" --npy "$W/again.npy" --backend cpu --quiet &&
      cmp "$W/direct.npy" "$W/again.npy"
  }
  check "old tEXt layout re-opens as the same scene" old_layout
fi

tally
