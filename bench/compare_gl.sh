#!/usr/bin/env bash
# compare_gl.sh — the GPU path before and after a change, beside the naive and splat peers, in one
# session: runs gaussmap_gl_peers of two build trees alternately (this tree's first), each over
# the bench cases. Ratios are what to read on a shared machine (wall times move with the load;
# the CPU-time columns move far less).
# Usage: bench/compare_gl.sh BUILD_DIR [BASE_BUILD_DIR] [REPEATS]
#   BASE_BUILD_DIR: a build of another commit with bench/ added (its gaussmap_gl_peers links
#   that commit's renderer), e.g. git archive BASE | tar -x -C /tmp/base; cp -r bench /tmp/base;
#   add add_subdirectory(bench) to its CMakeLists.txt; cmake --build ... --target gaussmap_gl_peers.
set -eu
build=${1:?usage: compare_gl.sh BUILD_DIR [BASE_BUILD_DIR] [REPEATS]}
base=${2:-}
repeats=${3:-5}
echo "# $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg), $(nproc) cores"
for round in 1 2; do
  echo "## round $round: this tree ($build)"
  "$build/bench/gaussmap_gl_peers" --repeats "$repeats"
  if [ -n "$base" ]; then
    echo "## round $round: base ($base)"
    "$base/bench/gaussmap_gl_peers" --repeats "$repeats"
  fi
done
echo "# end $(date -u +%FT%TZ), load $(cut -d' ' -f1 /proc/loadavg)"
