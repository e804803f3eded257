#!/usr/bin/env bash
# png_levels.sh — the PNG table of docs/performance.md: renders the pipeline scenes
# (bench/pipeline_scenes.py) with gaussmap at level 0, then times, on each picture and the viewer
# window shot docs/images/viewer.png, the previous encoder (libspng, one zlib stream) and
# gaussmap's writer (bands on every core) at every level, same run (bench/png_levels.cpp).
#   usage: bash bench/png_levels.sh [-r REPEATS] [-t THREADS] [-k BAND_KIB] [BUILD_DIR] [SCENES...]
#          (default: build; scenes points k64 k50k)
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
while getopts "r:t:k:" opt; do
  case $opt in
    r) args+=(--repeats "$OPTARG") ;;
    t) args+=(--threads "$OPTARG") ;;
    k) args+=(--band-kib "$OPTARG") ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
B=${1:-build}
shift || true
scenes=("${@:-points k64 k50k}")
cmake --build "$B" --target gaussmap gaussmap_png_levels >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_pnglevels.XXXXXX")
trap 'rm -rf "$W"' EXIT
/usr/bin/python3 bench/pipeline_scenes.py "$W" >/dev/null
pics=()
for s in ${scenes[@]}; do
  "$B/src/cli/gaussmap" render "$W/$s.json" -o "$W/$s.png" --backend cpu --png-level 0 --quiet
  pics+=("$W/$s.png")
done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$B/bench/gaussmap_png_levels" "${args[@]}" "${pics[@]}" docs/images/viewer.png
