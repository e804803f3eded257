// image_io.cpp — atomic file writes, bounded reads, .npy (v1.0 <f4 out; <f4/<f8 in) and .png
// (RGBA8 encoded here with zlib, scene JSON in a tEXt chunk; decoded with Debian's libstb).
//
// Atomic write: a temp file ".<name>.tmp-XXXXXX" (mkstemp) in the target's folder gets all the
// bytes and an fsync, then is renamed over the target and the folder is fsynced. On any failure the
// temp file is removed and the target is untouched. The new file takes the old file's permission
// bits, or 0666 & ~umask when there was none. A symlink at the target is replaced, not followed.
#include "image_io.hpp"

#include <fcntl.h>
#include <stb/stb_image.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include "errors.hpp"
#include "scene_io.hpp"

namespace gm {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

[[noreturn]] void write_failed(const std::string& path, int err) {
  throw IoError("cannot write \"" + path + "\": " + errno_text(err));
}

mode_t current_umask() {
  // umask(2) can only be read by setting it, which races with other threads; Linux reports it
  // in /proc/self/status.
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  }
  return 022;
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Little-endian helpers.
void put_u16le(std::string& s, std::uint16_t v) {
  s += char(v & 0xff);
  s += char(v >> 8);
}
void put_u32be(std::string& s, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += char((v >> shift) & 0xff);
}
std::uint32_t get_u32be(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         std::uint32_t(p[3]);
}

// Text quoted from a file goes into one-line messages: control and non-ASCII bytes as \xNN.
std::string printable(const std::string& text) {
  std::string out;
  for (unsigned char ch : text.substr(0, 80)) {
    if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
      out += char(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", ch);
      out += buf;
    }
  }
  return text.size() > 80 ? out + "..." : out;
}

[[noreturn]] void npy_fail(const std::string& msg) {
  throw InputError("npy: " + msg);
}
[[noreturn]] void png_fail(const std::string& msg) {
  throw InputError("png: " + msg);
}

// --- .npy header: a Python dict literal, {'descr': '<f4', 'fortran_order': False, 'shape': (H, W),
// }

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<long long> shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

class DictParser {
 public:
  explicit DictParser(std::string_view s) : s_(s) {}

