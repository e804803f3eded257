#!/usr/bin/env bash
# run_if_x86_64_v3.sh PROGRAM ARGS... — runs PROGRAM (built with -march=x86-64-v3) where this CPU
# has every x86-64-v3 feature, else reports a skip (exit 77, tests/tools/skip.sh) with the missing
# ones. The check is here, outside the program: a v3 binary may use AVX2 before main.
set -u
missing=()
for f in avx avx2 bmi1 bmi2 f16c fma abm movbe xsave; do
  grep -qw "$f" /proc/cpuinfo 2>/dev/null || missing+=("$f")
done
if ((${#missing[@]} > 0)); then
  echo "SKIPPED: this CPU lacks x86-64-v3 features: ${missing[*]}"
  echo "gm-tally: label=core ran=0 skipped=1 failed=0"
  exit 77
fi
exec "$@"
