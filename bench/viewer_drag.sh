#!/usr/bin/env bash
# viewer_drag.sh — the viewer while a kernel is dragged: `gaussmap view SCENE --frames N --animate
# --stats` (kernel 0 moves every frame, as a drag does) for each backend, beside the same scene
# without --animate (the cost of a frame with nothing to compute), in one session under xvfb-run.
# Default SCENE: 1920x1080 with 64 kernels (sigma 20..120 px), written here.
# Usage: bench/viewer_drag.sh GAUSSMAP [SCENE.json] [FRAMES]
set -eu
gm=${1:?usage: viewer_drag.sh GAUSSMAP [SCENE.json] [FRAMES]}
scene=${2:-}
frames=${3:-60}
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
run() { xvfb-run -a -s "-screen 0 1600x1000x24" "$gm" view "$scene" --frames "$frames" --stats --no-recovery "$@"; }
echo "# $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores, $scene"
for backend in auto cpu gpu; do
  echo "still  $backend: $(run --backend $backend)"
  echo "drag   $backend: $(run --backend $backend --animate)"
done