  NpyHeader parse() {
    NpyHeader h;
    expect('{');
    while (true) {
      ws();
      if (peek() == '}') break;
      std::string key = str();
      ws();
      expect(':');
      ws();
      if (key == "descr") {
        h.descr = str(), h.has_descr = true;
      } else if (key == "fortran_order") {
        h.fortran_order = boolean(), h.has_order = true;
      } else if (key == "shape") {
        h.shape = tuple(), h.has_shape = true;
      } else {
        npy_fail("unexpected key '" + printable(key) + "' in header");
      }
      ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      ws();
      if (peek() != '}') npy_fail("malformed header dict");
    }
    return h;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;

  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  void expect(char c) {
    ws();
    if (peek() != c) npy_fail(std::string("malformed header dict (expected '") + c + "')");
    ++i_;
  }
  std::string str() {
    char q = peek();
    if (q != '\'' && q != '"') npy_fail("malformed header dict (expected a string)");
    std::size_t end = s_.find(q, i_ + 1);
    if (end == std::string_view::npos) npy_fail("malformed header dict (unterminated string)");
    std::string out(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    if (s_.substr(i_, 4) == "True") return i_ += 4, true;
    if (s_.substr(i_, 5) == "False") return i_ += 5, false;
    npy_fail("malformed header dict (fortran_order must be True or False)");
  }
  std::vector<long long> tuple() {
    expect('(');
    std::vector<long long> dims;
    while (true) {
      ws();
      if (peek() == ')') break;
      long long v = 0;
      bool any = false;
      while (peek() >= '0' && peek() <= '9') {
        if (v > (std::numeric_limits<long long>::max() - 9) / 10) npy_fail("shape too large");
        v = v * 10 + (peek() - '0'), ++i_, any = true;
      }
      if (peek() == 'L') ++i_;  // Python 2 longs
      if (!any) npy_fail("malformed shape tuple");
      dims.push_back(v);
      ws();
      if (peek() == ',')
        ++i_;
      else if (peek() != ')')
        npy_fail("malformed shape tuple");
    }
    ++i_;
    return dims;
  }
};

// --- PNG encoder pieces

void put_chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32be(out, static_cast<std::uint32_t>(data.size()));
  std::string td(type, 4);
  td += data;
  out += td;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(td.data()), static_cast<uInt>(td.size()));
  put_u32be(out, static_cast<std::uint32_t>(crc));
}

std::uint8_t paeth(int a, int b, int c) {
  int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return std::uint8_t(a);
  if (pb <= pc) return std::uint8_t(b);
  return std::uint8_t(c);
}

// Each row gets the filter (0..4) whose output has the smallest sum of |signed bytes|, the
// heuristic libpng recommends for truecolour images.
std::string filter_rows(const Image& img) {
  const std::size_t stride = std::size_t(img.width) * 4;
  std::string out;
  out.reserve((stride + 1) * std::size_t(img.height));
  std::vector<std::uint8_t> zero(stride, 0), cand[5];
  for (auto& c : cand) c.resize(stride);
  for (int y = 0; y < img.height; ++y) {
    const std::uint8_t* cur = img.rgba.data() + std::size_t(y) * stride;
    const std::uint8_t* up = y > 0 ? cur - stride : zero.data();
    for (std::size_t i = 0; i < stride; ++i) {
      int a = i >= 4 ? cur[i - 4] : 0, b = up[i], c = i >= 4 ? up[i - 4] : 0;
      cand[0][i] = cur[i];
      cand[1][i] = std::uint8_t(cur[i] - a);
      cand[2][i] = std::uint8_t(cur[i] - b);
      cand[3][i] = std::uint8_t(cur[i] - ((a + b) >> 1));
      cand[4][i] = std::uint8_t(cur[i] - paeth(a, b, c));
    }
    int best = 0;
    unsigned long best_sum = std::numeric_limits<unsigned long>::max();
    for (int f = 0; f < 5; ++f) {
      unsigned long sum = 0;
      for (std::uint8_t v : cand[f]) sum += v < 128 ? v : 256u - v;
      if (sum < best_sum) best_sum = sum, best = f;
    }
    out += char(best);
    out.append(reinterpret_cast<const char*>(cand[best].data()), stride);
  }
  return out;
}

std::string deflate_all(const std::string& in) {
  z_stream zs{};
  if (deflateInit(&zs, 6) != Z_OK) throw Error("png: zlib deflateInit failed");
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  // Feed in pieces: avail_in/avail_out are 32-bit.
  std::size_t in_left = in.size(), out_left = out.size();
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    uInt in_now = static_cast<uInt>(std::min<std::size_t>(in_left, 1u << 30));
    uInt out_now = static_cast<uInt>(std::min<std::size_t>(out_left, 1u << 30));
    zs.avail_in = in_now, zs.avail_out = out_now;
    rc = deflate(&zs, in_left == in_now ? Z_FINISH : Z_NO_FLUSH);
    in_left -= in_now - zs.avail_in;
    out_left -= out_now - zs.avail_out;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      deflateEnd(&zs);
      throw Error("png: zlib deflate failed");
    }
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// zlib stream -> bytes, at most max_out bytes.
std::optional<std::string> inflate_bounded(std::string_view in, std::size_t max_out) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return std::nullopt;
  std::string out;
  char buf[65536];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buf, sizeof buf - zs.avail_out);
    if (out.size() > max_out) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || out.size() > max_out) return std::nullopt;
  return out;
}

constexpr unsigned char kPngSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

bool has_png_signature(const std::string& bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSig, 8) == 0;
}

// Read limit for a .png: the largest picture we write, plus its scene text, with room to spare.
constexpr long long kMaxPngBytes = Limits::kMaxPixels * 5 + 2 * Limits::kMaxSceneBytes;

}  // namespace

// ---------------------------------------------------------------------------------------------

