// test_png_write.cpp — the PNG writer (src/core/png_write.cpp, deflate_band.cpp) checked by
// readers that share none of its code: the chunks are walked here and every CRC recomputed, the
// IDAT payloads joined and inflated by zlib (which checks the Adler-32 of the rows and that the
// stream ends exactly at the end of the last IDAT), and the pixels decoded by libspng and by
// stb_image. Every level, pictures of 1 row to more bands than rows, 1 pixel wide, RGB and RGBA,
// one thread to more threads than bands, a band per row; a large picture in many bands; rows
// made by a caller's function; failures of the rows and of the output.
#include <doctest/doctest.h>
#include <signal.h>
#include <stb/stb_image.h>
#include <sys/resource.h>
#include <zlib.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/image_io.hpp"

namespace {

using namespace gm;
namespace fs = std::filesystem;

std::uint32_t be32(const std::string& s, std::size_t at) {
  auto u = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(s[at + i])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}

struct Chunk {
  std::string type, data;
};

// The chunks of a PNG, each CRC checked (REQUIREd) with zlib's crc32 over type and data.
std::vector<Chunk> chunks_of(const std::string& png) {
  REQUIRE(png.size() >= 8);
  REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  std::vector<Chunk> out;
  std::size_t at = 8;
  while (at < png.size()) {
    REQUIRE(at + 12 <= png.size());
    const std::size_t len = be32(png, at);
    REQUIRE(at + 12 + len <= png.size());
    const std::string td = png.substr(at + 4, 4 + len);
    const auto crc =
        std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(td.data()), uInt(td.size())));
    CAPTURE(td.substr(0, 4));
    REQUIRE(crc == be32(png, at + 8 + len));
    out.push_back({td.substr(0, 4), td.substr(4)});
    at += 12 + len;
  }
  return out;
}

// zlib's inflate of a whole zlib stream: it must end (final block, Adler-32 checked) exactly at
// the end of `z`, with `want` bytes out. Returns "" when it does, else what went wrong.
std::string inflate_all(const std::string& z, std::string& out, std::size_t want) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return "inflateInit";
  out.assign(want + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  zs.avail_in = uInt(z.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  std::string err;
  if (rc != Z_STREAM_END)
    err = "inflate: " + std::to_string(rc) + " " + (zs.msg ? zs.msg : "") + " after " +
          std::to_string(zs.total_out) + " bytes";
  else if (zs.avail_in != 0)
    err = "stream ends " + std::to_string(zs.avail_in) + " bytes before the IDAT data";
  else if (zs.total_out != want)
    err = "inflated " + std::to_string(zs.total_out) + " bytes, want " + std::to_string(want);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return err;
}

// Pixels with runs (what deflate matches) and noise (what it cannot), alpha varied when asked.
Image picture(int w, int h, bool alpha, std::uint32_t seed) {
  Image img;
  img.width = w, img.height = h;
  img.rgba.resize(std::size_t(w) * h * 4);
  std::mt19937 gen(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &img.rgba[(std::size_t(y) * w + x) * 4];
      if ((x / 7 + y / 3) % 3 != 0) {
        p[0] = std::uint8_t(x / 5), p[1] = std::uint8_t(y / 2), p[2] = 200;
      } else {
        p[0] = std::uint8_t(gen()), p[1] = std::uint8_t(gen()), p[2] = std::uint8_t(gen());
      }
      p[3] = std::uint8_t(alpha ? 254 - (x + y) % 5 : 255);
    }
  return img;
}

// The rows as the IDAT stream holds them: filter byte 0, then RGB (or RGBA) per row.
std::string filtered_rows(const Image& img, bool alpha) {
  std::string out;
  const int c = alpha ? 4 : 3;
  for (int y = 0; y < img.height; ++y) {
    out += '\0';
    for (int x = 0; x < img.width; ++x)
      out.append(reinterpret_cast<const char*>(&img.rgba[(std::size_t(y) * img.width + x) * 4]),
                 std::size_t(c));
  }
  return out;
}

// Everything a reader can check of one encoded picture; returns the number of IDAT chunks.
std::size_t check_png(const std::string& png, const Image& img, const std::string& json) {
  const bool alpha = png[25] == 6;
  std::vector<Chunk> cs = chunks_of(png);
  REQUIRE(cs.size() >= 3);
  CHECK(cs.front().type == "IHDR");
  CHECK(be32(cs.front().data, 0) == std::uint32_t(img.width));
  CHECK(be32(cs.front().data, 4) == std::uint32_t(img.height));
  CHECK(cs.front().data.substr(8) ==
        std::string("\x08", 1) + char(alpha ? 6 : 2) + '\0' + '\0' + '\0');
  CHECK(cs.back().type == "IEND");
  CHECK(cs.back().data.empty());
  std::size_t i = 1;
  if (!json.empty()) {
    REQUIRE(cs[i].type == "iTXt");
    const std::string& d = cs[i].data;
    const bool z = d[9] == 1;
    REQUIRE(d.substr(0, 13) == std::string("gaussmap\0", 9) + char(z) + std::string(3, '\0'));
    std::string text;
    if (z)
      CHECK(inflate_all(d.substr(13), text, json.size()) == "");
    else
      text = d.substr(13);
    CHECK(text == json);
    ++i;
  }
  std::string idat;
  std::size_t n = 0;
  for (; i + 1 < cs.size(); ++i, ++n) {
    REQUIRE(cs[i].type == "IDAT");
    idat += cs[i].data;
  }
  REQUIRE(n >= 1);
  REQUIRE(idat.size() >= 6);
  // The zlib header: deflate, 32 KiB window, no preset dictionary, FCHECK.
  CHECK(static_cast<unsigned char>(idat[0]) == 0x78);
  CHECK((static_cast<unsigned char>(idat[0]) * 256 + static_cast<unsigned char>(idat[1])) % 31 ==
        0);
  CHECK((idat[1] & 0x20) == 0);
  const std::string want = filtered_rows(img, alpha);
  std::string rows;
  CHECK(inflate_all(idat, rows, want.size()) == "");
  CHECK(rows == want);
  // libspng (gaussmap's reader) and stb_image give back the picture.
  CHECK(decode_png(png).rgba == img.rgba);
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                            int(png.size()), &w, &h, &comp, 4);
  REQUIRE(px != nullptr);
  CHECK(comp == (alpha ? 4 : 3));
  CHECK(std::memcmp(px, img.rgba.data(), img.rgba.size()) == 0);
  stbi_image_free(px);
  if (!json.empty()) CHECK(png_scene_text(png) == json);
  return n;
}

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "gm-png-write-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

}  // namespace

