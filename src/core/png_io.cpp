// png_io.cpp — PNG writing and reading through libspng (Debian's libspng0).
//
// Writing: progressive encoding, one row at a time, so an opaque RGBA image is written as RGB
// without a converted copy of the whole picture (a quarter less to compress). The encoded bytes
// stream into the output through a 1 MiB buffer. Pixels: zlib level PngOptions::level, default
// strategy, no row filter (measured: for colormapped heat maps the filters cost time and do not
// make the file smaller; docs/performance.md). The scene JSON goes into an iTXt
// chunk (UTF-8, as JSON is) before the pixels, compressed up to 1 MiB of JSON and stored plain
// above that: PIL refuses to inflate a text chunk past 1 MiB (PngImagePlugin.MAX_TEXT_CHUNK, its
// decompression-bomb guard) and then fails Image.open itself, while plain text has no such limit.
//
// Reading: libspng with its chunk limits set (libspng applies the per-chunk limit to a text chunk's
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

// --- writing

// Largest scene text written compressed: PIL's limit on an inflated text chunk (1 MiB).
constexpr std::size_t kMaxCompressedSceneText = 1u << 20;

// Where libspng's output goes: a string, or an AtomicFile through a buffer. Exceptions cannot
// cross libspng's C frames: they are kept here and rethrown after the call returns.
class Sink {
 public:
  explicit Sink(std::string* to) : str_(to) {}
  explicit Sink(AtomicFile* to) : file_(to) { buf_.reserve(kBuffer); }

  static int write_fn(spng_ctx*, void* user, void* data, std::size_t len) {
    auto* self = static_cast<Sink*>(user);
    try {
      self->put(static_cast<const char*>(data), len);
      return 0;
    } catch (...) {
      self->error_ = std::current_exception();
      return SPNG_IO_ERROR;
    }
  }
  void flush() {
    if (file_ && !buf_.empty()) file_->write(buf_);
    buf_.clear();
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static constexpr std::size_t kBuffer = 1u << 20;
  void put(const char* p, std::size_t n) {
    if (str_) {
      str_->append(p, n);
      return;
    }
    if (buf_.size() + n > kBuffer) flush();
    if (n >= kBuffer)
      file_->write(p, n);
    else
      buf_.append(p, n);
  }
  std::string* str_ = nullptr;
  AtomicFile* file_ = nullptr;
  std::string buf_;
  std::exception_ptr error_;
};

void check_image(const Image& img) {
  if (img.width < 1 || img.height < 1 ||
      img.rgba.size() != std::size_t(img.width) * std::size_t(img.height) * 4)
    throw Error("png: image is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                " with " + std::to_string(img.rgba.size()) + " bytes of RGBA (expected 4*W*H)");
}

bool all_opaque(const Image& img) {
  const std::uint8_t* p = img.rgba.data();
  const std::size_t n = img.rgba.size();
  std::uint8_t all = 0xff;
  for (std::size_t i = 3; i < n; i += 4) all &= p[i];
  return all == 0xff;
}

void encode_into(Sink& sink, const Image& img, const std::string& scene_json,
                 const PngOptions& opt) {
  check_image(img);
  if (scene_json.find('\0') != std::string::npos)
    throw InputError("png: scene text contains a NUL byte");
  if (opt.level < 0 || opt.level > 9)
    throw InputError("png: compression level must be 0..9, got " + std::to_string(opt.level));
  const bool opaque = all_opaque(img);
  Ctx ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) throw std::bad_alloc();
  auto check = [&](int rc, const char* what) {
    if (rc == 0 || rc == SPNG_EOI) return;
    sink.rethrow();  // an I/O error of the output, with its own message
    throw Error(std::string("png: ") + what + ": " + spng_strerror(rc));
  };
  check(spng_set_png_stream(ctx.get(), &Sink::write_fn, &sink), "output");
  check(spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, opt.level), "level");
  // No row filter: on colormapped pictures and window shots the filters cost time at every level
  // and leave the file as large or larger (docs/performance.md).
  check(spng_set_option(ctx.get(), SPNG_FILTER_CHOICE, SPNG_FILTER_CHOICE_NONE), "filter");
  // The scene text (at most 1 MiB when compressed) is small next to the pixels.
  check(spng_set_option(ctx.get(), SPNG_TEXT_COMPRESSION_LEVEL, std::max(opt.level, 3)),
        "text level");
  spng_ihdr ihdr{};
  ihdr.width = std::uint32_t(img.width), ihdr.height = std::uint32_t(img.height);
  ihdr.bit_depth = 8;
  ihdr.color_type = opaque ? SPNG_COLOR_TYPE_TRUECOLOR : SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  check(spng_set_ihdr(ctx.get(), &ihdr), "header");
  // libspng keeps the text's pointers until the chunk is written (spng_encode_image), so what they
  // point at lives as long as the encoder.
  char empty[1] = {0};
  if (!scene_json.empty()) {
    spng_text text{};
    std::memcpy(text.keyword, "gaussmap", 9);
    text.type = SPNG_ITXT;
    text.compression_flag = scene_json.size() <= kMaxCompressedSceneText ? 1 : 0;
    text.compression_method = 0;
    text.language_tag = empty;
    text.translated_keyword = empty;
    text.text = const_cast<char*>(scene_json.data());
    text.length = scene_json.size();
    check(spng_set_text(ctx.get(), &text, 1), "scene text");
  }
  check(spng_encode_image(ctx.get(), nullptr, 0, SPNG_FMT_PNG,
                          SPNG_ENCODE_PROGRESSIVE | SPNG_ENCODE_FINALIZE),
        "encode");
  const std::size_t w = std::size_t(img.width);
  std::vector<std::uint8_t> rgb(opaque ? 3 * w : 0);
  for (int y = 0; y < img.height; ++y) {
    const std::uint8_t* row = img.rgba.data() + std::size_t(y) * 4 * w;
    int rc = 0;
    if (opaque) {
      for (std::size_t x = 0; x < w; ++x) {
        rgb[3 * x + 0] = row[4 * x + 0];
        rgb[3 * x + 1] = row[4 * x + 1];
        rgb[3 * x + 2] = row[4 * x + 2];
      }
      rc = spng_encode_row(ctx.get(), rgb.data(), rgb.size());
    } else {
      rc = spng_encode_row(ctx.get(), row, 4 * w);
    }
    check(rc, "encode");
  }
  sink.flush();
}

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

std::string encode_png(const Image& img, const std::string& scene_json, const PngOptions& options) {
  std::string out;
  out.reserve(img.rgba.size() / 4 + scene_json.size() / 4 + 1024);
  Sink sink(&out);
  encode_into(sink, img, scene_json, options);
  return out;
}

void write_png(AtomicFile& out, const Image& img, const std::string& scene_json,
               const PngOptions& options) {
  Sink sink(&out);
  encode_into(sink, img, scene_json, options);
}

void write_png(const std::string& path, const Image& img, const std::string& scene_json,
               const PngOptions& options) {
  AtomicFile out(path);
  write_png(out, img, scene_json, options);
  out.commit();
}

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
