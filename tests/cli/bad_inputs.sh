#!/usr/bin/env bash
# bad_inputs.sh — runs every row of tests/bad_inputs.tsv against the gaussmap binary and checks:
# the exit status, stderr is exactly one line containing the row's substring, no stack trace or
# sanitizer report, no file left at (or clobbered at) any output path, no temp file left beside
# it, and the case finishes within GM_CASE_TIMEOUT seconds (default 10).
#   usage: bash tests/cli/bad_inputs.sh GAUSSMAP_BINARY SOURCE_DIR
# Prints one line per case, then "N passed, M failed" (plus xfail/xpass/skipped counts) and a
# "gm-tally:" line; exits 1 when any case failed, 77 when GPU rows were skipped for want of GL (a
# failure under CI=true; tests/tools/skip.sh). Needs only bash and coreutils.
set -uo pipefail
# shellcheck source=../tools/skip.sh
source "${BASH_SOURCE[0]%/*}/../tools/skip.sh"

BIN=${1:?usage: bad_inputs.sh GAUSSMAP_BINARY SOURCE_DIR}
SRC=${2:?usage: bad_inputs.sh GAUSSMAP_BINARY SOURCE_DIR}
TABLE=${GM_BAD_INPUTS_TABLE:-$SRC/tests/bad_inputs.tsv}
TIMEOUT=${GM_CASE_TIMEOUT:-10}
[[ -x $BIN ]] || { echo "bad_inputs.sh: no executable at $BIN" >&2; exit 2; }
[[ -r $TABLE ]] || { echo "bad_inputs.sh: no table at $TABLE" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gm_bad_inputs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ------------------------------------------------------------------------------------------------
# Generators: each writes the input of one case into $T (IN=$T/in.json unless it says otherwise).

gen_nul_byte() { printf '{"width": 4, "height": 4,\0 "kernels": []}' >"$T/in.json"; }
gen_bad_utf8() { printf '{"width": 4, "height": 4, "kernels": [], "\xff\xfe": 1}' >"$T/in.json"; }
gen_deep_array() { head -c 100000 /dev/zero | tr '\0' '[' >"$T/in.json"; }
gen_deep_object() {
  { printf '{"width": 4, "height": 4, "kernels": [], "view": '
    for ((i = 0; i < 1000; i++)); do printf '{"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": {"a": '; done
  } >"$T/in.json"
}
gen_million_kernels() {
  awk 'BEGIN { printf "{\"width\": 8, \"height\": 8, \"kernels\": [";
               for (i = 0; i < 1000000; i++) { if (i) printf ", ";
                 printf "{\"center\": [%d, 1], \"sigma\": [1, 1]}", i % 8 }
               print "]}" }' >"$T/in.json"
}
gen_huge_file() {  # 65 MiB of whitespace around a valid scene: over kMaxSceneBytes (64 MiB)
  { printf '{"width": 4, "height": 4, "kernels": []}'; head -c $((65 * 1024 * 1024)) /dev/zero | tr '\0' ' '; } >"$T/in.json"
}
gen_directory() { mkdir -p "$T/scene_dir.json"; IN=$T/scene_dir.json; }
gen_png_no_chunk() {  # a valid 1x1 RGBA PNG with no tEXt chunk
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89' >"$T/plain.png"
  printf '\x00\x00\x00\x0aIDAT\x78\x9c\x63\x00\x01\x00\x00\x05\x00\x01\x0d\x0a\x2d\xb4' >>"$T/plain.png"
  printf '\x00\x00\x00\x00IEND\xae\x42\x60\x82' >>"$T/plain.png"
  IN=$T/plain.png
}
gen_png_truncated() {  # the signature and half a chunk header
  printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR' >"$T/cut.png"
  IN=$T/cut.png
}
gen_existing_output() {  # a bad scene, and outputs already there that must survive
  printf '{"width": 4, "height": 4, "kernels": [{"center": [0, 0], "sigma": [8, -2]}]}' >"$T/in.json"
  printf 'precious picture\n' >"$T/out/out.png"
  printf 'precious field\n' >"$T/out/out.npy"
}
gen_existing_output_good() {  # a good scene, an existing picture, and an .npy that cannot be written
  cp "$SRC/examples/seed.json" "$T/in.json"
  printf 'precious picture\n' >"$T/out/out.png"
}

# ------------------------------------------------------------------------------------------------
# Can this machine make a GL context? Rows with --backend gpu are skipped where it cannot.
GL_OK=1
GL_WHY=""
mkdir -p "$WORK/probe"
if ! GL_WHY=$(timeout 60 "$BIN" render "$SRC/examples/seed.json" -o "$WORK/probe/p.png" --backend gpu 2>&1 >/dev/null); then
  GL_OK=0
fi

# Snapshot of an output path: "absent", "dir:<listing>" or "file" (content copied to $2).
snapshot() {
  local p=$1 copy=$2
  if [[ -d $p ]]; then
    echo "dir:$(ls -A "$p" | tr '\n' '/')"
  elif [[ -e $p || -L $p ]]; then
    cat "$p" >"$copy" 2>/dev/null  # cat, not cp: /proc files report size 0
    echo file
  else
    echo absent
  fi
}

pass=0 fail=0 xfail=0 xpass=0 skip=0
failed_names=()
printf '%-28s %-6s %-5s %7s  %s\n' CASE RESULT EXIT SECONDS DETAIL

