#!/usr/bin/env bash
# output_collisions.sh — outputs that are an input or another output under another name (symlink,
# hard link, "./", "..", a symlinked folder) are refused: exit 2, one line naming both, every file
# byte-identical afterwards. An output name whose extension does not match its content (.png for
# the picture, .npy for the field) gets a warning and is written.
#   usage: bash tests/cli/output_collisions.sh GAUSSMAP_BINARY SOURCE_DIR
set -uo pipefail

BIN=${1:?usage: output_collisions.sh GAUSSMAP_BINARY SOURCE_DIR}
SRC=${2:?usage: output_collisions.sh GAUSSMAP_BINARY SOURCE_DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_collisions.XXXXXX")
trap 'rm -rf "$W"' EXIT
pass=0 fail=0

setup() {
  rm -rf "$W/c" && mkdir -p "$W/c/sub" && cd "$W/c" || exit 2
  cp "$SRC/examples/seed.json" s.json
  ln -s s.json link.json            # symlink to the scene
  ln s.json hard.json               # hard link to the scene
  ln -s sub subln                   # symlinked folder
  printf 'precious\n' >x.png
  ln x.png xhard.png
  sha256sum s.json x.png >"$W/sums"
}

# refuse NAME WANT_SUBSTRING ARGS...: exit 2, one stderr line with the substring, files unchanged.
refuse() {
  local name=$1 want=$2
  shift 2
  setup
  "$BIN" "$@" >out.txt 2>err.txt
  local rc=$? problems=()
  [[ $rc -eq 2 ]] || problems+=("exit $rc, want 2")
  [[ $(wc -l <err.txt) -eq 1 ]] || problems+=("stderr has $(wc -l <err.txt) lines")
  grep -qF -- "$want" err.txt || problems+=("message lacks \"$want\"")
  sha256sum --quiet -c "$W/sums" >/dev/null 2>&1 || problems+=("a file changed")
  compgen -G ".*.tmp-*" >/dev/null && problems+=("temp file left")
  report "$name" "$(head -n 1 err.txt)"
}

report() {
  if [[ ${#problems[@]} -eq 0 ]]; then
    pass=$((pass + 1)); printf 'ok    %-26s %s\n' "$1" "$2"
  else
    fail=$((fail + 1)); printf 'FAIL  %-26s %s [%s]\n' "$1" "$2" "$(IFS=';'; echo "${problems[*]}")"
  fi
}

refuse out_is_scene "render: -o s.json is the input SCENE s.json" render s.json -o s.json --backend cpu
refuse out_dotslash "render: -o ./s.json is the input SCENE s.json" render s.json -o ./s.json --backend cpu
refuse out_dotdot "is the input SCENE" render s.json -o sub/../s.json --backend cpu
refuse out_symlink "render: -o link.json is the input SCENE s.json" render s.json -o link.json --backend cpu
refuse in_symlink "render: -o s.json is the input SCENE link.json" render link.json -o s.json --backend cpu
refuse out_hardlink "render: -o hard.json is the input SCENE s.json" render s.json -o hard.json --backend cpu
refuse out_symlinked_dir "is the input SCENE" render sub/../s.json -o subln/../s.json --backend cpu
refuse npy_is_scene "render: --npy s.json is the input SCENE s.json" render s.json -o y.png --npy s.json --backend cpu
refuse npy_is_png "render: -o x.png and --npy x.png are the same file" render s.json -o x.png --npy x.png --backend cpu
refuse npy_hardlink_png "render: -o x.png and --npy xhard.png are the same file" render s.json -o x.png --npy xhard.png --backend cpu
refuse new_names_same "render: -o new.png and --npy ./new.png are the same file" render s.json -o new.png --npy ./new.png --backend cpu
# `view` checks its shots the same way (before it needs a display), where the viewer is built.
if "$BIN" view --help >/dev/null 2>&1; then
  refuse view_shot_scene "view: --screenshot link.json is the input SCENE s.json" view s.json --screenshot link.json
  refuse view_window_npy "view: --window-shot w.png and --npy ./w.png are the same file" view s.json --window-shot w.png --npy ./w.png
  refuse view_npy_scene "view: --npy hard.json is the input SCENE s.json" view s.json --npy hard.json
else
  echo "SKIP  view rows: this gaussmap was built without the viewer"
fi

# Mismatched extensions: written, with one warning line each.
setup
"$BIN" render s.json -o pic.npy --npy field.png --backend cpu >out.txt 2>err.txt
rc=$?
problems=()
[[ $rc -eq 0 ]] || problems+=("exit $rc, want 0")
grep -qF "warning: -o pic.npy: written as .png content; the name ends in .npy" err.txt || problems+=("no -o warning")
grep -qF "warning: --npy field.png: written as .npy content; the name ends in .png" err.txt || problems+=("no --npy warning")
[[ $(wc -l <err.txt) -eq 2 ]] || problems+=("stderr has $(wc -l <err.txt) lines, want 2")
[[ -s pic.npy && -s field.png ]] || problems+=("outputs not written")
report extension_warnings "$(tr '\n' '|' <err.txt)"
setup
"$BIN" render s.json -o OK.PNG --npy ok.npy --backend cpu >out.txt 2>err.txt
problems=()
[[ -s err.txt ]] && problems+=("stderr not empty")
report extension_case_ok "$(cat err.txt)"

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
