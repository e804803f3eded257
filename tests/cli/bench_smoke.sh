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
src=$2
check "bench SCENE.json times the given scene, warm-up and all repeats, on every cpu path" bash -c "'$gm' bench '$src/examples/seed.json' --json --repeats 3 --backends cpu,cpu-baseline > /tmp/gm_bench_json.$$ && python3 -c 'import json,sys; rows=json.load(open(sys.argv[1]))[\"rows\"]; assert [r[\"backend\"] for r in rows] == [\"cpu\", \"cpu-baseline\"], rows; assert all(r[\"case\"].endswith(\"seed.json\") and r[\"repeats\"] == 3 and r[\"median_ms\"] > 0 for r in rows), rows' /tmp/gm_bench_json.$$"
check "bench --write-cases writes the cases as scenes bench can time" bash -c "d=\$(mktemp -d) && '$gm' bench --write-cases \$d --case tiny >/dev/null && '$gm' bench \$d/tiny.json --backends cpu --repeats 2 --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[\"rows\"]; assert r[0][\"case\"].endswith(\"tiny.json\") and r[0][\"median_ms\"] > 0, r'; rc=\$?; rm -rf \$d; exit \$rc"
# A lambda inside a SIMD-path function does not take the function's target: compiled for the
# baseline, its fused multiply-adds became calls to libm's fmaf (prob_or ran 10x slower).
check "the CPU backend's paths call no libm fma" bash -c "objdump -d --no-show-raw-insn '$gm' > /tmp/gm_objdump.$$ && grep -q 'tile_row' /tmp/gm_objdump.$$ && ! grep -E 'call.*<fmaf?@plt>' /tmp/gm_objdump.$$"
check "GAUSSMAP_CPU=baseline runs the baseline path" bash -c "GAUSSMAP_CPU=baseline '$gm' bench --quick --backends cpu --case tiny | grep -q 'cpu path: baseline'"
check "bench names a missing scene file, exit 1 (I/O)" bash -c "'$gm' bench /nonexistent/scene.json --backends cpu 2>&1 >/dev/null | grep -q /nonexistent/scene.json; test \${PIPESTATUS[0]} -eq 1"
check "bench rejects an unknown backend with exit 2" bash -c "'$gm' bench --backends nope; test \$? -eq 2"
rm -f /tmp/gm_bench_out.$$ /tmp/gm_bench_err.$$ /tmp/gm_bench_json.$$ /tmp/gm_objdump.$$
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