namespace {

// A file written to its temporary name and synced, waiting for its rename (two-phase writes:
// every output of a command is staged first, then all are renamed, so a failure while writing
// the second file never leaves the first one new and the second one old).
struct StagedFile {
  std::string path, tmp, dir;
};

StagedFile stage_file(const std::string& path, const std::string& bytes) {
  if (path.empty()) throw IoError("cannot write \"\": empty path");
  if (path.back() == '/') write_failed(path, EISDIR);
  StagedFile f;
  f.path = path;
  const auto slash = path.rfind('/');
  const bool bare = slash == std::string::npos;
  f.dir = bare ? std::string(1, '.') : slash == 0 ? std::string(1, '/') : path.substr(0, slash);
  const std::string name = bare ? path : path.substr(slash + 1);
  struct stat st {};
  mode_t mode = 0666 & ~current_umask();
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) write_failed(path, EISDIR);
    if (S_ISREG(st.st_mode)) mode = st.st_mode & 07777;
    // A device, FIFO or socket would be replaced by a plain file (think -o /dev/null as root).
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
      throw IoError("cannot write \"" + path + "\": not a regular file");
  } else if (errno != ENOENT) {
    write_failed(path, errno);
  }

  f.tmp = (f.dir == "/" ? "/" : f.dir + "/") + "." + name + ".tmp-XXXXXX";
  int fd = ::mkstemp(f.tmp.data());
  if (fd < 0) write_failed(path, errno);
  auto abandon = [&](int err) {
    if (fd >= 0) ::close(fd);
    ::unlink(f.tmp.c_str());
    write_failed(path, err);
  };
  if (::fchmod(fd, mode) != 0) abandon(errno);
  if (!write_all(fd, bytes.data(), bytes.size())) abandon(errno);
  if (::fsync(fd) != 0) abandon(errno);
  int rc = ::close(fd);
  fd = -1;
  if (rc != 0) abandon(errno);
  return f;
}

void discard_staged(const StagedFile& f) {
  ::unlink(f.tmp.c_str());
}

void commit_staged(const StagedFile& f) {
  struct stat st {};
  // Checked again just before the rename: a folder created meanwhile must not be replaced.
  if (::lstat(f.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    discard_staged(f);
    write_failed(f.path, EISDIR);
  }
  if (::rename(f.tmp.c_str(), f.path.c_str()) != 0) {
    int err = errno;
    discard_staged(f);
    write_failed(f.path, err);
  }
  // Make the rename durable. Some file systems cannot fsync a folder; the data is in place anyway.
  int dfd = ::open(f.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& bytes) {
  commit_staged(stage_file(path, bytes));
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<StagedFile> staged;
  try {
    for (const auto& [path, bytes] : files) staged.push_back(stage_file(path, bytes));
  } catch (...) {
    for (const StagedFile& f : staged) discard_staged(f);
    throw;
  }
  for (std::size_t i = 0; i < staged.size(); ++i) {
    try {
      commit_staged(staged[i]);
    } catch (...) {
      for (std::size_t j = i + 1; j < staged.size(); ++j) discard_staged(staged[j]);
      throw;
    }
  }
}

std::string read_file(const std::string& path, long long max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot read \"" + path + "\": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw IoError("cannot read \"" + path + "\": " + errno_text(err));
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw IoError("cannot read \"" + path + "\": " + errno_text(EISDIR));
  }
  auto too_big = [&](long long size) {
    ::close(fd);
    throw InputError("\"" + path + "\": file is " +
                     (size >= 0 ? std::to_string(size) : "more than " + std::to_string(max_bytes)) +
                     " bytes, over the limit of " + std::to_string(max_bytes) + " bytes");
  };
  if (S_ISREG(st.st_mode) && st.st_size > max_bytes) too_big(st.st_size);
  std::string out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw IoError("cannot read \"" + path + "\": " + errno_text(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (static_cast<long long>(out.size()) > max_bytes) too_big(-1);
  }
  ::close(fd);
  return out;
}

// ---------------------------------------------------------------------------------------------
// .npy

std::string encode_npy(const Field& f) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                       std::to_string(f.height) + ", " + std::to_string(f.width) + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n' padded with spaces to a multiple of 64.
  std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put_u16le(out, static_cast<std::uint16_t>(header.size()));
  out += header;
  std::size_t n = f.data.size();
  std::size_t at = out.size();
  out.resize(at + 4 * n);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out.data() + at, f.data.data(), 4 * n);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      auto u = std::bit_cast<std::uint32_t>(f.data[i]);
      for (int b = 0; b < 4; ++b) out[at + 4 * i + b] = char((u >> (8 * b)) & 0xff);
    }
  }
  return out;
}

