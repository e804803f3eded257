#!/usr/bin/env bash
# viewer_shots.sh — the viewer end to end, under xvfb-run: for the built-in seed scene and every
# examples/*.json, `gaussmap view SCENE --frames 5 --screenshot --window-shot --npy` must exit 0 and
#   1. the screenshot carries the scene it shows (re-opens as the same scene),
#   2. its colormapped field matches a headless `gaussmap render` of that scene: max channel
#      difference <= 8 (one step of the coarsest colormap table, turbo's) and mean <= 0.02,
#   3. it matches the float64 reference field through the same colormap (CPU): max <= 8, mean <= 0.05,
#   4. the window shot is not blank and shows the panel (enough distinct colours in the panel and in
#      the canvas).
# Image checks run in gaussmap_viewer_tests (tests/viewer/test_shots.cpp), found next to gaussmap
# in the build tree. No xvfb-run is a FAILURE, not a skip. On failure the pictures are kept.
# Usage: viewer_shots.sh <path-to-gaussmap> <source-dir>
set -u
GM=${1:?usage: viewer_shots.sh GAUSSMAP SOURCE_DIR}
SRC=${2:?usage: viewer_shots.sh GAUSSMAP SOURCE_DIR}

fail() {
  echo "FAIL: $*" >&2
  [ -n "${OUT:-}" ] && echo "pictures kept in $OUT" >&2
  exit 1
}

command -v xvfb-run >/dev/null 2>&1 || fail "xvfb-run not found: install xvfb and xauth (this test never skips)"
[ -x "$GM" ] || fail "no gaussmap executable at $GM"
BUILD=$(cd "$(dirname "$GM")/../.." && pwd)
CHECK="$BUILD/tests/gaussmap_viewer_tests"
[ -x "$CHECK" ] || fail "the image checks need $CHECK (build target gaussmap_viewer_tests)"

OUT=$(mktemp -d "${TMPDIR:-/tmp}/gm_viewer_shots.XXXXXX")
# A private recovery folder: the user's unsaved work of ended viewers must not show up in the shots.
export GAUSSMAP_STATE_DIR="$OUT/state"
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24")

# Run one doctest case of the image checks with the given environment; it must run and pass.
check() {
  local tc=$1; shift
  local log
  log=$(env "$@" "$CHECK" -tc="$tc" 2>&1)
  local rc=$?
  echo "$log" | grep -v '^\[doctest\]' | grep -v '^=*$' | sed 's/^/    /'
  [ $rc -eq 0 ] || { echo "$log" >&2; return 1; }
  echo "$log" | grep -q 'test cases: *1 | *1 passed' || { echo "$log" >&2; return 1; }
}

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
    check "shot: write*" GM_SHOT_SCENE="$shot $scene_json" || fail "$name: scene in the screenshot"
  else
    check "shot: write*" GM_SHOT_SCENE="$shot $scene_json $sc" || fail "$name: scene in the screenshot"
  fi

  # 2. A headless render of the same scene (GPU through EGL; CPU backend where no EGL context).
  ref="$OUT/$name-render.png"
  if ! "$GM" render "$scene_json" -o "$ref" 2>"$OUT/$name-render.err"; then
    echo "    headless GPU render failed ($(head -c 200 "$OUT/$name-render.err")); using --backend cpu"
    "$GM" render "$scene_json" -o "$ref" --backend cpu || fail "$name: gaussmap render failed"
  fi
  check "shot: compare*" GM_SHOT_COMPARE="$shot $ref" GM_SHOT_MAX=8 GM_SHOT_MEAN=0.02 ||
    fail "$name: screenshot differs from gaussmap render"

  # 3. The float64 reference through the same colormap.
  check "shot: screenshot against*" GM_SHOT_REFERENCE="$shot" GM_SHOT_MAX=8 GM_SHOT_MEAN=0.05 ||
    fail "$name: screenshot differs from the reference field"

  # 4. The window shot shows the panel and the map.
  check "shot: a window*" GM_SHOT_WINDOW="$win" || fail "$name: window shot blank or without panel"
done

[ -n "${GM_KEEP_SHOTS:-}" ] && echo "pictures kept in $OUT (GM_KEEP_SHOTS)" || rm -rf "$OUT"
echo "viewer_shots: all ${#scenes[@]} scene(s) passed"
