#!/usr/bin/env bash
# viewer_drag.sh — the viewer while a kernel is dragged: `gaussmap view SCENE --frames N --animate
# --stats` (kernel 0 moves every frame, as a drag does) for each backend, beside the same scene
# without --animate (the cost of a frame with nothing to compute), in one session under xvfb-run.
# With --peer OTHER_GAUSSMAP the drag with --backend auto is run REPEATS times for both binaries,
# interleaved (A B A B ...), and the medians of their median frame times are printed with their
# ratio: on a shared machine only such same-session ratios mean something. --cpu adds the CPU time
# per frame of the whole xvfb-run tree (viewer, its GL threads, Xvfb): (cpu(N) - cpu(N/4)) /
# (N - N/4), so that start-up cancels; CPU time is much less sensitive to other load than wall.
# Default SCENE: 1920x1080 with 64 kernels (sigma 20..120 px), written here.
# Usage: bench/viewer_drag.sh GAUSSMAP [SCENE.json] [FRAMES] [--peer OTHER] [--repeats R] [--cpu]
set -eu
pos=() peer="" repeats=5 cpu=0
while [ $# -gt 0 ]; do
  case $1 in
    --peer) peer=${2:?--peer needs a gaussmap}; shift 2 ;;
    --repeats) repeats=${2:?--repeats needs a number}; shift 2 ;;
    --cpu) cpu=1; shift ;;
    *) pos+=("$1"); shift ;;
  esac
done
gm=${pos[0]:?usage: viewer_drag.sh GAUSSMAP [SCENE.json] [FRAMES] [--peer OTHER] [--repeats R] [--cpu]}
scene=${pos[1]:-}
frames=${pos[2]:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "$scene" ]; then
  scene="$tmp/hd64.json"
  awk 'BEGIN { srand(64); printf "{\"gaussmap\": 1, \"width\": 1920, \"height\": 1080, \"kernels\": [";
    for (i = 0; i < 64; i++) printf "%s{\"center\": [%.3f, %.3f], \"sigma\": [%.3f, %.3f], \"weight\": %.3f}",
      (i ? ", " : ""), rand() * 1919, rand() * 1079, 20 + 100 * rand(), 20 + 100 * rand(), 0.5 + rand();
    print "]}" }' >"$scene"
fi
export GAUSSMAP_STATE_DIR="$tmp/state"
view() {  # view GAUSSMAP FRAMES ARGS...: the --stats line
  xvfb-run -a -s "-screen 0 1600x1000x24" "$1" view "$scene" --frames "$2" --stats --no-recovery "${@:3}"
}
cpu_ms() {  # cpu_ms GAUSSMAP FRAMES ARGS...: user + sys ms of the run
  /usr/bin/time -f "%U %S" -o "$tmp/time" xvfb-run -a -s "-screen 0 1600x1000x24" "$1" view "$scene" \
    --frames "$2" --stats --no-recovery "${@:3}" >/dev/null
  awk '{ printf "%.0f", ($1 + $2) * 1000 }' "$tmp/time"
}
frame_ms() { sed -n 's/.*"median_frame_ms": *\([0-9.]*\).*/\1/p' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
echo "# $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores, $scene"
if [ -z "$peer" ]; then
  for backend in auto cpu gpu; do
    echo "still  $backend: $(view "$gm" "$frames" --backend $backend)"
    echo "drag   $backend: $(view "$gm" "$frames" --backend $backend --animate)"
  done
  exit 0
fi
: >"$tmp/a" && : >"$tmp/b" && : >"$tmp/ca" && : >"$tmp/cb"
for r in $(seq "$repeats"); do
  for side in a b; do
    bin=$([ $side = a ] && echo "$gm" || echo "$peer")
    line=$(view "$bin" "$frames" --backend auto --animate)
    echo "drag $side ($bin): $line"
    frame_ms "$line" >>"$tmp/$side"
    if [ $cpu = 1 ]; then
      q=$((frames / 4))
      c=$(awk -v hi="$(cpu_ms "$bin" "$frames" --animate)" -v lo="$(cpu_ms "$bin" $q --animate)" \
        -v n=$((frames - q)) 'BEGIN { printf "%.2f", (hi - lo) / n }')
      echo "cpu  $side: $c ms per frame"
      echo "$c" >>"$tmp/c$side"
    fi
  done
done
ma=$(median <"$tmp/a") mb=$(median <"$tmp/b")
echo "median frame ms: a $ma, b $mb, a/b $(awk -v a="$ma" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')"
if [ $cpu = 1 ]; then
  ca=$(median <"$tmp/ca") cb=$(median <"$tmp/cb")
  echo "cpu ms per frame: a $ca, b $cb, a/b $(awk -v a="$ca" -v b="$cb" 'BEGIN { printf "%.2f", a / b }')"
fi