n=0
while IFS=$'\t' read -r name input args want_rc want_msg flags || [[ -n ${name:-} ]]; do
  [[ -z $name || $name == \#* ]] && continue
  n=$((n + 1))
  T=$WORK/case$n
  mkdir -p "$T/out"
  IN=$T/in.json
  case $input in
    text:*) printf '%s' "${input#text:}" >"$T/in.json"; cp "$T/in.json" "$T/fake.png" ;;
    src:*) IN=$SRC/${input#src:} ;;
    gen:*) "gen_${input#gen:}" ;;
    -) ;;
    *) echo "bad_inputs.sh: row $name: unknown input spec '$input'" >&2; exit 2 ;;
  esac

  # Arguments: leading VAR=value words go to env; placeholders are replaced in every word.
  read -r -a words <<<"$args"
  envs=() argv=() outs=()
  for w in "${words[@]}"; do
    w=${w//@IN@/$IN}
    w=${w//@OUT@/$T/out/out.png}
    w=${w//@NPY@/$T/out/out.npy}
    w=${w//@T@/$T}
    w=${w//@SRC@/$SRC}
    if [[ ${#argv[@]} -eq 0 && $w == [A-Za-z_]*=* ]]; then envs+=("$w"); else argv+=("$w"); fi
  done
  for ((i = 0; i < ${#argv[@]}; i++)); do
    case ${argv[i]} in -o | --output | --npy) ((i + 1 < ${#argv[@]})) && outs+=("${argv[i + 1]}") ;; esac
  done

  if [[ " ${argv[*]} " == *" --backend gpu "* && $GL_OK -eq 0 && ${#envs[@]} -eq 0 ]]; then
    skip=$((skip + 1))
    printf '%-28s %-6s %-5s %7s  %s\n' "$name" SKIP - - "no GL here: $GL_WHY"
    continue
  fi

  # Snapshot every output path (and the folder it is in, for temp files).
  snaps=()
  for ((i = 0; i < ${#outs[@]}; i++)); do snaps+=("$(snapshot "${outs[i]}" "$T/snap$i")"); done

  start=$(date +%s.%N)
  env "${envs[@]}" timeout -k 5 "$TIMEOUT" "$BIN" "${argv[@]}" >"$T/stdout" 2>"$T/stderr"
  rc=$?
  secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')

  problems=()
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    problems+=("timed out after ${TIMEOUT}s")
  elif [[ $rc -ne $want_rc ]]; then
    problems+=("exit $rc, want $want_rc")
  fi
  lines=$(wc -l <"$T/stderr")
  bytes=$(wc -c <"$T/stderr")
  if [[ $lines -ne 1 || $(tail -c 1 "$T/stderr" | od -An -c | tr -d ' ') != '\n' ]]; then
    problems+=("stderr has $lines lines ($bytes bytes), want exactly 1")
  fi
  if ! grep -qF -- "$want_msg" "$T/stderr"; then
    problems+=("message lacks \"$want_msg\"")
  fi
  if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:|terminate called|Aborted|Segmentation|#[0-9]+ 0x[0-9a-f]+' "$T/stderr"; then
    problems+=("stack trace or sanitizer report")
  fi
  for ((i = 0; i < ${#outs[@]}; i++)); do
    p=${outs[i]}
    before=${snaps[i]}
    case $before in
      absent) [[ -e $p || -L $p ]] && problems+=("left a file at $p") ;;
      file) cat -- "$p" 2>/dev/null | cmp -s "$T/snap$i" - || problems+=("changed the existing file $p") ;;
      dir:*) [[ -d $p && "dir:$(ls -A "$p" | tr '\n' '/')" == "$before" ]] || problems+=("changed the folder $p") ;;
    esac
    d=$(dirname -- "$p")
    b=$(basename -- "$p")
    if [[ -d $d ]] && compgen -G "$d/.$b.tmp-*" >/dev/null; then
      problems+=("left a temp file $d/.$b.tmp-*")
    fi
  done

  msg=$(head -n 1 "$T/stderr" | cut -c 1-110)
  if [[ ${#problems[@]} -eq 0 ]]; then
    if [[ $flags == xfail:* ]]; then
      xpass=$((xpass + 1))
      printf '%-28s %-6s %-5s %7s  %s\n' "$name" XPASS "$rc" "$secs" "fixed? remove the xfail flag: $msg"
    else
      pass=$((pass + 1))
      printf '%-28s %-6s %-5s %7s  %s\n' "$name" ok "$rc" "$secs" "$msg"
    fi
  else
    detail=$(IFS=';'; echo "${problems[*]}")
    if [[ $flags == xfail:* ]]; then
      xfail=$((xfail + 1))
      printf '%-28s %-6s %-5s %7s  %s\n' "$name" XFAIL "$rc" "$secs" "known: ${flags#xfail:} [$detail]"
    else
      fail=$((fail + 1))
      failed_names+=("$name")
      printf '%-28s %-6s %-5s %7s  %s\n' "$name" FAIL "$rc" "$secs" "$detail"
      printf '    stderr: %s\n' "$(head -c 600 "$T/stderr" | tr '\n' '|')"
    fi
  fi
  rm -rf "$T"
done <"$TABLE"

echo
[[ $fail -gt 0 ]] && echo "failed: ${failed_names[*]}"
extra=""
[[ $xfail -gt 0 ]] && extra+=", $xfail known failures (xfail)"
[[ $xpass -gt 0 ]] && extra+=", $xpass unexpectedly passing (xpass)"
[[ $skip -gt 0 ]] && extra+=", $skip skipped"
echo "$pass passed, $fail failed$extra"
[[ $n -gt 0 ]] || { echo "no rows in $TABLE"; exit 1; }
gm_finish cli "$((pass + xfail + xpass))" "$fail" "$skip"
