#!/usr/bin/env bash
# viewer_recovery.sh — no lost work, end to end under xvfb-run, in a private recovery folder
# (GAUSSMAP_STATE_DIR):
#   1. `view --recover` with nothing to recover fails with one line (exit 1);
#   2. a recovery file left by an ended process (a pid we spawned and reaped) is found among a live
#      process's file and corrupted ones; `view --recover --frames 3 --screenshot` renders exactly
#      its scene, notes the corrupted file, and (a scripted run) leaves the folder as it was;
#   3. a scripted run with a stale file present shows the offer and still exits after N frames;
#      --no-recovery skips the check;
#   4. an interactive `view --recover` adopts the work: within a few seconds it autosaves its own
#      recovery file and deletes the ended viewer's; kill -9 leaves that file, which parses, holds
#      the same scene, and is recovered by the next `view --recover`.
# Checks of file contents run in tests/tools/viewer_check.cpp, given their files as arguments
# (the work folder's name has a space, so paths with spaces are exercised). No xvfb-run is a
# FAILURE, not a skip. Ends with "N passed, M failed" and a "gm-tally:" line.
# Usage: viewer_recovery.sh <path-to-gaussmap> <source-dir> <path-to-viewer_check>
set -u
GM=${1:?usage: viewer_recovery.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}
SRC=${2:?usage: viewer_recovery.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}
CHECK=${3:?usage: viewer_recovery.sh GAUSSMAP SOURCE_DIR VIEWER_CHECK}

pass=0 failed=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
  [ -n "${VPID:-}" ] && kill -9 "$VPID" 2>/dev/null
  [ -n "${XPID:-}" ] && { kill "$XPID" 2>/dev/null; wait "$XPID" 2>/dev/null; }
  echo "$pass passed, $failed failed"
  echo "gm-tally: label=viewer ran=$((pass + failed)) skipped=0 failed=$failed"
  if [ "$failed" -eq 0 ]; then rm -rf "${OUT:-/nonexistent}"; exit 0; fi
  [ -n "${OUT:-}" ] && echo "files kept in $OUT"
  exit 1
}
abort() { bad "$*"; finish; }

command -v xvfb-run >/dev/null 2>&1 || abort "xvfb-run not found: install xvfb and xauth (this test never skips)"
[ -x "$GM" ] || abort "no gaussmap executable at $GM"
[ -x "$CHECK" ] || abort "no file checker at $CHECK (build target gaussmap_viewer_check)"

OUT=$(mktemp -d "${TMPDIR:-/tmp}/gm viewer recovery.XXXXXX")
export GAUSSMAP_STATE_DIR="$OUT/state"
mkdir -p "$GAUSSMAP_STATE_DIR"
XVFB=(xvfb-run -a -s "-screen 0 1600x1000x24")

# Run one check of viewer_check (its arguments as given); it must print PASS and exit 0.
check() {
  local log rc
  log=$("$CHECK" "$@" 2>&1); rc=$?
  echo "$log" | sed 's/^/    /'
  [ $rc -eq 0 ] && echo "$log" | grep -q '^PASS'
}

# A pid that has certainly ended: a child we started and reaped.
dead_pid() { sleep 0 & local p=$!; wait "$p"; echo "$p"; }

# A recovery file as an ended viewer leaves it (the format of src/viewer/recovery.hpp).
write_recovery() {  # FILE PID SOURCE SAVED_AT WEIGHT
  cat >"$1" <<EOF
{
  "gaussmap_recovery": 1,
  "source": "$3",
  "saved_at": "$4",
  "pid": $2,
  "scene": {"gaussmap": 1, "width": 200, "height": 120, "normalization": "peak", "combine": "max",
            "kernels": [{"center": [60, 50], "sigma": [14, 9], "angle_deg": 30, "weight": $5},
                        {"center": [140, 70], "sigma": [20, 20], "weight": 0.8}],
            "view": {"colormap": "magma"}}
}
EOF
}

# --- 1. nothing to recover
"${XVFB[@]}" "$GM" view --recover --frames 3 --screenshot "$OUT/none.png" 2>"$OUT/none.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$OUT/none.err")" -eq 1 ] && grep -q "no unsaved work" "$OUT/none.err"; then
  ok "--recover with nothing to recover: exit 1, one line: $(cat "$OUT/none.err")"
else
  bad "--recover with nothing to recover: exit $rc, stderr: $(cat "$OUT/none.err")"
fi

# --- 2. a stale file among a live one and corrupted ones
D1=$(dead_pid); D2=$(dead_pid)
STALE="$GAUSSMAP_STATE_DIR/recovery-$D1.json"
write_recovery "$STALE" "$D1" "$SRC/examples/whatever.json" "2026-01-02T03:04:05Z" 0.5
cp "$STALE" "$OUT/original.json"
# Newer, but of a live process (this shell): never taken.
write_recovery "$GAUSSMAP_STATE_DIR/recovery-$$.json" "$$" "" "2027-01-01T00:00:00Z" 0.25
# Corrupted, of an ended process: ignored with a note.
head -c 150 "$STALE" >"$GAUSSMAP_STATE_DIR/recovery-$D2.json"
ls -la "$GAUSSMAP_STATE_DIR" | sed 's/^/    /'
before=$(cd "$GAUSSMAP_STATE_DIR" && ls -A | sort | tr '\n' ' ')

