#!/usr/bin/env bash
# viewer_stats.sh — `gaussmap view SCENE --frames N --animate --stats` under xvfb-run, for
# --backend cpu, gpu and auto, on a 1920x1080 scene with 16 kernels (shown minified in the window):
#   1. exit 0 and exactly one JSON line on stdout with frames = N, median_frame_ms > 0,
#      median_field_ms > 0 and the backend asked for (auto: cpu or gpu);
#   2. the frames changed: every frame computed a field (field_frames = N: kernel 0 moved each
#      frame), and the field written at the end (--npy, the animated scene) differs from the field
#      of the same run without --animate;
#   3. every drag step shows the full field where it is cheap: with the CPU backend the steps
#      showed full fields, not previews (at most 2 of 8 previews on a loaded machine, whose slower
#      steps may pass the drag's budget); the phases of the frame are reported (median_eval_ms, median_ui_ms,
#      median_draw_ms);
#   4. a large scene keeps its progressive preview: 4000 kernels on the same grid (about 80 times
#      the drag's budget) are previewed while they move (preview_frames > 0), --backend cpu.
# Timings are printed, never asserted. No xvfb-run is a FAILURE, not a skip.
# Usage: viewer_stats.sh <path-to-gaussmap> <source-dir>
set -u
GM=${1:?usage: viewer_stats.sh GAUSSMAP SOURCE_DIR}

fail() {
  echo "FAIL: $*" >&2
  [ -n "${OUT:-}" ] && echo "files kept in $OUT" >&2
  exit 1
}
command -v xvfb-run >/dev/null 2>&1 || fail "xvfb-run not found: install xvfb and xauth (this test never skips)"
[ -x "$GM" ] || fail "no gaussmap executable at $GM"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/gm_viewer_stats.XXXXXX")
export GAUSSMAP_STATE_DIR="$OUT/state"
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24")
N=8

# 16 kernels on a 4 x 4 lattice, sigma 60..135 px.
{
  echo '{"gaussmap": 1, "width": 1920, "height": 1080, "kernels": ['
  for i in $(seq 0 15); do
    x=$((240 + (i % 4) * 480)) y=$((135 + (i / 4) * 270)) s=$((60 + 5 * i))
    sep=$([ "$i" -lt 15 ] && echo , || echo)
    echo "  {\"center\": [$x, $y], \"sigma\": [$s, $((s * 3 / 4))], \"weight\": 1}$sep"
  done
  echo ']}'
} >"$OUT/scene.json"

# The value of a number field of a one-line JSON object.
field() { sed -n "s/.*\"$2\": *\([-0-9.eE+]*\).*/\1/p" <<<"$1"; }

"${XVFB[@]}" "$GM" view "$OUT/scene.json" --frames $N --backend cpu --npy "$OUT/still.npy" \
  --no-recovery >/dev/null || fail "view without --animate exited $?"

for backend in cpu gpu auto; do
  out="$OUT/$backend.out"
  "${XVFB[@]}" "$GM" view "$OUT/scene.json" --frames $N --animate --stats --backend $backend \
    --npy "$OUT/$backend.npy" --no-recovery >"$out" || fail "$backend: view --animate --stats exited $?"
  [ "$(wc -l <"$out")" -eq 1 ] || fail "$backend: expected one line on stdout, got: $(cat "$out")"
  line=$(cat "$out")
  echo "$backend: $line"
  [[ $line == \{*\} ]] || fail "$backend: not a JSON object: $line"
  [ "$(field "$line" frames)" = "$N" ] || fail "$backend: frames is not $N"
  for k in median_frame_ms median_field_ms; do
    v=$(field "$line" $k)
    [ -n "$v" ] && awk -v v="$v" 'BEGIN { exit !(v > 0) }' || fail "$backend: $k missing or not > 0"
  done
  got=$(sed -n 's/.*"backend": *"\([a-z]*\)".*/\1/p' <<<"$line")
  if [ $backend = auto ]; then
    [ "$got" = cpu ] || [ "$got" = gpu ] || fail "auto: backend \"$got\""
  else
    [ "$got" = $backend ] || fail "$backend: backend \"$got\""
  fi
  [ "$(field "$line" field_frames)" = "$N" ] || fail "$backend: not every frame computed a field"
  for k in median_eval_ms median_ui_ms median_draw_ms; do
    [ -n "$(field "$line" $k)" ] || fail "$backend: no $k"
  done
  if [ "$got" = cpu ]; then
    # A loaded machine may push one step past the drag budget (then previewed): at most 2 of N.
    [ "$(field "$line" preview_frames)" -le 2 ] || fail "$backend: drag steps showed previews"
  fi
  [ -s "$OUT/$backend.npy" ] || fail "$backend: no --npy written"
  cmp -s "$OUT/$backend.npy" "$OUT/still.npy" && fail "$backend: the animated field equals the still one"
done
# 4000 kernels on a 50 x 80 lattice, sigma 30 px: a full field is about 80 times the drag's budget.
awk 'BEGIN { printf "{\"gaussmap\": 1, \"width\": 1920, \"height\": 1080, \"kernels\": [";
  for (i = 0; i < 4000; i++) printf "%s{\"center\": [%d, %d], \"sigma\": [30, 30], \"weight\": 1}",
    (i ? ", " : ""), 20 + (i % 80) * 24, 10 + int(i / 80) * 21;
  print "]}" }' >"$OUT/large.json"
out="$OUT/large.out"
"${XVFB[@]}" "$GM" view "$OUT/large.json" --frames $N --animate --stats --backend cpu \
  --no-recovery >"$out" || fail "large: view --animate --stats exited $?"
line=$(cat "$out")
echo "large: $line"
[ "$(field "$line" field_frames)" = "$N" ] || fail "large: not every frame computed a field"
[ "$(field "$line" preview_frames)" -gt 0 ] || fail "large: no preview while the kernel moves"
rm -rf "$OUT"
echo "viewer_stats: ok"