TEST_CASE("png writer: every level, 1 row to more bands than rows, RGB and RGBA") {
  const std::string json = R"({"width": 3, "height": 2, "kernels": []})";
  int pictures = 0;
  for (int level = 0; level <= 9; ++level)
    for (const auto& size : {std::pair{1, 1}, {1, 9}, {13, 1}, {5, 6}, {97, 40}})
      for (bool alpha : {false, true})
        for (int threads : {1, 3, 8})
          for (int band_rows : {0, 1, 4, 100}) {
            const int w = size.first, h = size.second;
            CAPTURE(level);
            CAPTURE(w);
            CAPTURE(h);
            CAPTURE(alpha);
            CAPTURE(threads);
            CAPTURE(band_rows);
            const Image img = picture(w, h, alpha, std::uint32_t(w * 31 + h));
            PngOptions opt;
            opt.level = level, opt.threads = threads, opt.band_rows = band_rows;
            const std::string png = encode_png(img, (w + h) % 2 ? json : "", opt);
            CHECK(png[25] == (alpha ? 6 : 2));
            const std::size_t idats = check_png(png, img, (w + h) % 2 ? json : "");
            // A band per chunk: as many as the rows asked for make (one band when left open).
            const std::size_t br = band_rows > 0 ? std::size_t(band_rows) : std::size_t(h);
            CHECK(idats == (std::size_t(h) + br - 1) / br);
            ++pictures;
          }
  MESSAGE(pictures << " pictures checked");
}

TEST_CASE("png writer: a large picture in many bands, each level's size in order") {
  // 1500 x 1000 RGB: 4.5 MB of rows, 9 bands of about 512 KiB when left open.
  const Image img = picture(1500, 1000, false, 5);
  std::size_t previous = 0;
  for (int level : {0, 1, 2, 3, 4, 6, 9}) {
    CAPTURE(level);
    PngOptions opt;
    opt.level = level, opt.threads = 4;
    const std::string png = encode_png(img, "", opt);
    const std::size_t idats = check_png(png, img, "");
    CHECK(idats == 9);
    MESSAGE("level " << level << ": " << png.size() << " bytes in " << idats << " IDAT chunks");
    if (previous) CHECK(png.size() <= previous);
    previous = png.size();
  }
  // One band per row: 1000 bands through a window of 3 per thread.
  PngOptions per_row;
  per_row.level = 1, per_row.threads = 2, per_row.band_rows = 1;
  CHECK(check_png(encode_png(img, "", per_row), img, "") == 1000);
  // A picture of a few hundred KiB: one band at ISA-L's speed (not worth a thread), shared among
  // the threads at zlib's.
  const Image small = picture(400, 300, false, 6);  // 360 KB of rows
  PngOptions two;
  two.threads = 2;
  CHECK(check_png(encode_png(small, "", two), small, "") == 1);
  two.level = 6;
  CHECK(check_png(encode_png(small, "", two), small, "") == 2);
}

