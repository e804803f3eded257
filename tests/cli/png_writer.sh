#!/usr/bin/env bash
# png_writer.sh — gaussmap's PNG files checked by Python's zlib and PIL, readers that share no code
# with the writer (ISA-L or zlib in bands on several threads, chunks framed by gaussmap):
#   - every chunk's CRC (binascii.crc32 over type and data), the chunk order;
#   - the IDAT payloads joined and inflated by zlib.decompressobj: one zlib stream that ends
#     exactly at the end of the last IDAT, with its Adler-32 checked, and whose rows are the
#     pixels with filter byte 0;
#   - PIL's pixels and Image.open(p).text["gaussmap"];
# for pictures written by tests/tools/png_write_tool.cpp at every level: 1 pixel, 1 row, 1 column,
# RGB and RGBA, one band, a band per row, more threads than bands; a 1600x1200 picture in many
# bands with a compressed and a plain (over 1 MiB) scene text; and `gaussmap render` at every
# level. Skipped, saying why, where /usr/bin/python3 lacks numpy or PIL.
#   usage: bash tests/cli/png_writer.sh GAUSSMAP_BINARY SOURCE_DIR PNG_WRITE_TOOL
# Ends with "N passed, M failed" and exits non-zero on any failure.
set -uo pipefail

BIN=${1:?usage: png_writer.sh GAUSSMAP_BINARY SOURCE_DIR PNG_WRITE_TOOL}
SRC=${2:?usage: png_writer.sh GAUSSMAP_BINARY SOURCE_DIR PNG_WRITE_TOOL}
TOOL=${3:?usage: png_writer.sh GAUSSMAP_BINARY SOURCE_DIR PNG_WRITE_TOOL}
W=$(mktemp -d "${TMPDIR:-/tmp}/gm_pngw.XXXXXX")
trap 'rm -rf "$W"' EXIT
PY=/usr/bin/python3

source "$SRC/tests/cli/lib/report.sh"

if ! $PY -c 'import numpy, PIL' 2>/dev/null; then
  for c in "small pictures at every level" "a large picture in many bands" "render at every level"; do
    skipped "$c" "no numpy or PIL in $PY (apt install python3-numpy python3-pil)"
  done
  tally
  exit
fi

cat >"$W/pngcheck.py" <<'PYEOF'
"""Writes pictures with the tool and checks them with zlib and PIL; one line per failure."""
import binascii, io, struct, subprocess, sys, zlib
import numpy as np
from PIL import Image

SIG = b"\x89PNG\r\n\x1a\n"


def chunks(b):
    assert b[:8] == SIG, "bad signature"
    at, out = 8, []
    while at < len(b):
        (n,) = struct.unpack(">I", b[at:at + 4])
        t, d = b[at + 4:at + 8], b[at + 8:at + 8 + n]
        (crc,) = struct.unpack(">I", b[at + 8 + n:at + 12 + n])
        assert binascii.crc32(t + d) == crc, f"bad CRC in a {t!r} chunk"
        out.append((t, d))
        at += 12 + n
    assert at == len(b), "bytes after the last chunk"
    return out


def check(path, rgba, text):
    """rgba: (h, w, 4) uint8; text: the scene text or ''."""
    b = open(path, "rb").read()
    cs = chunks(b)
    h, w = rgba.shape[:2]
    alpha = bool((rgba[..., 3] != 255).any())
    assert cs[0][0] == b"IHDR" and cs[0][1] == struct.pack(">IIBBBBB", w, h, 8, 6 if alpha else 2, 0, 0, 0), cs[0]
    assert cs[-1] == (b"IEND", b""), cs[-1][0]
    i = 1
    if text:
        t, d = cs[1]
        assert t == b"iTXt" and d.startswith(b"gaussmap\0"), t
        flag, body = d[9], d[13:]
        got = zlib.decompress(body) if flag else body
        assert got == text.encode(), "scene text differs"
        i = 2
    types = [t for t, _ in cs[i:-1]]
    assert types and all(t == b"IDAT" for t in types), types
    idat = b"".join(d for _, d in cs[i:-1])
    z = zlib.decompressobj()
    rows = z.decompress(idat)  # checks the Adler-32 at the end of the stream
    assert z.eof, "the zlib stream does not end (no final block)"
    assert z.unused_data == b"", f"{len(z.unused_data)} bytes after the end of the zlib stream"
    assert zlib.decompress(idat) == rows
    px = rgba if alpha else rgba[..., :3]
    want = b"".join(b"\0" + px[y].tobytes() for y in range(h))
    assert rows == want, f"rows differ ({len(rows)} bytes, want {len(want)})"
    im = Image.open(io.BytesIO(b))
    im.load()
    assert im.mode == ("RGBA" if alpha else "RGB"), im.mode
    assert np.array_equal(np.asarray(im), px), "PIL's pixels differ"
    if text:
        assert im.text["gaussmap"] == text, "PIL's text differs"
    return len(types)


