#!/usr/bin/env bash
# compare_gl.sh — the GPU path before and after a change, beside the naive and splat peers, in one
# session: runs gaussmap_gl_peers of two build trees alternately (this tree's first), each over
# the bench cases and, with GL_SCENES=DIR, over DIR/*.json too (bench/gl_scenes.py writes a set).
# gaussmap_gl_peers itself interleaves gaussmap, naive and splat repeat by repeat. Ratios are what
# to read on a shared machine (wall times move with the load; the CPU-time columns move far less).
# Usage: [GL_SCENES=DIR] bench/compare_gl.sh BUILD_DIR [BASE_BUILD_DIR] [REPEATS]
#   BASE_BUILD_DIR: a build of another commit with bench/ added (its gaussmap_gl_peers links
#   that commit's renderer), e.g. git archive BASE | tar -x -C /tmp/base; cp -r bench /tmp/base;
#   add add_subdirectory(bench) to its CMakeLists.txt; cmake --build ... --target gaussmap_gl_peers.
set -eu
build=${1:?usage: compare_gl.sh BUILD_DIR [BASE_BUILD_DIR] [REPEATS]}
base=${2:-}
repeats=${3:-5}
scenes=()
if [ -n "${GL_SCENES:-}" ]; then scenes=("$GL_SCENES"/*.json); fi
echo "# $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
for round in 1 2; do
  for tree in "$build" $base; do
    echo "## round $round: $tree"
    "$tree/bench/gaussmap_gl_peers" --repeats "$repeats"
    if [ ${#scenes[@]} -gt 0 ]; then "$tree/bench/gaussmap_gl_peers" --repeats "$repeats" "${scenes[@]}"; fi
  done
done
echo "# end $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg)"
