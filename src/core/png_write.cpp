// png_write.cpp — writing a PNG: the chunks framed here (signature, IHDR, iTXt "gaussmap", IDAT,
// IEND; CRCs with zlib's crc32) and the pixels compressed in bands of rows on all cores
// (deflate_band.hpp: one zlib stream made of independent raw deflate bands, as pigz makes one).
// Why not libspng's encoder: it compresses the whole picture in one stream on one core
// (png_io.hpp has the numbers).
//
// Layout: each band of rows is one IDAT chunk (filter byte 0, "None", before every row: on
// colormapped pictures and window shots the row filters cost time at every level and leave the
// file as large or larger, docs/performance.md); the first IDAT opens with the zlib header, the
// last one ends with the Adler-32 of all the rows. An opaque RGBA Image is written as RGB (a
// quarter less to compress), converted band by band. The scene JSON goes into an iTXt chunk (UTF-8,
// as JSON is) before the pixels, compressed up to 1 MiB of JSON and stored plain above that: PIL
// refuses to inflate a text chunk past 1 MiB (PngImagePlugin.MAX_TEXT_CHUNK, its decompression-bomb
// guard) and then fails Image.open itself, while plain text has no such limit. The text is one
// more task for the threads, compressed while they compress the first bands.
//
// Threads take the tasks (text, band 0, band 1, ...) in order; the calling thread also writes the
// finished ones to the output in order, so at most a few bands per thread are held at once: a
// window of tasks beyond the last one written bounds the memory.
#include <zlib.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "deflate_band.hpp"
#include "errors.hpp"
#include "png_io.hpp"

namespace gm {

namespace {

constexpr unsigned char kPngSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

// Largest scene text written compressed: PIL's limit on an inflated text chunk (1 MiB).
constexpr std::size_t kMaxCompressedSceneText = 1u << 20;
// Pixels (with their filter bytes) per band when the caller leaves it open: large enough that a
// band's fresh dictionary costs about 1% of the file, small enough to share a 2 MB picture among
// the cores. A smaller picture is cut into one band per thread, each at least min_band_bytes: a
// band should take a few tenths of a millisecond, far more than handing it to a thread.
constexpr std::size_t kBandBytes = 512u << 10;
std::size_t min_band_bytes(DeflateCoder c) {
  if (c.kind == DeflateCoder::Kind::isal) return 512u << 10;  // about 0.8 ms at level 2 here
  return c.level == 0 ? std::size_t(1) << 20 : 64u << 10;     // stored: copies and checksums
}
// A scene text from this size on is worth a thread of its own while the first bands compress.
constexpr std::size_t kTextTaskBytes = 64u << 10;
// Largest band: ISA-L and zlib take 32-bit input lengths.
constexpr std::size_t kMaxBandBytes = 1u << 30;
// Tasks compressed ahead of the last one written, per thread.
constexpr std::size_t kWindowPerThread = 3;

void put_be32(std::string& s, std::uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  s.append(b, 4);
}

std::uint32_t crc_of(std::uint32_t crc, const std::string& s, std::size_t from) {
  // zlib's crc32 takes a 32-bit length: a chunk is at most 2^31 - 1 bytes.
  return std::uint32_t(
      crc32(crc, reinterpret_cast<const Bytef*>(s.data() + from), uInt(s.size() - from)));
}

// A whole chunk: length, type, data, CRC of type and data.
std::string chunk(const char type[4], const std::string& data) {
  std::string c;
  c.reserve(data.size() + 12);
  put_be32(c, std::uint32_t(data.size()));
  c.append(type, 4);
  c += data;
  put_be32(c, crc_of(0, c, 4));
  return c;
}

// Where the PNG goes: a string, or an AtomicFile (small chunks gathered into writes of at least
// 64 KiB, larger bands written as they come).
class Sink {
 public:
  explicit Sink(std::string* to) : str_(to) {}
  explicit Sink(AtomicFile* to) : file_(to) {}

  void put(const std::string& s) {
    if (str_) {
      str_->append(s);
    } else if (s.size() < kSmall) {
      buf_ += s;
      if (buf_.size() >= kSmall) flush();
    } else {
      flush();
      file_->write(s);
    }
  }
  void flush() {
    if (file_ && !buf_.empty()) file_->write(buf_);
    buf_.clear();
  }