Field decode_npy(const std::string& bytes) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    npy_fail("not a .npy file (bad magic)");
  auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, header_at = 0;
  auto u8 = [&](std::size_t i) { return std::size_t(static_cast<unsigned char>(bytes[i])); };
  if (major == 1) {
    header_len = u8(8) | (u8(9) << 8), header_at = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) npy_fail("truncated header");
    header_len = u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24), header_at = 12;
  } else {
    npy_fail("unsupported format version " + std::to_string(major));
  }
  if (bytes.size() - header_at < header_len) npy_fail("truncated header");
  NpyHeader h = DictParser(std::string_view(bytes).substr(header_at, header_len)).parse();
  if (!h.has_descr || !h.has_order || !h.has_shape)
    npy_fail("header lacks 'descr', 'fortran_order' or 'shape'");
  std::size_t item = 0;
  if (h.descr == "<f4") {
    item = 4;
  } else if (h.descr == "<f8") {
    item = 8;
  } else {
    npy_fail("unsupported dtype '" + printable(h.descr) + "' (expected '<f4' or '<f8')");
  }
  if (h.fortran_order) npy_fail("fortran_order arrays are not supported (expected C order)");
  if (h.shape.size() != 2) {
    std::string s = "(";
    for (std::size_t i = 0; i < h.shape.size(); ++i)
      s += (i ? ", " : "") + std::to_string(h.shape[i]);
    npy_fail("expected a 2-D array, got shape " + s + (h.shape.size() == 1 ? ",)" : ")"));
  }
  long long rows = h.shape[0], cols = h.shape[1];
  if (rows < 1 || cols < 1 || rows > std::numeric_limits<int>::max() ||
      cols > std::numeric_limits<int>::max() || rows * cols > Limits::kMaxPixels)
    npy_fail("shape (" + std::to_string(rows) + ", " + std::to_string(cols) +
             ") is empty or over the limit of " + std::to_string(Limits::kMaxPixels) + " values");
  std::size_t n = std::size_t(rows) * std::size_t(cols);
  std::size_t data_at = header_at + header_len;
  if (bytes.size() - data_at != n * item)
    npy_fail("data is " + std::to_string(bytes.size() - data_at) + " bytes, expected " +
             std::to_string(n * item) + " for shape (" + std::to_string(rows) + ", " +
             std::to_string(cols) + ") " + h.descr);
  Field f(static_cast<int>(cols), static_cast<int>(rows));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data_at);
  for (std::size_t i = 0; i < n; ++i, p += item) {
    if (item == 4) {
      std::uint32_t u = 0;
      for (int b = 3; b >= 0; --b) u = (u << 8) | p[b];
      f.data[i] = std::bit_cast<float>(u);
    } else {
      std::uint64_t u = 0;
      for (int b = 7; b >= 0; --b) u = (u << 8) | p[b];
      f.data[i] = static_cast<float>(std::bit_cast<double>(u));
    }
  }
  return f;
}

void write_npy(const std::string& path, const Field& f) {
  write_file_atomic(path, encode_npy(f));
}

Field read_npy(const std::string& path) {
  return decode_npy(read_file(path, Limits::kMaxPixels * 8 + (1 << 20)));
}

// ---------------------------------------------------------------------------------------------
// .png

std::string encode_png(const Image& img, const std::string& scene_json) {
  if (img.width < 1 || img.height < 1 ||
      img.rgba.size() != std::size_t(img.width) * std::size_t(img.height) * 4)
    throw Error("png: image is " + std::to_string(img.width) + "x" + std::to_string(img.height) +
                " with " + std::to_string(img.rgba.size()) + " bytes of RGBA (expected 4*W*H)");
  if (scene_json.find('\0') != std::string::npos)
    throw InputError("png: scene text contains a NUL byte");
  std::string out(reinterpret_cast<const char*>(kPngSig), 8);
  std::string ihdr;
  put_u32be(ihdr, static_cast<std::uint32_t>(img.width));
  put_u32be(ihdr, static_cast<std::uint32_t>(img.height));
  ihdr += std::string("\x08\x06\x00\x00\x00", 5);  // 8 bit, RGBA, deflate, adaptive, no interlace
  put_chunk(out, "IHDR", ihdr);
  if (!scene_json.empty()) put_chunk(out, "tEXt", std::string("gaussmap", 8) + '\0' + scene_json);
  std::string z = deflate_all(filter_rows(img));
  constexpr std::size_t kIdatMax = 1 << 20;
  for (std::size_t at = 0; at < z.size() || at == 0; at += kIdatMax) {
    put_chunk(out, "IDAT", z.substr(at, kIdatMax));
    if (z.empty()) break;
  }
  put_chunk(out, "IEND", "");
  return out;
}

