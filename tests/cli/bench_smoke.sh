#!/usr/bin/env bash
# bench_smoke.sh GAUSSMAP SRC — `gaussmap bench --quick` runs every CPU-side backend and prints its
# table; --json is valid JSON with one row per (case, backend). Checks behaviour, never timings.
set -u
gm=$1
pass=0 fail=0
check() {  # check NAME COMMAND...
  if "${@:2}" >/tmp/gm_bench_out.$$ 2>/tmp/gm_bench_err.$$; then
    pass=$((pass + 1)); echo "ok   $1"
  else
    fail=$((fail + 1)); echo "FAIL $1"; tail -5 /tmp/gm_bench_err.$$
  fi
}
check "bench --quick prints a table" bash -c "'$gm' bench --quick --backends reference,naive,cpu | grep -E '^(case|tiny|points)'"
check "bench --quick --json parses" bash -c "'$gm' bench --quick --json --backends cpu > /tmp/gm_bench_json.$$ && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); rows=d[\"rows\"]; assert len(rows) > 0 and all(r[\"median_ms\"] > 0 for r in rows), rows' /tmp/gm_bench_json.$$"
check "bench --help" "$gm" bench --help
check "bench rejects an unknown backend with exit 2" bash -c "'$gm' bench --backends nope; test \$? -eq 2"
rm -f /tmp/gm_bench_out.$$ /tmp/gm_bench_err.$$ /tmp/gm_bench_json.$$
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