 private:
  static constexpr std::size_t kSmall = 64u << 10;
  std::string* str_ = nullptr;
  AtomicFile* file_ = nullptr;
  std::string buf_;
};

// One finished task: a whole chunk (the text), or a band's IDAT chunk without its length and CRC
// (4 bytes left for the length, then "IDAT" and the deflate data), the CRC so far, the band's
// Adler-32 and its uncompressed size.
struct Piece {
  std::string bytes;
  std::uint32_t crc = 0, adler = 1;
  std::size_t raw = 0;
};

// The iTXt chunk of the scene: keyword, compression flag and method, empty language tag and
// translated keyword, then the text (a complete zlib stream when compressed).
std::string scene_chunk(const std::string& json, int level) {
  const bool compress = json.size() <= kMaxCompressedSceneText;
  std::string data("gaussmap\0", 9);
  data += compress ? '\1' : '\0';
  data.append(3, '\0');  // method 0 (deflate), language tag "", translated keyword ""
  if (!compress) {
    data += json;
    return chunk("iTXt", data);
  }
  // Level 0 stores the pixels; the text is still compressed (fast: ISA-L level 1).
  const int text_level = std::max(level, 1);
  BandDeflater deflater(deflate_coder(text_level, json.size()));
  const auto* in = reinterpret_cast<const std::uint8_t*>(json.data());
  data += zlib_header(text_level);
  deflater.deflate(in, json.size(), true, data);
  put_be32(data, adler32_of(1, in, json.size()));
  return chunk("iTXt", data);
}

class Encoder {
 public:
  Encoder(Sink& sink, const PngRows& px, const std::string& scene_json, const PngOptions& opt)
      : sink_(sink), px_(px), json_(scene_json), level_(opt.level) {
    channels_ = px.alpha ? 4 : 3;
    stride_ = 1 + std::size_t(channels_) * std::size_t(px.width);
    const std::size_t raw = stride_ * std::size_t(px.height);
    coder_ = deflate_coder(level_, raw);
    threads_ = opt.threads > 0 ? std::size_t(opt.threads)
                               : std::max<std::size_t>(1, std::thread::hardware_concurrency());
    std::size_t rows = 0;
    if (opt.band_rows > 0) {
      rows = std::size_t(opt.band_rows);
    } else {
      std::size_t bands = (raw + kBandBytes - 1) / kBandBytes;
      if (bands < threads_)
        bands = std::clamp<std::size_t>(raw / min_band_bytes(coder_), 1, threads_);
      rows = (std::size_t(px.height) + bands - 1) / bands;
    }
    rows = std::clamp<std::size_t>(rows, 1, std::max<std::size_t>(1, kMaxBandBytes / stride_));
    band_rows_ = std::min(rows, std::size_t(px.height));
    bands_ = (std::size_t(px.height) + band_rows_ - 1) / band_rows_;
    first_band_ = json_.empty() ? 0 : 1;
    tasks_ = first_band_ + bands_;
    threads_ = std::min(threads_, bands_ + (json_.size() >= kTextTaskBytes ? 1 : 0));
    window_ = kWindowPerThread * threads_;
    pieces_.resize(tasks_);
    done_.assign(tasks_, 0);
  }

  void run() {
    std::string head(reinterpret_cast<const char*>(kPngSig), 8);
    std::string ihdr;
    put_be32(ihdr, std::uint32_t(px_.width));
    put_be32(ihdr, std::uint32_t(px_.height));
    ihdr += char(8);                  // bit depth
    ihdr += char(px_.alpha ? 6 : 2);  // colour type: truecolour with alpha, or without
    ihdr.append(3, '\0');             // compression 0, filter method 0, no interlace
    head += chunk("IHDR", ihdr);
    sink_.put(head);

    Joiner joiner{*this, {}};
    for (std::size_t t = 1; t < threads_; ++t) joiner.pool.emplace_back([this] { work(); });
    Worker mine(coder_);
    std::unique_lock lock(m_);
    while (written_ < tasks_ && !error_) {
      if (done_[written_]) {
        Piece p = std::move(pieces_[written_]);
        lock.unlock();
        emit(written_, p);
        lock.lock();
        p.bytes.clear();
        spare_.push_back(std::move(p.bytes));  // its memory serves a later band
        ++written_;
        cv_.notify_all();  // the window moved
      } else if (!take(lock, mine)) {
        cv_.wait(lock);
      }
    }
    if (error_) std::rethrow_exception(error_);
    lock.unlock();
    sink_.put(chunk("IEND", ""));
    sink_.flush();
  }

