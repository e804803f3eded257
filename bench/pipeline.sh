#!/usr/bin/env bash
# pipeline.sh — `gaussmap render` timed as a whole process (start to exit, files written and
# synced), the way a user meets it: tiny (4x4), points (800x400, 3 kernels), k64 (1920x1080, 64
# kernels) and k50k (4000x3000, 50,000 kernels, cutoff 3), each as `render -o x.png --npy x.npy`
# (tiny: -o only). Several binaries run in the same session, interleaved run by run, so that
# their ratios hold on a busy machine. Prints median and min wall time (ms) per case and binary,
# then one `--timings` line per case for the first binary that has the option.
#   usage: bash bench/pipeline.sh [-r REPEATS] [-o OUT_DIR] [-b BACKEND] BINARY...
#   OUT_DIR defaults to a temp folder under $TMPDIR (a disk: fsync costs what it costs there);
#   -o /dev/shm/x measures without the disk. BACKEND defaults to cpu.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=15 out="" backend=cpu
while getopts "r:o:b:" opt; do
  case $opt in
    r) repeats=$OPTARG ;;
    o) out=$OPTARG ;;
    b) backend=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
(($# > 0)) || { echo "usage: bash bench/pipeline.sh [-r N] [-o OUT_DIR] [-b BACKEND] BINARY..." >&2; exit 2; }
S=$(mktemp -d "${TMPDIR:-/tmp}/gm_pipeline.XXXXXX")
trap 'rm -rf "$S"' EXIT
out=${out:-$S/out}
mkdir -p "$out"
/usr/bin/python3 bench/pipeline_scenes.py "$S"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average $(cut -d' ' -f1-3 /proc/loadavg); outputs in $out ($(df -T "$out" | awk 'NR==2 {print $2}'))"
/usr/bin/python3 - "$S" "$out" "$repeats" "$backend" "$@" <<'PYEOF'
import statistics, subprocess, sys, time
scenes, out, repeats, backend, bins = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
cases = ["tiny", "points", "k64", "k50k"]
def cmd(b, c):
    args = [b, "render", f"{scenes}/{c}.json", "-o", f"{out}/{c}.png", "--backend", backend, "-q"]
    return args if c == "tiny" else args + ["--npy", f"{out}/{c}.npy"]
print(f"{'case':8} {'binary':40} {'median_ms':>10} {'min_ms':>8}  runs")
for c in cases:
    n = max(3, repeats // 3) if c == "k50k" else repeats
    times = {b: [] for b in bins}
    for b in bins:  # warm-up: page cache, the files' first creation
        subprocess.run(cmd(b, c), check=True)
    for _ in range(n):
        for b in bins:
            t0 = time.perf_counter()
            subprocess.run(cmd(b, c), check=True)
            times[b].append(1e3 * (time.perf_counter() - t0))
    for b in bins:
        print(f"{c:8} {b:40} {statistics.median(times[b]):10.2f} {min(times[b]):8.2f}  {n}")
for b in bins:
    probe = subprocess.run([b, "render", "--help"], capture_output=True, text=True).stdout
    if "--timings" in probe:
        for c in cases:
            r = subprocess.run(cmd(b, c) + ["--timings"], capture_output=True, text=True, check=True)
            print(f"{c:8} {r.stderr.strip()}")
        break
PYEOF
