#!/bin/bash
# cpu_ab.sh — the CPU backend of two gaussmap binaries side by side, in one session, interleaved
# (timings on a shared machine are only comparable as ratios within one run).
#   bench/cpu_ab.sh BASE_BINARY NEW_BINARY [ROUNDS]
# 1. `bench CASE.json --backends cpu,cpu-avx2 --repeats 11` on k10k-cut3, k64, k64-rot, the two
#    binaries alternately, ROUNDS times (default 3): median wall ms and cpu_ms per run;
# 2. whether both give the same field, bit for bit, on every case and SIMD path (render --npy);
# 3. the evaluate phase of a whole `render --backend cpu --timings` process on the pipeline's k64
#    scene (bench/pipeline_scenes.py), 15 times each, alternately: median ms.
set -euo pipefail
base=$1 new=$2 rounds=${3:-3}
dir=$(mktemp -d /dev/shm/gm_cpu_ab.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/cases" "$dir/scenes"
"$new" bench --write-cases "$dir/cases" >/dev/null
/usr/bin/python3 "$(dirname "$0")/pipeline_scenes.py" "$dir/scenes" >/dev/null
echo "binary case backend median_ms cpu_ms"
for c in k10k-cut3 k64 k64-rot; do
  for _ in $(seq "$rounds"); do
    for bin in "$base" "$new"; do
      "$bin" bench "$dir/cases/$c.json" --backends cpu,cpu-avx2 --repeats 11 2>/dev/null |
        awk -v b="$bin" -v c="$c" '$4 ~ /^cpu/ {print b, c, $4, $5, $9}'
    done
  done
done
for c in points seed-hd k64 k64-cut3 k64-rot k10k-cut3 k100k-cut3; do
  for p in avx512 avx2 baseline; do
    GAUSSMAP_CPU=$p "$base" render "$dir/cases/$c.json" --npy "$dir/a.npy" --backend cpu --quiet
    GAUSSMAP_CPU=$p "$new" render "$dir/cases/$c.json" --npy "$dir/b.npy" --backend cpu --quiet
    cmp -s "$dir/a.npy" "$dir/b.npy" || echo "fields differ: $c on $p"
  done
done
echo "fields compared bit for bit (differences listed above)"
for _ in $(seq 15); do
  for bin in "$base" "$new"; do
    "$bin" render "$dir/scenes/k64.json" -o "$dir/x.png" --backend cpu --timings --quiet 2>&1 |
      sed -n 's/.*evaluate \([0-9.]*\) ms.*/\1/p' >>"$dir/ev.$$.$(echo "$bin" | md5sum | cut -c1-8)"
  done
done
for bin in "$base" "$new"; do
  f="$dir/ev.$$.$(echo "$bin" | md5sum | cut -c1-8)"
  echo "$bin render k64 evaluate median $(sort -n "$f" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') ms"
done
