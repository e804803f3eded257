// npy_io.cpp — .npy encoding and decoding (the header dict parsed by a small parser that accepts
// what numpy writes: version 1.0, 2.0 and 3.0 headers, Python 2 longs) and file I/O through
// AtomicFile.
#include "npy_io.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "scene_io.hpp"

namespace gm {

namespace {

void put_u16le(std::string& s, std::uint16_t v) {
  s += char(v & 0xff);
  s += char(v >> 8);
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

}  // namespace

std::string npy_header(int width, int height) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" +
                     std::to_string(height) + ", " + std::to_string(width) + "), }";
  // Magic (6) + version (2) + length (2) + dict + '\n' padded with spaces to a multiple of 64.
  std::size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  put_u16le(out, static_cast<std::uint16_t>(dict.size()));
  return out + dict;
}

namespace {

// The field's values as little-endian float32 bytes, appended to `out` (a copy only on
// big-endian hosts).
void append_le(std::string& out, const float* v, std::size_t n) {
  std::size_t at = out.size();
  out.resize(at + 4 * n);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out.data() + at, v, 4 * n);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      auto u = std::bit_cast<std::uint32_t>(v[i]);
      for (int b = 0; b < 4; ++b) out[at + 4 * i + b] = char((u >> (8 * b)) & 0xff);
    }
  }
}

}  // namespace

std::string encode_npy(const Field& f) {
  std::string out = npy_header(f.width, f.height);
  out.reserve(out.size() + 4 * f.data.size());
  append_le(out, f.data.data(), f.data.size());
  return out;
}

void write_npy(AtomicFile& out, const Field& f) {
  out.write(npy_header(f.width, f.height));
  if constexpr (std::endian::native == std::endian::little) {
    out.write(f.data.data(), 4 * f.data.size());
  } else {
    constexpr std::size_t kBlock = 1 << 16;  // values per converted block
    std::string buf;
    for (std::size_t i = 0; i < f.data.size(); i += kBlock) {
      buf.clear();
      append_le(buf, f.data.data() + i, std::min(kBlock, f.data.size() - i));
      out.write(buf);
    }
  }
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
  AtomicFile out(path);
  write_npy(out, f);
  out.commit();
}

Field read_npy(const std::string& path) {
  return decode_npy(read_file(path, Limits::kMaxPixels * 8 + (1 << 20)));
}

}  // namespace gm