 private:
  // Per thread: the coder's working memory and the rows of the band in hand.
  struct Worker {
    explicit Worker(DeflateCoder c) : deflater(c) {}
    BandDeflater deflater;
    ByteBuffer rows;
  };
  // Stops and joins the other threads however run() ends.
  struct Joiner {
    Encoder& e;
    std::vector<std::thread> pool;
    ~Joiner() {
      {
        std::lock_guard g(e.m_);
        e.stop_ = true;
      }
      e.cv_.notify_all();
      for (std::thread& t : pool) t.join();
    }
  };

  // Takes the next task if it is within the window and does it, `lock` (on m_) released
  // meanwhile; false when there is none to take now.
  bool take(std::unique_lock<std::mutex>& lock, Worker& w) {
    if (next_ >= tasks_ || next_ >= written_ + window_) return false;
    const std::size_t i = next_++;
    Piece p;
    if (!spare_.empty()) {
      p.bytes = std::move(spare_.back());
      spare_.pop_back();
    }
    lock.unlock();
    make(i, w, p);
    lock.lock();
    pieces_[i] = std::move(p);
    done_[i] = 1;
    cv_.notify_all();
    return true;
  }

  void work() {
    try {
      Worker w(coder_);
      std::unique_lock lock(m_);
      while (true) {
        cv_.wait(lock,
                 [&] { return stop_ || error_ || next_ >= tasks_ || next_ < written_ + window_; });
        if (stop_ || error_ || next_ >= tasks_) return;
        take(lock, w);
      }
    } catch (...) {
      std::lock_guard g(m_);
      if (!error_) error_ = std::current_exception();
      cv_.notify_all();
    }
  }

  // Does task `task` into `p` (its bytes empty, maybe with memory from an earlier band).
  void make(std::size_t task, Worker& w, Piece& p) const {
    if (task < first_band_) {
      p.bytes = scene_chunk(json_, level_);
      return;
    }
    const std::size_t band = task - first_band_;
    const std::size_t y0 = band * band_rows_;
    const std::size_t count = std::min(band_rows_, std::size_t(px_.height) - y0);
    p.raw = count * stride_;
    std::uint8_t* rows = w.rows.get(p.raw);
    for (std::size_t r = 0; r < count; ++r) rows[r * stride_] = 0;  // filter: None
    px_.rows(int(y0), int(count), rows + 1, stride_);
    p.adler = adler32_of(1, rows, p.raw);
    const bool last = band + 1 == bands_;
    p.bytes.append(4, '\0');  // the length, known when written
    p.bytes += "IDAT";
    if (band == 0) p.bytes += zlib_header(level_);
    w.deflater.deflate(rows, p.raw, last, p.bytes);
    p.crc = crc_of(0, p.bytes, 4);
  }

  // Writes task `task`'s chunk; the last band gets the Adler-32 of all the rows.
  void emit(std::size_t task, Piece& p) {
    if (task < first_band_) {
      sink_.put(p.bytes);
      return;
    }
    adler_ = task == first_band_ ? p.adler : adler32_join(adler_, p.adler, p.raw);
    std::uint32_t crc = p.crc;
    if (task + 1 == tasks_) {
      const std::size_t at = p.bytes.size();
      put_be32(p.bytes, adler_);
      crc = crc_of(crc, p.bytes, at);
    }
    const std::uint32_t len = std::uint32_t(p.bytes.size() - 8);
    for (int i = 0; i < 4; ++i) p.bytes[std::size_t(i)] = char(len >> (24 - 8 * i));
    put_be32(p.bytes, crc);
    sink_.put(p.bytes);
  }

  Sink& sink_;
  const PngRows& px_;
  const std::string& json_;
  int level_;
  DeflateCoder coder_;  // the pixels' coder: level_ for this size of picture
  int channels_ = 3;
  std::size_t stride_ = 0, threads_ = 1, band_rows_ = 1, bands_ = 1, first_band_ = 0, tasks_ = 1;
  std::size_t window_ = 1;
  std::uint32_t adler_ = 1;