void write_png(const std::string& path, const Image& img, const std::string& scene_json) {
  write_file_atomic(path, encode_png(img, scene_json));
}

Image decode_png(const std::string& bytes) {
  if (!has_png_signature(bytes)) png_fail("not a PNG file (bad signature)");
  if (bytes.size() < 33 || bytes.compare(12, 4, "IHDR") != 0) png_fail("missing IHDR chunk");
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    png_fail("file too large");
  // Refuse huge dimensions before stb allocates for them.
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint32_t w = get_u32be(u + 16), h = get_u32be(u + 20);
  if (w < 1 || h < 1 || w > std::uint32_t(Limits::kMaxSide) ||
      h > std::uint32_t(Limits::kMaxSide) || static_cast<long long>(w) * h > Limits::kMaxPixels)
    png_fail("image size " + std::to_string(w) + "x" + std::to_string(h) +
             " is empty or over the limits (kMaxSide " + std::to_string(Limits::kMaxSide) +
             ", kMaxPixels " + std::to_string(Limits::kMaxPixels) + ")");
  int iw = 0, ih = 0, comp = 0;
  stbi_uc* px = stbi_load_from_memory(u, static_cast<int>(bytes.size()), &iw, &ih, &comp, 4);
  if (!px) {
    const char* why = stbi_failure_reason();
    png_fail(std::string("cannot decode: ") + (why ? why : "unknown error"));
  }
  Image img;
  img.width = iw, img.height = ih;
  img.rgba.assign(px, px + std::size_t(iw) * std::size_t(ih) * 4);
  stbi_image_free(px);
  return img;
}

std::optional<std::string> png_scene_text(const std::string& bytes) {
  if (!has_png_signature(bytes)) png_fail("not a PNG file (bad signature)");
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t at = 8;
  while (true) {
    if (bytes.size() - at < 12) png_fail("truncated file (no IEND chunk)");
    std::uint32_t len = get_u32be(u + at);
    std::string type = bytes.substr(at + 4, 4);
    for (char c : type)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
        png_fail("invalid chunk type at byte " + std::to_string(at + 4) +
                 " (PNG chunk types are 4 ASCII letters)");
    if (len > 0x7fffffffu || bytes.size() - at - 12 < len)
      png_fail("truncated file (chunk " + type + " runs past the end)");
    std::string_view data(bytes.data() + at + 8, len);
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, u + at + 4, len + 4);
    if (std::uint32_t(crc) != get_u32be(u + at + 8 + len)) png_fail("bad CRC in chunk " + type);
    at += 12 + std::size_t(len);
    if (type == "IEND") return std::nullopt;
    if (type != "tEXt" && type != "zTXt" && type != "iTXt") continue;
    std::size_t nul = data.find('\0');
    if (nul == std::string_view::npos || data.substr(0, nul) != "gaussmap") continue;
    std::string_view rest = data.substr(nul + 1);
    const std::size_t max_text = static_cast<std::size_t>(Limits::kMaxSceneBytes);
    if (type == "tEXt") return std::string(rest);
    if (type == "zTXt") {
      if (rest.empty() || rest[0] != 0) png_fail("zTXt gaussmap: unknown compression method");
      auto t = inflate_bounded(rest.substr(1), max_text);
      if (!t) png_fail("zTXt gaussmap: bad or oversized compressed text");
      return t;
    }
    // iTXt: compression flag, method, language tag \0, translated keyword \0, text (UTF-8).
    if (rest.size() < 2) png_fail("iTXt gaussmap: truncated");
    bool compressed = rest[0] != 0;
    std::string_view tail = rest.substr(2);
    std::size_t n1 = tail.find('\0');
    std::size_t n2 = n1 == std::string_view::npos ? n1 : tail.find('\0', n1 + 1);
    if (n2 == std::string_view::npos) png_fail("iTXt gaussmap: truncated");
    std::string_view text = tail.substr(n2 + 1);
    if (!compressed) return std::string(text);
    auto t = inflate_bounded(text, max_text);
    if (!t) png_fail("iTXt gaussmap: bad or oversized compressed text");
    return t;
  }
}

std::optional<std::string> read_png_scene(const std::string& path) {
  return png_scene_text(read_file(path, kMaxPngBytes));
}

}  // namespace gm
