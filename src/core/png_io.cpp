// png_io.cpp — PNG reading through libspng (Debian's libspng0); writing is png_write.cpp.
//
// libspng with its chunk limits set (libspng applies the per-chunk limit to a text chunk's
// decompressed size too, so a small zTXt cannot inflate past it), CRC errors fatal, image size
// checked against Limits before any pixel memory is allocated. libspng reads the chunks up to the
// first IDAT; only when no "gaussmap" text is there is the image decoded (rows discarded) to reach
// the chunks after it.
#include "png_io.hpp"

#include <spng.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string_view>

#include "errors.hpp"
#include "scene_io.hpp"

namespace gm {

namespace {

[[noreturn]] void png_fail(const std::string& msg) {
  throw InputError("png: " + msg);
}

struct CtxFree {
  void operator()(spng_ctx* c) const { spng_ctx_free(c); }
};
using Ctx = std::unique_ptr<spng_ctx, CtxFree>;

constexpr unsigned char kPngSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

// Read limit for a .png: the largest picture we write, plus its scene text, with room to spare.
constexpr long long kMaxPngBytes = Limits::kMaxPixels * 5 + 2 * Limits::kMaxSceneBytes;
// Largest chunk read, stored or decompressed, and largest total of the chunks libspng keeps.
// libspng inflates text into a buffer that doubles from 8 KiB and must stay within this limit, so
// a scene at its limit needs room for 2 * kMaxSceneBytes; the extra MiB covers the compressed
// chunks already kept. A scene just over its limit gets its own message (find_scene).
constexpr std::size_t kMaxChunkBytes = 2 * std::size_t(Limits::kMaxSceneBytes) + (1u << 20);

// --- reading

// Maps a libspng error to the one-line message of an InputError.
[[noreturn]] void read_failed(int rc, bool image_done) {
  switch (rc) {
    case SPNG_IO_EOF:
    case SPNG_EOF:
      png_fail(image_done ? "truncated file (no IEND chunk)"
                          : "truncated file (a chunk runs past the end)");
    case SPNG_ECHUNK_CRC:
      png_fail("bad CRC (a chunk is corrupt)");
    case SPNG_ECHUNK_LIMITS:
      png_fail("a chunk is over the limit of " + std::to_string(kMaxChunkBytes) +
               " bytes (stored or decompressed)");
    case SPNG_ESIGNATURE:
      png_fail("not a PNG file (bad signature)");
    default:
      png_fail(std::string("cannot decode: ") + spng_strerror(rc));
  }
}

Ctx reader() {
  Ctx ctx(spng_ctx_new(0));
  if (!ctx) throw std::bad_alloc();
  spng_set_crc_action(ctx.get(), SPNG_CRC_ERROR, SPNG_CRC_ERROR);
  spng_set_chunk_limits(ctx.get(), kMaxChunkBytes, kMaxChunkBytes);
  return ctx;
}

void check_signature(std::string_view head) {
  if (head.size() < 8 || std::memcmp(head.data(), kPngSig, 8) != 0)
    png_fail("not a PNG file (bad signature)");
}

std::optional<std::string> find_scene(spng_ctx* ctx) {
  std::uint32_t n = 0;
  int rc = spng_get_text(ctx, nullptr, &n);
  if (rc == SPNG_ECHUNKAVAIL || n == 0) return std::nullopt;
  if (rc != 0) read_failed(rc, false);
  std::vector<spng_text> texts(n);
  rc = spng_get_text(ctx, texts.data(), &n);
  if (rc != 0) read_failed(rc, false);
  for (const spng_text& t : texts) {
    if (std::strcmp(t.keyword, "gaussmap") != 0) continue;
    if (t.length > std::size_t(Limits::kMaxSceneBytes))
      png_fail("gaussmap text is " + std::to_string(t.length) + " bytes, over the limit of " +
               std::to_string(Limits::kMaxSceneBytes));
    return std::string(t.text, t.length);
  }
  return std::nullopt;
}

// The "gaussmap" text of the PNG that `ctx` reads (a buffer or a file).
std::optional<std::string> scene_text(spng_ctx* ctx) {
  int rc = spng_decode_chunks(ctx);  // up to the first IDAT
  if (rc != 0) read_failed(rc, false);
  if (auto t = find_scene(ctx)) return t;
  // Not before the pixels: read through them (rows discarded) to the chunks after, up to IEND.
  std::size_t row_bytes = 0;
  rc = spng_decoded_image_size(ctx, SPNG_FMT_PNG, &row_bytes);
  if (rc != 0) read_failed(rc, false);
  spng_ihdr ihdr{};
  if ((rc = spng_get_ihdr(ctx, &ihdr)) != 0) read_failed(rc, false);
  row_bytes /= std::max<std::uint32_t>(ihdr.height, 1);
  rc = spng_decode_image(ctx, nullptr, 0, SPNG_FMT_PNG, SPNG_DECODE_PROGRESSIVE);
  if (rc != 0) read_failed(rc, false);
  std::vector<unsigned char> row(row_bytes);
  do {
    rc = spng_decode_row(ctx, row.data(), row.size());
  } while (rc == 0);
  if (rc != SPNG_EOI) read_failed(rc, false);
  rc = spng_decode_chunks(ctx);
  if (rc != 0) read_failed(rc, true);
  return find_scene(ctx);
}

}  // namespace

Image decode_png(const std::string& bytes) {
  check_signature(bytes);
  if (bytes.size() < 33 || bytes.compare(12, 4, "IHDR") != 0) png_fail("missing IHDR chunk");
  Ctx ctx = reader();
  int rc = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
  if (rc != 0) read_failed(rc, false);
  spng_ihdr ihdr{};
  if ((rc = spng_get_ihdr(ctx.get(), &ihdr)) != 0) read_failed(rc, false);
  // Refuse huge dimensions before any pixel memory is allocated.
  const std::uint32_t w = ihdr.width, h = ihdr.height;
  if (w < 1 || h < 1 || w > std::uint32_t(Limits::kMaxSide) ||
      h > std::uint32_t(Limits::kMaxSide) || static_cast<long long>(w) * h > Limits::kMaxPixels)
    png_fail("image size " + std::to_string(w) + "x" + std::to_string(h) +
             " is empty or over the limits (kMaxSide " + std::to_string(Limits::kMaxSide) +
             ", kMaxPixels " + std::to_string(Limits::kMaxPixels) + ")");
  std::size_t size = 0;
  if ((rc = spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &size)) != 0) read_failed(rc, false);
  Image img;
  img.width = int(w), img.height = int(h);
  img.rgba.resize(size);
  rc = spng_decode_image(ctx.get(), img.rgba.data(), size, SPNG_FMT_RGBA8, SPNG_DECODE_TRNS);
  if (rc != 0) read_failed(rc, false);
  return img;
}

std::optional<std::string> png_scene_text(const std::string& bytes) {
  check_signature(bytes);
  Ctx ctx = reader();
  int rc = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
  if (rc != 0) read_failed(rc, false);
  return scene_text(ctx.get());
}

std::optional<std::string> read_png_scene(const std::string& path) {
  // Streamed from the file: a scene before the pixels is found without reading them.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rbe"), &std::fclose);
  if (!f) throw IoError("cannot read \"" + path + "\": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(::fileno(f.get()), &st) != 0)
    throw IoError("cannot read \"" + path + "\": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError("cannot read \"" + path + "\": " + std::strerror(EISDIR));
  if (S_ISREG(st.st_mode) && st.st_size > kMaxPngBytes)
    throw InputError("\"" + path + "\": file is " + std::to_string(st.st_size) +
                     " bytes, over the limit of " + std::to_string(kMaxPngBytes) + " bytes");
  char head[8] = {};
  std::size_t got = std::fread(head, 1, 8, f.get());
  check_signature(std::string_view(head, got));
  std::rewind(f.get());
  Ctx ctx = reader();
  int rc = spng_set_png_file(ctx.get(), f.get());
  if (rc != 0) read_failed(rc, false);
  return scene_text(ctx.get());
}

}  // namespace gm