  std::mutex m_;
  std::condition_variable cv_;
  std::size_t next_ = 0, written_ = 0;  // next task to take, next task to write
  std::vector<Piece> pieces_;
  std::vector<char> done_;
  std::vector<std::string> spare_;  // written bands' memory, for the next ones
  bool stop_ = false;
  std::exception_ptr error_;
};

void encode_into(Sink& sink, const PngRows& px, const std::string& scene_json,
                 const PngOptions& opt) {
  if (px.width < 1 || px.height < 1 || px.width > (1 << 24) || !px.rows)
    throw Error("png: picture is " + std::to_string(px.width) + "x" + std::to_string(px.height) +
                (px.rows ? "" : " with no rows") + " (want 1 to 2^24 pixels wide, 1 or more high)");
  if (scene_json.find('\0') != std::string::npos)
    throw InputError("png: scene text contains a NUL byte");
  if (opt.level < 0 || opt.level > 9)
    throw InputError("png: compression level must be 0..9, got " + std::to_string(opt.level));
  Encoder(sink, px, scene_json, opt).run();
}

void check_image(const Image& img) {
  if (img.width < 1 || img.height < 1 ||
      img.rgba.size() != std::size_t(img.width) * std::size_t(img.height) * 4)
    throw Error("png: image is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                " with " + std::to_string(img.rgba.size()) + " bytes of RGBA (expected 4*W*H)");
}

bool all_opaque(const Image& img) {
  // The bytes ANDed 8 at a time (two pixels, 4-byte aligned from the start): the alpha bytes end
  // up in bytes 3 and 7 of the word as it lies in memory.
  const std::uint8_t* p = img.rgba.data();
  const std::size_t n = img.rgba.size();
  std::uint64_t all = ~std::uint64_t(0);
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    std::uint64_t w[4];
    std::memcpy(w, p + i, 32);
    all &= w[0] & w[1] & w[2] & w[3];
  }
  std::uint8_t b[8];
  std::memcpy(b, &all, 8);
  std::uint8_t a = b[3] & b[7];
  for (std::size_t j = i + 3; j < n; j += 4) a &= p[j];
  return a == 0xff;
}

// The rows of an Image: RGB when every pixel is opaque, else RGBA.
PngRows rows_of(const Image& img) {
  check_image(img);
  PngRows px;
  px.width = img.width, px.height = img.height;
  px.alpha = !all_opaque(img);
  const std::size_t w = std::size_t(img.width);
  const std::uint8_t* rgba = img.rgba.data();
  if (px.alpha) {
    px.rows = [=](int y0, int count, std::uint8_t* out, std::size_t stride) {
      for (int r = 0; r < count; ++r)
        std::memcpy(out + std::size_t(r) * stride, rgba + (std::size_t(y0) + r) * 4 * w, 4 * w);
    };
  } else {
    px.rows = [=](int y0, int count, std::uint8_t* out, std::size_t stride) {
      for (int r = 0; r < count; ++r) {
        const std::uint8_t* src = rgba + (std::size_t(y0) + r) * 4 * w;
        std::uint8_t* dst = out + std::size_t(r) * stride;
        // Four bytes a pixel, each store's fourth byte overwritten by the next pixel (one load and
        // one store a pixel instead of three of each); the last pixel is three bytes, so the
        // next row's filter byte stays.
        for (std::size_t x = 0; x + 1 < w; ++x) std::memcpy(dst + 3 * x, src + 4 * x, 4);
        std::memcpy(dst + 3 * (w - 1), src + 4 * (w - 1), 3);
      }
    };
  }
  return px;
}

}  // namespace

std::string encode_png(const PngRows& rows, const std::string& scene_json,
                       const PngOptions& options) {
  std::string out;
  // Room for the file at its largest, level 0: the rows, stored blocks' and chunks' headers, the
  // text (pages are touched only as they fill, so a small file costs no more).
  if (rows.width > 0 && rows.height > 0) {
    const std::size_t raw =
        (1 + std::size_t(rows.alpha ? 4 : 3) * std::size_t(rows.width)) * std::size_t(rows.height);
    out.reserve(raw + raw / 4096 + scene_json.size() + 4096);
  }
  Sink sink(&out);
  encode_into(sink, rows, scene_json, options);
  return out;
}

void write_png(AtomicFile& out, const PngRows& rows, const std::string& scene_json,
               const PngOptions& options) {
  Sink sink(&out);
  encode_into(sink, rows, scene_json, options);
}

void write_png(const std::string& path, const PngRows& rows, const std::string& scene_json,
               const PngOptions& options) {
  AtomicFile out(path);
  write_png(out, rows, scene_json, options);
  out.commit();
}

std::string encode_png(const Image& img, const std::string& scene_json, const PngOptions& options) {
  return encode_png(rows_of(img), scene_json, options);
}

void write_png(AtomicFile& out, const Image& img, const std::string& scene_json,
               const PngOptions& options) {
  write_png(out, rows_of(img), scene_json, options);
}

void write_png(const std::string& path, const Image& img, const std::string& scene_json,
               const PngOptions& options) {
  write_png(path, rows_of(img), scene_json, options);
}

}  // namespace gm
