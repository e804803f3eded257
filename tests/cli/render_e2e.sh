#!/usr/bin/env bash
# render_e2e.sh — the `gaussmap` command end to end, as a user runs it:
#   - every examples/*.json renders with --backend cpu and --backend gpu, writing both files;
#   - the .npy is a v1.0 '<f4' C-order (H, W) array of the right size (header checked with od);
#   - the .png has the PNG signature, the scene's size in IHDR and the "gaussmap" iTXt chunk
#     (compressed: flag byte 1), and
#     re-rendering the .png (its embedded scene) gives a byte-identical .npy (same backend);
#   - --size WxH sets the size of both files; --help of each command and --version exit 0;
#   - failing writes: into a missing folder (no file left), onto an existing file that cannot be
#     written (EFBIG under `ulimit -f`: the old file stays, no temp file left), and a process
#     killed mid-write (SIGXFSZ: the old file stays, only a hidden temp file may remain);
#   - a successful write over an existing file keeps that file's permission bits.
#   usage: bash tests/cli/render_e2e.sh GAUSSMAP_BINARY SOURCE_DIR
# GPU rows are skipped (saying why) where no GL context can be made: the script then exits 77 (a
# reported skip), or fails under CI=true (tests/tools/skip.sh). Ends with "N passed, M failed" and a
# "gm-tally:" line; exits 1 on any failure. Needs only bash and coreutils (no Python).
set -uo pipefail
# shellcheck source=../tools/skip.sh
source "${BASH_SOURCE[0]%/*}/../tools/skip.sh"

BIN=${1:?usage: render_e2e.sh GAUSSMAP_BINARY SOURCE_DIR}
SRC=${2:?usage: render_e2e.sh GAUSSMAP_BINARY SOURCE_DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_e2e.XXXXXX")
trap 'rm -rf "$W"' EXIT

pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); printf 'ok    %s\n' "$1"; }
bad() { fail=$((fail + 1)); printf 'FAIL  %s: %s\n' "$1" "$2"; }
skipped() { skip=$((skip + 1)); printf 'skip  %s: %s\n' "$1" "$2"; }
check() {  # check NAME COMMAND...: ok when the command succeeds
  local name=$1; shift
  local why
  if why=$("$@" 2>&1); then ok "$name"; else bad "$name" "${why:-failed}"; fi
}

# Bytes [off, off+n) of a file as unsigned decimals, space-separated.
bytes_at() { od -An -tu1 -j "$2" -N "$3" "$1" | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }

# npy_ok FILE H W: a v1.0 '<f4' C-order (H, W) .npy of exactly the right size.
npy_ok() {
  local f=$1 h=$2 w=$3
  [[ -s $f ]] || { echo "$f missing or empty"; return 1; }
  [[ $(bytes_at "$f" 0 8) == "147 78 85 77 80 89 1 0" ]] || { echo "$f: bad magic/version: $(bytes_at "$f" 0 8)"; return 1; }
  local lo hi hlen header size want
  read -r lo hi <<<"$(bytes_at "$f" 8 2)"
  hlen=$((lo + 256 * hi))
  header=$(head -c $((10 + hlen)) "$f" | tail -c "$hlen")
  [[ $header == *"'descr': '<f4'"* ]] || { echo "$f: descr not '<f4': $header"; return 1; }
  [[ $header == *"'fortran_order': False"* ]] || { echo "$f: not C order: $header"; return 1; }
  [[ $header == *"'shape': ($h, $w)"* ]] || { echo "$f: shape is not ($h, $w): $header"; return 1; }
  (((10 + hlen) % 64 == 0)) || { echo "$f: data not 64-byte aligned (header $hlen)"; return 1; }
  size=$(stat -c %s "$f")
  want=$((10 + hlen + 4 * h * w))
  ((size == want)) || { echo "$f: $size bytes, want $want"; return 1; }
}

# png_ok FILE W H: PNG signature, IHDR W x H, a compressed "gaussmap" iTXt chunk right after IHDR.
png_ok() {
  local f=$1 w=$2 h=$3 d
  [[ -s $f ]] || { echo "$f missing or empty"; return 1; }
  [[ $(bytes_at "$f" 0 8) == "137 80 78 71 13 10 26 10" ]] || { echo "$f: no PNG signature"; return 1; }
  [[ $(head -c 16 "$f" | tail -c 4) == IHDR ]] || { echo "$f: first chunk is not IHDR"; return 1; }
  read -r -a d <<<"$(bytes_at "$f" 16 8)"
  local pw=$(((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]))
  local ph=$(((d[4] << 24) | (d[5] << 16) | (d[6] << 8) | d[7]))
  ((pw == w && ph == h)) || { echo "$f: IHDR ${pw}x${ph}, want ${w}x${h}"; return 1; }
  [[ $(head -c 49 "$f" | tail -c 12) == iTXtgaussmap ]] || { echo "$f: no gaussmap iTXt chunk"; return 1; }
  [[ $(bytes_at "$f" 50 2) == "1 0" ]] || { echo "$f: gaussmap iTXt not compressed"; return 1; }
}

# json_int FILE KEY: the first integer value of "KEY" in a scene file.
json_int() { grep -o "\"$2\" *: *[0-9]*" "$1" | head -n 1 | grep -o '[0-9]*$'; }

run() {  # run LOG COMMAND...: the command's output goes to LOG
  local log=$1; shift
  "$@" >"$log" 2>&1
}

# ------------------------------------------------------------------------------------------------
GL_OK=1 GL_WHY=""
if ! GL_WHY=$(timeout 60 "$BIN" render "$SRC/examples/seed.json" -o "$W/probe.png" --backend gpu 2>&1 >/dev/null); then
  GL_OK=0
