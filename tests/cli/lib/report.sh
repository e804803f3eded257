# report.sh — sourced by the CLI test scripts: one line per case (ok / FAIL / skip) and the
# closing tally. Not a test itself (tests/CMakeLists.txt runs tests/cli/*.sh only).
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); printf 'ok    %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
skipped() { skip=$((skip + 1)); printf 'skip  %s: %s\n' "$1" "$2"; }
check() {  # check NAME COMMAND...: ok when the command succeeds, else FAIL with its output
  local name=$1; shift
  local why
  if why=$("$@" 2>&1); then ok "$name"; else bad "$name" "${why:-failed}"; fi
}
tally() {  # prints "N passed, M failed (K skipped)"; status 0 when nothing failed
  printf '%d passed, %d failed' "$pass" "$fail"
  ((skip > 0)) && printf ' (%d skipped)' "$skip"
  printf '\n'
  ((fail == 0))
}
