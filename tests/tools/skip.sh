# skip.sh — sourced by the test scripts of tests/cli: the skip rule of tests/test_skip.hpp for
# scripts. A case whose subject is missing (no GL context here) is a reported SKIP: the script exits
# 77, which CTest shows as "Skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt), never "Passed".
# Under CI (CI set and not "false" / "0") a skip is a failure: CI must prove it tested the GPU path.

gm_ci() { [[ -n ${CI:-} && ${CI} != false && ${CI} != 0 ]]; }

# gm_finish LABEL PASSED FAILED SKIPPED: prints the "gm-tally:" line that .ci/run adds up and exits
# 1 on a failure (or a skip under CI), 77 on a skip, 0 otherwise.
gm_finish() {
  local label=$1 passed=$2 failed=$3 skipped=$4
  echo "gm-tally: label=$label ran=$((passed + failed)) skipped=$skipped failed=$failed"
  ((failed > 0)) && exit 1
  if ((skipped > 0)); then
    if gm_ci; then
      echo "FAIL: $skipped case(s) skipped, and CI is set: a missing GL is a failure under CI"
      exit 1
    fi
    echo "$skipped case(s) SKIPPED: exit 77"
    exit 77
  fi
  exit 0
}
