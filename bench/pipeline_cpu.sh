#!/usr/bin/env bash
# pipeline_cpu.sh — the whole-process cases of bench/pipeline.sh (tiny, points, k64, k50k as
# `render -o x.png --npy x.npy --backend cpu`), timed as CPU time instead of wall time: `perf stat
# -e task-clock,page-faults` (all threads, kernel time included), the binaries interleaved round
# by round. On a machine others are loading, CPU time moves far less than wall time, so ratios
# between binaries hold where pipeline.sh's do not.
#   usage: bash bench/pipeline_cpu.sh [-n ROUNDS] [-o OUT_DIR] BINARY...   (OUT_DIR as in
#   pipeline.sh: -o /dev/shm/x keeps the disk out of the figure)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3 out=""
while getopts "n:o:" opt; do
  case $opt in
    n) rounds=$OPTARG ;;
    o) out=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($# > 0)) || { echo "usage: bash bench/pipeline_cpu.sh [-n ROUNDS] [-o OUT_DIR] BINARY..." >&2; exit 2; }
S=$(mktemp -d "${TMPDIR:-/tmp}/gm_pipeline_cpu.XXXXXX")
trap 'rm -rf "$S"' EXIT
out=${out:-$S/out}
mkdir -p "$out"
/usr/bin/python3 bench/pipeline_scenes.py "$S"
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); outputs in $out ($(df -T "$out" | awk 'NR==2 {print $2}'))"
printf "%-7s %-40s %12s %12s  (perf stat -r N, mean)\n" case binary task_ms page_faults
for c in tiny points k64 k50k; do
  repeats=10
  [ "$c" = k64 ] && repeats=5
  [ "$c" = k50k ] && repeats=2
  for ((round = 0; round < rounds; ++round)); do
    for b in "$@"; do
      stat=$(perf stat -r "$repeats" -e task-clock,page-faults "$b" render "$S/$c.json" \
        -o "$out/$c.png" --npy "$out/$c.npy" --backend cpu -q 2>&1)
      printf "%-7s %-40s %12s %12s\n" "$c" "$b" "$(awk '/task-clock/ {print $1}' <<<"$stat")" \
        "$(awk '/page-faults/ {print $1}' <<<"$stat")"
    done
  done
done
