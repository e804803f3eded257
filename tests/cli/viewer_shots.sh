#!/usr/bin/env bash
# viewer_shots.sh — the viewer end to end, under xvfb-run: for the built-in seed scene and every
# examples/*.json, `gaussmap view SCENE --frames 5 --screenshot --window-shot --npy` must exit 0 and
#   1. the screenshot carries the scene it shows (re-opens as the same scene),
#   2. its colormapped field matches a headless `gaussmap render` of that scene: max channel
#      difference <= 8 (one step of the coarsest colormap table, turbo's) and mean <= 0.02,
#   3. it matches the float64 reference field through the same colormap (CPU): max <= 8, mean <= 0.05,
#   4. the window shot is not blank and shows the panel (enough distinct colours in the panel and in
#      the canvas).
# The checker itself must be able to fail: a screenshot against another scene's render, and a
# field picture taken for a window shot, must both be refused.
# Image checks run in tests/tools/viewer_check.cpp, given their files as arguments (paths with
# spaces work: the pictures go to a folder whose name has one). No xvfb-run is a FAILURE, not a
# skip. On failure the pictures are kept. Ends with a "gm-tally:" line counting the checks run.
# Usage: viewer_shots.sh <path-to-gaussmap> <source-dir> <path-to-viewer_check>
set -u
GM=${1:?usage: viewer_shots.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}
SRC=${2:?usage: viewer_shots.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}
CHECK=${3:?usage: viewer_shots.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}

fail() {
  echo "FAIL: $*" >&2
  [ -n "${OUT:-}" ] && echo "pictures kept in $OUT" >&2
  exit 1
}

command -v xvfb-run >/dev/null 2>&1 || fail "xvfb-run not found: install xvfb and xauth (this test never skips)"
[ -x "$GM" ] || fail "no gaussmap executable at $GM"
[ -x "$CHECK" ] || fail "no image checker at $CHECK (build target gaussmap_viewer_check)"

OUT=$(mktemp -d "${TMPDIR:-/tmp}/gm viewer shots.XXXXXX")
# A private recovery folder: the user's unsaved work of ended viewers must not show up in the shots.
export GAUSSMAP_STATE_DIR="$OUT/state"
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24")

# run_check WANT ARGS...: one run of viewer_check with the given arguments. WANT=PASS: it must
# exit 0 with a PASS line; WANT=FAIL (a check that must refuse its input): exit 1 with a FAIL line,
# not a usage error.
checks=0
run_check() {
  local want=$1 log rc
  shift
  log=$("$CHECK" "$@" 2>&1); rc=$?
  checks=$((checks + 1))
  echo "$log" | sed "s/^/    $([ "$want" = FAIL ] && echo '(must be refused) ')/"
  [ $rc -eq "$([ "$want" = PASS ] && echo 0 || echo 1)" ] && echo "$log" | grep -q "^$want"
}
check() { run_check PASS "$@"; }
check_refuses() { run_check FAIL "$@"; }

scenes=(builtin-seed)
shopt -s nullglob
for f in "$SRC"/examples/*.json; do scenes+=("$f"); done
echo "viewer_shots: ${#scenes[@]} scene(s); pictures in $OUT"

for sc in "${scenes[@]}"; do
  if [ "$sc" = builtin-seed ]; then name=builtin-seed; args=(); else name=$(basename "$sc" .json); args=("$sc"); fi
  shot="$OUT/$name.png" win="$OUT/$name-window.png" npy="$OUT/$name.npy"
  echo "== $name"
  "${XVFB[@]}" "$GM" view "${args[@]}" --frames 5 --screenshot "$shot" --window-shot "$win" \
    --npy "$npy" || fail "$name: gaussmap view exited $?"
  for f in "$shot" "$win" "$npy"; do [ -s "$f" ] || fail "$name: $f was not written"; done

  # 1. The screenshot carries its scene (for an example: the same scene as the file).
  scene_json="$OUT/$name-scene.json"
  if [ "$sc" = builtin-seed ]; then
    check scene "$shot" "$scene_json" || fail "$name: scene in the screenshot"
  else
    check scene "$shot" "$scene_json" "$sc" || fail "$name: scene in the screenshot"
  fi

  # 2. A headless render of the same scene (GPU through EGL; CPU backend where no EGL context).
  ref="$OUT/$name-render.png"
  if ! "$GM" render "$scene_json" -o "$ref" 2>"$OUT/$name-render.err"; then
    echo "    headless GPU render failed ($(head -c 200 "$OUT/$name-render.err")); using --backend cpu"
    "$GM" render "$scene_json" -o "$ref" --backend cpu || fail "$name: gaussmap render failed"
  fi
  check compare "$shot" "$ref" --max 8 --mean 0.02 ||
    fail "$name: screenshot differs from gaussmap render"

  # 3. The float64 reference through the same colormap.
  check reference "$shot" --max 8 --mean 0.05 ||
    fail "$name: screenshot differs from the reference field"

  # 4. The window shot shows the panel and the map.
  check window "$win" || fail "$name: window shot blank or without panel"
done

# The checker refuses what it must: the seed's screenshot against the render of an empty scene of
# the same size, and that blank picture as a window shot.
printf '{"gaussmap": 1, "width": 640, "height": 480, "kernels": []}' >"$OUT/blank.json"
"$GM" render "$OUT/blank.json" -o "$OUT/blank.png" --backend cpu || fail "cannot render blank.json"
check_refuses compare "$OUT/builtin-seed.png" "$OUT/blank.png" --max 8 --mean 0.02 ||
  fail "viewer_check did not refuse two different pictures"
check_refuses window "$OUT/blank.png" || fail "viewer_check took a blank picture for a window shot"

[ -n "${GM_KEEP_SHOTS:-}" ] && echo "pictures kept in $OUT (GM_KEEP_SHOTS)" || rm -rf "$OUT"
echo "viewer_shots: all ${#scenes[@]} scene(s) passed, $checks checks"
echo "gm-tally: label=viewer ran=$checks skipped=0 failed=0"