fi

# --- every example, both backends
for scene in "$SRC"/examples/*.json; do
  name=$(basename "$scene" .json)
  sw=$(json_int "$scene" width)
  sh=$(json_int "$scene" height)
  for backend in cpu gpu; do
    tag="$name/$backend"
    if [[ $backend == gpu && $GL_OK -eq 0 ]]; then skipped "$tag" "no GL here: $GL_WHY"; continue; fi
    out=$W/$name.$backend
    if ! run "$out.log" timeout 120 "$BIN" render "$scene" -o "$out.png" --npy "$out.npy" --backend "$backend"; then
      bad "$tag render" "exit $?: $(head -c 300 "$out.log")"
      continue
    fi
    check "$tag npy" npy_ok "$out.npy" "$sh" "$sw"
    check "$tag png" png_ok "$out.png" "$sw" "$sh"
    # The picture carries its scene: rendering the picture gives the same field, bit for bit.
    if run "$out.2.log" timeout 120 "$BIN" render "$out.png" -o "$out.2.png" --npy "$out.2.npy" --backend "$backend"; then
      check "$tag png re-renders to the same .npy" cmp "$out.npy" "$out.2.npy"
    else
      bad "$tag png re-render" "$(head -c 300 "$out.2.log")"
    fi
  done
done

# --- --size
seed=$SRC/examples/seed.json
if run "$W/size.log" "$BIN" render "$seed" -o "$W/size.png" --npy "$W/size.npy" --backend cpu --size 64x48; then
  check "--size 64x48 npy" npy_ok "$W/size.npy" 48 64
  check "--size 64x48 png" png_ok "$W/size.png" 64 48
else
  bad "--size 64x48" "$(cat "$W/size.log")"
fi

# --- --help of each command, --version
for cmd in "" render verify bench view; do
  # shellcheck disable=SC2086
  if timeout 20 "$BIN" $cmd --help >"$W/help.txt" 2>&1 && [[ -s $W/help.txt ]]; then
    ok "gaussmap ${cmd:+$cmd }--help"
  else
    bad "gaussmap ${cmd:+$cmd }--help" "exit $? or no text"
  fi
done
if timeout 20 "$BIN" --version >"$W/version.txt" 2>&1 && grep -qE '^gaussmap [0-9]+\.[0-9]+' "$W/version.txt"; then
  ok "gaussmap --version ($(cat "$W/version.txt"))"
else
  bad "gaussmap --version" "$(cat "$W/version.txt")"
fi

# --- failing writes
mkdir -p "$W/fw"
"$BIN" render "$seed" -o "$W/fw/missing/out.png" --npy "$W/fw/missing/out.npy" --backend cpu >/dev/null 2>"$W/fw.err"
rc=$?
if [[ $rc -eq 1 && ! -e $W/fw/missing && $(wc -l <"$W/fw.err") -eq 1 ]]; then
  ok "write into a missing folder: exit 1, one line, nothing created"
else
  bad "write into a missing folder" "exit $rc, $(cat "$W/fw.err")"
fi

printf 'precious field\n' >"$W/fw/keep.npy"
cp "$W/fw/keep.npy" "$W/fw/keep.orig"
# File-size limit with SIGXFSZ ignored: write(2) fails with EFBIG, gaussmap reports it.
(trap '' XFSZ; ulimit -f 16; exec "$BIN" render "$seed" --npy "$W/fw/keep.npy" --backend cpu) >/dev/null 2>"$W/fw.err"
rc=$?
if [[ $rc -eq 1 ]] && cmp -s "$W/fw/keep.npy" "$W/fw/keep.orig" && ! compgen -G "$W/fw/.keep.npy.tmp-*" >/dev/null &&
  [[ $(wc -l <"$W/fw.err") -eq 1 ]]; then
  ok "write failing with EFBIG: exit 1, existing file unchanged, no temp file ($(cut -c 1-60 "$W/fw.err"))"
else
  bad "write failing with EFBIG" "exit $rc, $(cat "$W/fw.err"), $(ls -A "$W/fw" | tr '\n' ' ')"
fi
# The same limit with the default SIGXFSZ: the process dies mid-write, like a crash or kill -9.
{ (ulimit -f 16; exec "$BIN" render "$seed" --npy "$W/fw/keep.npy" --backend cpu) >/dev/null 2>&1; } 2>/dev/null
rc=$?
if [[ $rc -ne 0 ]] && cmp -s "$W/fw/keep.npy" "$W/fw/keep.orig"; then
  ok "process killed mid-write (exit $rc): existing file unchanged"
else
  bad "process killed mid-write" "exit $rc, existing file changed"
fi
rm -f "$W"/fw/.keep.npy.tmp-*  # a killed process cannot clean up; the temp name is hidden

# --- a successful write over an existing file keeps its permission bits
printf 'old\n' >"$W/fw/mode.png"
chmod 640 "$W/fw/mode.png"
if "$BIN" render "$seed" -o "$W/fw/mode.png" --backend cpu --quiet >/dev/null 2>&1 &&
  [[ $(stat -c %a "$W/fw/mode.png") == 640 ]] && png_ok "$W/fw/mode.png" 640 480 >/dev/null; then
  ok "overwrite keeps mode 640"
else
  bad "overwrite keeps mode 640" "mode $(stat -c %a "$W/fw/mode.png" 2>/dev/null)"
fi

echo
extra=""
[[ $skip -gt 0 ]] && extra=", $skip skipped"
echo "$pass passed, $fail failed$extra"
gm_finish cli "$pass" "$fail" "$skip"