TEST_CASE("png writer: the scene text, compressed at every level, plain over 1 MiB") {
  const Image img = picture(20, 10, false, 7);
  std::string json = R"({"kernels": [)";
  while (json.size() < 300000) json += R"({"center": [1.5, 2.25], "sigma": 3}, )";
  json += "{}]}";
  for (int level = 0; level <= 9; ++level) {
    CAPTURE(level);
    PngOptions opt;
    opt.level = level, opt.threads = 2, opt.band_rows = 3;
    const std::string png = encode_png(img, json, opt);
    check_png(png, img, json);
    const std::vector<Chunk> cs = chunks_of(png);
    CHECK(cs[1].data[9] == 1);                   // compressed, also at level 0
    CHECK(cs[1].data.size() < json.size() / 4);  // a repetitive text
  }
  std::string big = json;
  while (big.size() <= (1u << 20)) big += json;
  const std::string png = encode_png(img, big);
  check_png(png, img, big);
  CHECK(chunks_of(png)[1].data[9] == 0);
}

TEST_CASE("png writer: rows from a function, each row once; its exceptions reach the caller") {
  const Image img = picture(300, 257, false, 8);
  std::vector<std::atomic<int>> calls(257);
  PngRows rows;
  rows.width = 300, rows.height = 257, rows.alpha = false;
  rows.rows = [&](int y0, int count, std::uint8_t* out, std::size_t stride) {
    for (int r = 0; r < count; ++r) {
      calls[std::size_t(y0 + r)]++;
      for (int x = 0; x < 300; ++x)
        std::memcpy(out + std::size_t(r) * stride + 3 * std::size_t(x),
                    &img.rgba[(std::size_t(y0 + r) * 300 + std::size_t(x)) * 4], 3);
    }
  };
  PngOptions opt;
  opt.threads = 3, opt.band_rows = 10;
  const std::string png = encode_png(rows, "{}", opt);
  check_png(png, img, "{}");
  for (auto& c : calls) CHECK(c == 1);
  CHECK(png == encode_png(img, "{}", opt));  // the same bytes as from the whole picture

  // A row that fails: the exception comes out of write_png, and no file is left.
  auto dir = make_temp_dir();
  PngRows failing = rows;
  failing.rows = [&](int y0, int count, std::uint8_t* out, std::size_t stride) {
    if (y0 <= 200 && 200 < y0 + count) throw std::runtime_error("row 200 failed");
    rows.rows(y0, count, out, stride);
  };
  for (auto& c : calls) c = 0;
  std::string msg;
  try {
    write_png((dir / "f.png").string(), failing, "{}", opt);
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  CHECK(msg == "row 200 failed");
  CHECK(fs::is_empty(dir));

  PngRows none;
  none.width = 2, none.height = 2;
  CHECK_THROWS_AS((void)encode_png(none, ""), Error);
  fs::remove_all(dir);
}

TEST_CASE("png writer: an output that fails midway leaves the old file, whole") {
  // RLIMIT_FSIZE makes write(2) fail with EFBIG once the file passes 64 KiB, while the other
  // threads are still compressing.
  auto dir = make_temp_dir();
  const std::string path = (dir / "shot.png").string();
  const Image img = picture(1600, 1200, false, 9);  // a third noise: about 2 MB at level 1
  write_png(path, picture(4, 4, false, 1), "{}");
  std::ifstream in0(path, std::ios::binary);
  const std::string old((std::istreambuf_iterator<char>(in0)), {});

  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 64 << 10;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string msg;
  try {
    PngOptions opt;
    opt.level = 1, opt.threads = 3, opt.band_rows = 16;
    write_png(path, img, "{}", opt);
  } catch (const IoError& e) {
    msg = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);
  CHECK(msg == "cannot write \"" + path + "\": File too large");
  std::ifstream in1(path, std::ios::binary);
  CHECK(std::string((std::istreambuf_iterator<char>(in1)), {}) == old);
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  CHECK(files == 1);
  fs::remove_all(dir);
}