def picture(w, h, alpha, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    px = np.zeros((h, w, 4), np.uint8)
    px[..., 0], px[..., 1], px[..., 2] = x // 5 % 256, y // 2 % 256, 200
    noise = (x // 7 + y // 3) % 3 == 0
    px[noise, :3] = rng.integers(0, 256, (int(noise.sum()), 3), dtype=np.uint8)
    px[..., 3] = 254 - (x + y) % 5 if alpha else 255
    return px


def write(tool, d, px, level, threads, band_rows, text):
    h, w = px.shape[:2]
    open(f"{d}/px.rgba", "wb").write(px.tobytes())
    tf = "-"
    if text:
        tf = f"{d}/text.json"
        open(tf, "w").write(text)
    out = f"{d}/out.png"
    subprocess.run([tool, f"{d}/px.rgba", str(w), str(h), str(level), str(threads),
                    str(band_rows), tf, out], check=True)
    return out


def main():
    tool, d, what = sys.argv[1:4]
    failures = 0
    scene = '{"width": 3, "height": 2, "kernels": []}'
    cases = []
    if what == "small":
        for level in range(10):
            for w, h in [(1, 1), (1, 9), (13, 1), (97, 40)]:
                for alpha in (False, True):
                    for threads, band_rows in [(1, 0), (3, 1), (8, 4)]:
                        cases.append((w, h, alpha, level, threads, band_rows, scene if (w + h) % 2 else ""))
    else:
        big = '{"kernels": [' + ", ".join(f'{{"center": [{i}, {i % 7}], "sigma": 2}}' for i in range(40000)) + "]}"
        small = big[:300000] + "]}"
        for level in (0, 1, 2, 3, 6):
            cases.append((1600, 1200, False, level, 4, 0, small))
        cases.append((1600, 1200, True, 2, 3, 7, big))
    for w, h, alpha, level, threads, band_rows, text in cases:
        px = picture(w, h, alpha, w * 31 + h)
        try:
            n = check(write(tool, d, px, level, threads, band_rows, text), px, text)
            if band_rows:
                assert n == (h + band_rows - 1) // band_rows, f"{n} IDAT chunks"
            if what != "small":
                print(f"{w}x{h} level {level}: {n} IDAT chunks, text {len(text)} bytes: ok")
        except Exception as e:
            failures += 1
            print(f"{w}x{h} alpha={alpha} level={level} threads={threads} band_rows={band_rows}: {e}")
    print(f"{len(cases)} pictures, {failures} failed")
    sys.exit(1 if failures else 0)


main()
PYEOF

check "small pictures at every level (1 pixel, 1 row, 1 column, RGB, RGBA, bands)" \
  $PY "$W/pngcheck.py" "$TOOL" "$W" small
check "a large picture in many bands, compressed and plain scene text" \
  $PY "$W/pngcheck.py" "$TOOL" "$W" large

render_levels() {
  for level in 0 1 2 3 4 5 6 7 8 9; do
    "$BIN" render "$SRC/examples/seed.json" -o "$W/r$level.png" --png-level "$level" --backend cpu --quiet ||
      return 1
  done
  $PY - "$W" <<'PYEOF' || return 1
import binascii, io, struct, sys, zlib
import numpy as np
from PIL import Image
d = sys.argv[1]
ref = None
for level in range(10):
    b = open(f"{d}/r{level}.png", "rb").read()
    at, idat = 8, b""
    while at < len(b):
        (n,) = struct.unpack(">I", b[at:at + 4])
        t, data = b[at + 4:at + 8], b[at + 8:at + 8 + n]
        assert binascii.crc32(t + data) == struct.unpack(">I", b[at + 8 + n:at + 12 + n])[0], t
        idat += data if t == b"IDAT" else b""
        at += 12 + n
    z = zlib.decompressobj()
    rows = z.decompress(idat)
    assert z.eof and not z.unused_data, level
    im = Image.open(io.BytesIO(b))
    px = np.asarray(im)
    assert rows == b"".join(b"\0" + r.tobytes() for r in px), level
    assert "kernels" in im.text["gaussmap"], level
    ref = px if ref is None else ref
    assert np.array_equal(px, ref), f"level {level}: other pixels"
PYEOF
}
check "gaussmap render at every level: CRCs, zlib stream and PIL" render_levels

tally
