#!/usr/bin/env bash
# png_levels.sh — the PNG compression table of docs/performance.md: renders the pipeline scenes
# (bench/pipeline_scenes.py) with gaussmap at level 0, then times libspng's encoder on each
# picture at every level / strategy / filter (bench/png_levels.c, CPU time, best of 3).
#   usage: bash bench/png_levels.sh [GAUSSMAP_BINARY] [SCENES...]   (default: build/src/cli/gaussmap;
#          scenes points k64 k50k, plus docs/images/viewer.png, a viewer window shot)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build/src/cli/gaussmap}
shift || true
scenes=("${@:-points k64 k50k}")
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_pnglevels.XXXXXX")
trap 'rm -rf "$W"' EXIT
cc -O2 -o "$W/png_levels" bench/png_levels.c $(pkg-config --cflags --libs spng) -lz
/usr/bin/python3 bench/pipeline_scenes.py "$W"
for s in ${scenes[@]}; do
  "$BIN" render "$W/$s.json" -o "$W/$s.png" --backend cpu --png-level 0 --quiet
  echo "== $s"
  "$W/png_levels" "$W/$s.png" 3
done
echo "== viewer window shot (docs/images/viewer.png)"
"$W/png_levels" docs/images/viewer.png 3
