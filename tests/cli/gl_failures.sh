#!/usr/bin/env bash
# gl_failures.sh — every GL failure of `gaussmap render` is one line on stderr that says what failed
# and what to do, exit status 1 (no abort, no stack trace), and no output file left behind:
#   - no EGL at all              GAUSSMAP_EGL_LIBRARY=/nonexistent/libEGL.so.1 (HeadlessContext hook)
#   - no display / no driver     LIBGL_DRIVERS_PATH=/nonexistent (Mesa finds no DRI driver)
#   - context too old            MESA_GL_VERSION_OVERRIDE=3.3 (Mesa offers no 4.5 core context),
#                                and GAUSSMAP_GL_SIMULATE=old-context (the renderer's own check)
#   - shader compile failure     GAUSSMAP_GL_SIMULATE=shader-error: names shaders/mixture.frag
#   - out of GPU memory          GAUSSMAP_GL_SIMULATE=out-of-memory: names GL_OUT_OF_MEMORY
# and `--backend cpu` (and the default, `auto`, which then takes the CPU) still renders with EGL
# gone. Every failing render names `--backend gpu`: `auto` would not use this GL. The hooks are documented in
# src/gl/headless_context.cpp and src/gl/mixture_renderer.cpp. Cases that need a working GL
# (to break it on purpose) are skipped, saying why, where the plain GPU render fails: the script
# then exits 77 (a reported skip), or fails under CI=true (tests/tools/skip.sh).
#   usage: bash tests/cli/gl_failures.sh GAUSSMAP_BINARY SOURCE_DIR
# Ends with "N passed, M failed" and a "gm-tally:" line; exits 1 on any failure. Needs only bash and coreutils.
set -uo pipefail
# shellcheck source=../tools/skip.sh
source "${BASH_SOURCE[0]%/*}/../tools/skip.sh"

BIN=${1:?usage: gl_failures.sh GAUSSMAP_BINARY SOURCE_DIR}
SRC=${2:?usage: gl_failures.sh GAUSSMAP_BINARY SOURCE_DIR}
SCENE=$SRC/examples/seed.json
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_glfail.XXXXXX")
trap 'rm -rf "$W"' EXIT

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); printf 'ok    %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
skipped() { skip=$((skip + 1)); printf 'skip  %s: %s\n' "$1" "$2"; }

# expect_gl_failure NAME MUST_MENTION ENV... -- ARGS...: `gaussmap render` under ENV exits 1 with
# exactly one stderr line that mentions MUST_MENTION (and "--backend cpu"), and leaves no X.png /
# X.npy (nor a temp file) in its output folder.
expect_gl_failure() {
  local name=$1 mention=$2; shift 2
  local envs=()
  while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
  shift
  local out=$W/$name
  rm -rf "$out" && mkdir -p "$out"
  env "${envs[@]}" "$BIN" render "$SCENE" -o "$out/X.png" --npy "$out/X.npy" --backend gpu "$@" \
    >"$out.stdout" 2>"$out.stderr"
  local rc=$? lines
  lines=$(wc -l <"$out.stderr")
  local err
  err=$(head -c 600 "$out.stderr")
  if ((rc != 1)); then
    bad "$name" "exit status $rc, want 1; stderr: $err"
  elif ((lines != 1)); then
    bad "$name" "$lines stderr lines, want 1: $err"
  elif [[ $err != *"--backend cpu"* ]]; then
    bad "$name" "message does not mention --backend cpu: $err"
  elif [[ $err != *"$mention"* ]]; then
    bad "$name" "message does not mention '$mention': $err"
  elif [[ -n $(ls -A "$out") ]]; then
    bad "$name" "left files behind: $(ls -A "$out" | tr '\n' ' ')"
  else
    ok "$name: $err"
  fi
}

# No EGL: works on any machine, with or without GL.
expect_gl_failure no-egl "libEGL" GAUSSMAP_EGL_LIBRARY=/nonexistent/libEGL.so.1 --

# --backend cpu needs no GL at all.
mkdir -p "$W/cpu"
if GAUSSMAP_EGL_LIBRARY=/nonexistent/libEGL.so.1 "$BIN" render "$SCENE" -o "$W/cpu/X.png" \
  --backend cpu --quiet 2>"$W/cpu.stderr" && [[ -s $W/cpu/X.png ]]; then
  ok "cpu backend without EGL renders"
else
  bad "cpu backend without EGL renders" "$(head -c 300 "$W/cpu.stderr")"
fi

# The default backend (auto) falls back to the CPU without EGL, and says so with --verbose.
mkdir -p "$W/auto"
if GAUSSMAP_EGL_LIBRARY=/nonexistent/libEGL.so.1 "$BIN" render "$SCENE" -o "$W/auto/X.png" \
  --verbose --quiet 2>"$W/auto.stderr" && [[ -s $W/auto/X.png ]] &&
  grep -q '^backend: cpu (auto: ' "$W/auto.stderr"; then
  ok "auto without EGL renders on the cpu: $(head -n 1 "$W/auto.stderr")"
else
  bad "auto without EGL renders on the cpu" "$(head -c 300 "$W/auto.stderr")"
fi

# The rest breaks a working GL on purpose.
mkdir -p "$W/gpu"
if ! "$BIN" render "$SCENE" -o "$W/gpu/X.png" --backend gpu --quiet 2>"$W/gpu.stderr"; then
  why=$(head -n 1 "$W/gpu.stderr")
  for c in no-driver mesa-too-old old-context shader-error out-of-memory; do
    skipped "$c" "no working GPU render here ($why)"
  done
else
  ok "gpu render works (baseline)"
  expect_gl_failure no-driver "no GL" LIBGL_DRIVERS_PATH=/nonexistent GBM_BACKENDS_PATH=/nonexistent --
  expect_gl_failure mesa-too-old "4.5" MESA_GL_VERSION_OVERRIDE=3.3 --
  expect_gl_failure old-context "too old" GAUSSMAP_GL_SIMULATE=old-context --
  expect_gl_failure shader-error "shaders/mixture.frag" GAUSSMAP_GL_SIMULATE=shader-error --
  expect_gl_failure out-of-memory "GL_OUT_OF_MEMORY" GAUSSMAP_GL_SIMULATE=out-of-memory --
fi

printf '%d passed, %d failed' "$pass" "$fail"
((skip > 0)) && printf ' (%d skipped)' "$skip"
printf '\n'
gm_finish cli "$pass" "$fail" "$skip"