"${XVFB[@]}" "$GM" view --recover --frames 3 --screenshot "$OUT/rec.png" \
  --window-shot "$OUT/rec-window.png" 2>"$OUT/rec.err"
rc=$?
sed 's/^/    /' "$OUT/rec.err"
[ $rc -eq 0 ] && [ -s "$OUT/rec.png" ] && ok "view --recover --frames 3 --screenshot: exit 0" ||
  bad "view --recover --frames 3 --screenshot: exit $rc"
check recovery "$STALE" "$OUT/rec.png" &&
  ok "the screenshot's embedded scene equals the recovery file's scene" ||
  bad "the screenshot does not show the recovered scene"
grep -q "recovering $STALE" "$OUT/rec.err" && ok "it took the ended viewer's file, not the live one's" ||
  bad "it did not say it recovered $STALE"
grep -q "note: ignored a recovery file .*recovery-$D2.json" "$OUT/rec.err" &&
  ok "the corrupted file was ignored with a note" || bad "no note about the corrupted file"
after=$(cd "$GAUSSMAP_STATE_DIR" && ls -A | sort | tr '\n' ' ')
[ "$before" = "$after" ] && ok "a scripted run leaves the recovery folder as it was" ||
  bad "the scripted run changed the recovery folder: [$before] -> [$after]"

# --- 3. the offer does not block scripted runs
"${XVFB[@]}" "$GM" view --frames 5 --window-shot "$OUT/offer-window.png" 2>"$OUT/offer.err"
rc=$?
[ $rc -eq 0 ] && [ -s "$OUT/offer-window.png" ] &&
  ok "a scripted run with a stale file present (the offer shown) exits 0 after 5 frames" ||
  bad "scripted run with the offer: exit $rc: $(cat "$OUT/offer.err")"
"${XVFB[@]}" "$GM" view --no-recovery --frames 3 --screenshot "$OUT/norec.png" 2>"$OUT/norec.err"
rc=$?
[ $rc -eq 0 ] && ! grep -q "note:" "$OUT/norec.err" && ok "--no-recovery skips the check" ||
  bad "--no-recovery: exit $rc: $(cat "$OUT/norec.err")"
"${XVFB[@]}" "$GM" view "$SRC/examples/does-not-matter.json" --recover --frames 3 2>"$OUT/usage.err"
rc=$?
[ $rc -eq 2 ] && ok "--recover with a SCENE is a usage error (exit 2)" || bad "--recover SCENE: exit $rc"
rm -f "$GAUSSMAP_STATE_DIR/recovery-$D2.json" "$GAUSSMAP_STATE_DIR/recovery-$$.json"

# --- 4. an interactive viewer adopts the work, autosaves it, and is killed
"${XVFB[@]}" "$GM" view --recover >"$OUT/live.out" 2>"$OUT/live.err" &
XPID=$!
own=""
for _ in $(seq 1 300); do  # up to 30 s (the autosave comes ~2 s after the document opens)
  for f in "$GAUSSMAP_STATE_DIR"/recovery-*.json; do
    [ -e "$f" ] && [ "$f" != "$STALE" ] && own=$f
  done
  [ -n "$own" ] && [ ! -e "$STALE" ] && break
  kill -0 "$XPID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$own" ]; then
  abort "the interactive viewer wrote no recovery file within 30 s: $(cat "$OUT/live.err")"
fi
ok "the interactive viewer autosaved the recovered work to $(basename "$own")"
[ ! -e "$STALE" ] && ok "and deleted the ended viewer's file once its own held the work" ||
  bad "the ended viewer's file is still there"
VPID=$(basename "$own" .json | sed 's/^recovery-//; s/-.*//')
kill -0 "$VPID" 2>/dev/null && ok "the viewer (pid $VPID) is running" || bad "no process $VPID"
kill -9 "$VPID"
wait "$XPID" 2>/dev/null
VPID="" XPID=""
[ -s "$own" ] && ok "after kill -9 the recovery file is still there" || bad "kill -9 lost $own"
check recovery "$own" && ok "it parses as a recovery file" ||
  bad "$own does not parse"
check same-recovery "$OUT/original.json" "$own" &&
  ok "it holds the same scene as the original recovery file" || bad "$own holds another scene"

"${XVFB[@]}" "$GM" view --recover --frames 3 --screenshot "$OUT/rec2.png" 2>"$OUT/rec2.err"
rc=$?
[ $rc -eq 0 ] && grep -q "recovering $own" "$OUT/rec2.err" &&
  check recovery "$own" "$OUT/rec2.png" &&
  ok "the next view --recover renders the killed viewer's work" ||
  bad "recovering the killed viewer's work: exit $rc: $(cat "$OUT/rec2.err")"

finish
