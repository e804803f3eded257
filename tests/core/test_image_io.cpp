// test_image_io.cpp — atomic writes (a failed write leaves nothing and never truncates), bounded
// reads, .npy bytes against numpy's own (literals below were produced once by Debian's numpy 1.24,
// `np.save(io.BytesIO(), a)`; no Python is needed to run the tests), and PNG round trips of pixels
// and of the embedded scene text.
#include <doctest/doctest.h>
#include <signal.h>
#include <stb/stb_image.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"

namespace {

using namespace gm;
namespace fs = std::filesystem;

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "gm-image-io-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception)";
}

std::string npy_bytes(const char* literal, std::size_t n) {
  return std::string(literal, n);
}

// np.save of np.zeros((3, 4), np.float32): the 128-byte header.
const char kNpyHeader3x4[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"
    "                                                          \n";
// np.save of np.array([[1.5, -2.0, 0.1], [3e-39, 1e30, -0.0]], np.float32), complete file.
const char kNpyF4[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    "                                                          \n"
    "\x00\x00\xc0\x3f\x00\x00\x00\xc0\xcd\xcc\xcc=\xc8\xaa \x00\xca\xf2Iq\x00\x00\x00\x80";
// The same values as float64 ('<f8'), complete file.
const char kNpyF8[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
    "                                                          \n"
    "\x00\x00\x00\x00\x00\x00\xf8\x3f\x00\x00\x00\x00\x00\x00\x00\xc0\x9a\x99\x99\x99\x99\x99"
    "\xb9\x3f#\xe2\xff\xc4"
    "cU\xf0"
    "7\xea\x8c\xa0"
    "9Y>)F\x00\x00\x00\x00\x00\x00\x00\x80";

Field example_field() {
  Field f(3, 2);
  f.data = {1.5f, -2.0f, 0.1f, 3e-39f, 1e30f, -0.0f};
  return f;
}

bool same_bits(const Field& a, const Field& b) {
  return a.width == b.width && a.height == b.height && a.data.size() == b.data.size() &&
         std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0;
}

Image test_image(int w, int h, std::uint32_t seed) {
  Image img;
  img.width = w, img.height = h;
  img.rgba.resize(std::size_t(w) * h * 4);
  std::mt19937 gen(seed);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &img.rgba[(std::size_t(y) * w + x) * 4];
      // Left half a smooth gradient (exercises Sub/Up/Paeth), right half noise (filter None).
      if (x < w / 2) {
        p[0] = std::uint8_t(x * 3), p[1] = std::uint8_t(y * 5), p[2] = std::uint8_t(x + y);
        p[3] = std::uint8_t(255 - y);
      } else {
        for (int c = 0; c < 4; ++c) p[c] = std::uint8_t(gen());
      }
    }
  return img;
}

std::uint32_t be32(const std::string& s, std::size_t at) {
  auto u = [&](std::size_t i) { return std::uint32_t(static_cast<unsigned char>(s[at + i])); };
  return (u(0) << 24) | (u(1) << 16) | (u(2) << 8) | u(3);
}

// A PNG chunk with its length and CRC.
std::string chunk(const std::string& type, const std::string& data) {
  std::string out;
  std::uint32_t n = std::uint32_t(data.size());
  for (int s = 24; s >= 0; s -= 8) out += char((n >> s) & 0xff);
  std::string td = type + data;
  out += td;
  std::uint32_t crc = std::uint32_t(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(td.data()), uInt(td.size())));
  for (int s = 24; s >= 0; s -= 8) out += char((crc >> s) & 0xff);
  return out;
}

// The PNG with `extra` chunks inserted after IHDR (signature 8 + IHDR 25 bytes).
std::string insert_after_ihdr(const std::string& png, const std::string& extra) {
  return png.substr(0, 33) + extra + png.substr(33);
}

}  // namespace

TEST_CASE("atomic write: creates, replaces, leaves no temp file, keeps permissions") {
  auto dir = make_temp_dir();
  auto path = (dir / "out.bin").string();
  write_file_atomic(path, "first");
  CHECK(slurp(path) == "first");
  std::string big(3'000'000, 'x');
  big[12345] = '\0';
  write_file_atomic(path, big);
  CHECK(slurp(path) == big);
  write_file_atomic(path, "");
  CHECK(slurp(path).empty());
  CHECK(entries(dir) == std::vector<std::string>{"out.bin"});

  // A replaced file keeps its permission bits; a new one gets 0666 & ~umask.
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  write_file_atomic(path, "again");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  mode_t mask = ::umask(022);
  ::umask(mask);
  auto fresh = (dir / "fresh.bin").string();
  write_file_atomic(fresh, "x");
  REQUIRE(::stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == (0666 & ~mask));

  // A relative path (no folder part) works too.
  auto cwd = fs::current_path();
  fs::current_path(dir);
  write_file_atomic("rel.txt", "relative");
  fs::current_path(cwd);
  CHECK(slurp(dir / "rel.txt") == "relative");
  fs::remove_all(dir);
}

TEST_CASE("atomic write: failures throw IoError naming the path and leave nothing behind") {
  auto dir = make_temp_dir();

  // Into a folder that does not exist.
  auto missing = (dir / "nope" / "out.png").string();
  CHECK(error_of<IoError>([&] { write_file_atomic(missing, "data"); }) ==
        "cannot write \"" + missing + "\": No such file or directory");
  CHECK(entries(dir).empty());

  // Onto a folder: fails cleanly, the folder and its content stay.
  fs::create_directory(dir / "d");
  { std::ofstream(dir / "d" / "keep.txt") << "keep"; }
  auto onto_dir = (dir / "d").string();
  CHECK(error_of<IoError>([&] { write_file_atomic(onto_dir, "data"); }) ==
        "cannot write \"" + onto_dir + "\": Is a directory");
  CHECK(fs::is_directory(dir / "d"));
  CHECK(slurp(dir / "d" / "keep.txt") == "keep");
  CHECK(entries(dir) == std::vector<std::string>{"d"});
  CHECK_THROWS_AS(write_file_atomic(onto_dir + "/", "data"), IoError);
  CHECK_THROWS_AS(write_file_atomic("", "data"), IoError);

  // Through a regular file used as a folder.
  { std::ofstream(dir / "f") << "old content"; }
  CHECK(error_of<IoError>([&] {
          write_file_atomic((dir / "f" / "x").string(), "data");
        }).find("Not a directory") != std::string::npos);
  CHECK(slurp(dir / "f") == "old content");
  fs::remove_all(dir);
}

TEST_CASE("atomic write: a write that fails midway never truncates the existing file") {
  // RLIMIT_FSIZE makes write(2) fail with EFBIG, also for root (who ignores permissions).
  auto dir = make_temp_dir();
  auto path = (dir / "field.npy").string();
  const std::string old(5000, 'o');
  write_file_atomic(path, old);

  struct rlimit saved {};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = saved;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string msg = error_of<IoError>([&] { write_file_atomic(path, std::string(1 << 20, 'n')); });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  ::signal(SIGXFSZ, old_handler);

  CHECK(msg == "cannot write \"" + path + "\": File too large");
  CHECK(slurp(path) == old);
  CHECK(entries(dir) == std::vector<std::string>{"field.npy"});
  fs::remove_all(dir);
}

TEST_CASE("read_file: content, missing file, folder, size limit") {
  auto dir = make_temp_dir();
  auto path = (dir / "a.txt").string();
  write_file_atomic(path, "hello");
  CHECK(read_file(path, 5) == "hello");
  CHECK(error_of<InputError>([&] { (void)read_file(path, 4); }) ==
        "\"" + path + "\": file is 5 bytes, over the limit of 4 bytes");
  auto missing = (dir / "b.txt").string();
  CHECK(error_of<IoError>([&] { (void)read_file(missing, 100); }) ==
        "cannot read \"" + missing + "\": No such file or directory");
  CHECK(error_of<IoError>([&] { (void)read_file(dir.string(), 100); }) ==
        "cannot read \"" + dir.string() + "\": Is a directory");
  fs::remove_all(dir);
}

TEST_CASE("npy: bytes equal numpy's, both dtypes decode, round trip is bit-exact") {
  // The header alone, for a (3, 4) array.
  std::string header = npy_bytes(kNpyHeader3x4, sizeof kNpyHeader3x4 - 1);
  REQUIRE(header.size() == 128);
  std::string enc = encode_npy(Field(4, 3));
  CHECK(enc.substr(0, 128) == header);
  CHECK(enc.size() == 128 + 4 * 12);

  // A whole file, data included.
  std::string f4 = npy_bytes(kNpyF4, sizeof kNpyF4 - 1);
  CHECK(encode_npy(example_field()) == f4);
  CHECK(same_bits(decode_npy(f4), example_field()));
  std::string f8 = npy_bytes(kNpyF8, sizeof kNpyF8 - 1);
  REQUIRE(f8.size() == 128 + 48);
  Field from_f8 = decode_npy(f8);
  CHECK(same_bits(from_f8, example_field()));  // float64 -> nearest float32

  // Header lengths stay multiples of 64 for every shape width.
  for (int w : {1, 9, 99, 999, 32768})
    for (int h : {1, 10, 1000}) {
      std::string e = encode_npy(Field(w, h));
      std::size_t hl = std::size_t(static_cast<unsigned char>(e[8])) |
                       (std::size_t(static_cast<unsigned char>(e[9])) << 8);
      CHECK((10 + hl) % 64 == 0);
      CHECK(e[10 + hl - 1] == '\n');
      Field back = decode_npy(e);
      CHECK(back.width == w);
      CHECK(back.height == h);
    }

  // Random values, NaN/inf included, through a file.
  std::mt19937 gen(5);
  Field f(37, 23);
  for (auto& v : f.data) {
    std::uint32_t bits = static_cast<std::uint32_t>(gen());
    std::memcpy(&v, &bits, 4);
  }
  f.data[0] = NAN, f.data[1] = INFINITY, f.data[2] = -INFINITY;
  auto dir = make_temp_dir();
  auto path = (dir / "f.npy").string();
  write_npy(path, f);
  CHECK(same_bits(read_npy(path), f));
  CHECK(entries(dir) == std::vector<std::string>{"f.npy"});
  fs::remove_all(dir);
}

TEST_CASE("npy: malformed files are InputErrors saying what is wrong") {
  std::string good = npy_bytes(kNpyF4, sizeof kNpyF4 - 1);
  auto with_header = [&](const std::string& dict) {
    std::string h = dict;
    std::size_t total = 10 + h.size() + 1;
    h.append((64 - total % 64) % 64, ' ');
    h += '\n';
    std::string out("\x93NUMPY\x01\x00", 8);
    out += char(h.size() & 0xff);
    out += char(h.size() >> 8);
    return out + h + std::string(24, '\0');
  };
  struct Case {
    std::string what, bytes, expect;
  };
  const std::vector<Case> cases = {
      {"empty", "", "npy: not a .npy file (bad magic)"},
      {"png", "\x89PNG\r\n\x1a\n....", "npy: not a .npy file"},
      {"version 9", "\x93NUMPY\x09\x00" + good.substr(8), "npy: unsupported format version 9"},
      {"truncated header", good.substr(0, 60), "npy: truncated header"},
      {"truncated data", good.substr(0, good.size() - 1),
       "npy: data is 23 bytes, expected 24 for shape (2, 3) <f4"},
      {"extra data", good + "x", "npy: data is 25 bytes"},
      {"big endian", with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }"),
       "npy: unsupported dtype '>f4' (expected '<f4' or '<f8')"},
      {"int dtype", with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }"),
       "npy: unsupported dtype '<i4'"},
      {"fortran", with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }"),
       "npy: fortran_order arrays are not supported"},
      {"1-D", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }"),
       "npy: expected a 2-D array, got shape (6,)"},
      {"3-D", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }"),
       "npy: expected a 2-D array, got shape (1, 2, 3)"},
      {"empty shape", with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }"),
       "npy: shape (0, 3) is empty or over the limit"},
      {"huge shape",
       with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }"),
       "npy: shape (100000, 100000) is empty or over the limit"},
      {"missing key", with_header("{'descr': '<f4', 'shape': (2, 3), }"),
       "npy: header lacks 'descr', 'fortran_order' or 'shape'"},
      {"garbage header", with_header("not a dict"), "npy: malformed header dict"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    std::string msg = error_of<InputError>([&] { (void)decode_npy(c.bytes); });
    CHECK_MESSAGE(msg.find(c.expect) != std::string::npos, "message: " << msg);
  }
}

TEST_CASE("png: pixels and the embedded scene round-trip") {
  Scene s = seed_scene();
  std::string json = scene_to_json_text(s, -1);
  for (auto [w, h] : {std::pair{1, 1}, {2, 3}, {64, 48}, {257, 19}}) {
    Image img = test_image(w, h, std::uint32_t(w * 1000 + h));
    std::string png = encode_png(img, json);
    Image back = decode_png(png);
    CHECK(back.width == w);
    CHECK(back.height == h);
    CHECK(back.rgba == img.rgba);
    auto text = png_scene_text(png);
    REQUIRE(text);
    CHECK(*text == json);
    CHECK(scene_from_json_text(*text) == s);
    // IHDR: 8-bit RGBA.
    CHECK(png.substr(12, 4) == "IHDR");
    CHECK(be32(png, 16) == std::uint32_t(w));
    CHECK(be32(png, 20) == std::uint32_t(h));
    CHECK(png[24] == 8);
    CHECK(png[25] == 6);
  }

  // No scene: no text chunk.
  std::string bare = encode_png(test_image(5, 5, 1), "");
  CHECK(!png_scene_text(bare));
  CHECK(bare.find("tEXt") == std::string::npos);
  CHECK(bare.find("iTXt") == std::string::npos);

  // A heat map compresses well: a smooth field through a colormap, 512x512 (768 KiB as RGB).
  Image heat;
  heat.width = 512, heat.height = 512;
  heat.rgba.resize(512 * 512 * 4);
  for (int y = 0; y < 512; ++y)
    for (int x = 0; x < 512; ++x) {
      double d2 = ((x - 200.0) * (x - 200.0) + (y - 300.0) * (y - 300.0)) / (2 * 80.0 * 80.0);
      auto t = std::uint8_t(std::lround(255 * std::exp(-d2)));
      std::uint8_t* p = &heat.rgba[(std::size_t(y) * 512 + x) * 4];
      p[0] = t, p[1] = std::uint8_t(255 - t), p[2] = std::uint8_t(t / 2), p[3] = 255;
    }
  std::string hp = encode_png(heat, "");
  MESSAGE("512x512 heat map: " << hp.size() << " bytes at the default level, "
                               << encode_png(heat, "", {9}).size() << " at level 9");
  CHECK(hp.size() < 512 * 512 * 3 / 10);
  CHECK(encode_png(heat, "", {9}).size() <= hp.size());
  CHECK(decode_png(hp).rgba == heat.rgba);

  // Through files.
  auto dir = make_temp_dir();
  auto path = (dir / "shot.png").string();
  write_png(path, test_image(30, 20, 9), json);
  auto text = read_png_scene(path);
  REQUIRE(text);
  CHECK(*text == json);
  CHECK(decode_png(slurp(path)).rgba == test_image(30, 20, 9).rgba);
  CHECK(entries(dir) == std::vector<std::string>{"shot.png"});
  fs::remove_all(dir);
}

TEST_CASE("png: scene text in zTXt and iTXt chunks, other keywords ignored") {
  std::string base = encode_png(test_image(4, 4, 2), "");
  std::string json = R"({"width": 4, "height": 4, "kernels": []})";
  // Another tool's tEXt chunk comes first and is skipped.
  std::string other = chunk("tEXt", std::string("Software\0me", 11));

  uLongf zn = compressBound(uLong(json.size()));
  std::string z(zn, '\0');
  REQUIRE(compress(reinterpret_cast<Bytef*>(z.data()), &zn,
                   reinterpret_cast<const Bytef*>(json.data()), uLong(json.size())) == Z_OK);
  z.resize(zn);

  std::string ztxt = chunk("zTXt", std::string("gaussmap\0\0", 10) + z);
  auto t1 = png_scene_text(insert_after_ihdr(base, other + ztxt));
  REQUIRE(t1);
  CHECK(*t1 == json);

  std::string itxt = chunk("iTXt", std::string("gaussmap\0\0\0en\0\0", 15) + json);
  auto t2 = png_scene_text(insert_after_ihdr(base, itxt));
  REQUIRE(t2);
  CHECK(*t2 == json);

  std::string itxt_z = chunk("iTXt", std::string("gaussmap\0\1\0\0\0", 13) + z);
  auto t3 = png_scene_text(insert_after_ihdr(base, itxt_z));
  REQUIRE(t3);
  CHECK(*t3 == json);

  CHECK(!png_scene_text(insert_after_ihdr(base, other)));
}

// zlib stream of `text` (level 1), as a zTXt / compressed iTXt chunk holds it.
std::string zlib_of(const std::string& text) {
  uLongf zn = compressBound(uLong(text.size()));
  std::string z(zn, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(z.data()), &zn,
                    reinterpret_cast<const Bytef*>(text.data()), uLong(text.size()), 1) == Z_OK);
  z.resize(zn);
  return z;
}

// The PNG with `extra` chunks inserted before IEND (the last 12 bytes).
std::string insert_before_iend(const std::string& png, const std::string& extra) {
  return png.substr(0, png.size() - 12) + extra + png.substr(png.size() - 12);
}

TEST_CASE("png: the scene goes into a compressed iTXt chunk, an opaque picture is RGB") {
  std::string json = scene_to_json_text(seed_scene(), -1);
  Image opaque = test_image(40, 30, 5);
  for (std::size_t i = 3; i < opaque.rgba.size(); i += 4) opaque.rgba[i] = 255;
  std::string png = encode_png(opaque, json);
  CHECK(png[25] == 2);  // IHDR colour type: truecolour, no alpha
  CHECK(png[24] == 8);
  // The first chunk after IHDR: iTXt "gaussmap", compressed (flag 1, method 0), empty language
  // tag and translated keyword, then a zlib stream that inflates (zlib itself) to the JSON.
  REQUIRE(png.substr(37, 4) == "iTXt");
  std::uint32_t len = be32(png, 33);
  std::string data = png.substr(41, len);
  REQUIRE(data.substr(0, 13) == std::string("gaussmap\0\1\0\0\0", 13));
  std::string z = data.substr(13);
  std::string back(json.size() + 16, '\0');
  uLongf n = uLongf(back.size());
  REQUIRE(uncompress(reinterpret_cast<Bytef*>(back.data()), &n,
                     reinterpret_cast<const Bytef*>(z.data()), uLong(z.size())) == Z_OK);
  back.resize(n);
  CHECK(back == json);
  CHECK(z.size() < json.size());
  // stb_image, a decoder independent of libspng, reads the same pixels.
  int w = 0, h = 0, comp = 0;
  unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                                            int(png.size()), &w, &h, &comp, 4);
  REQUIRE(px != nullptr);
  CHECK(w == 40);
  CHECK(h == 30);
  CHECK(comp == 3);
  CHECK(std::equal(opaque.rgba.begin(), opaque.rgba.end(), px));
  stbi_image_free(px);
  CHECK(decode_png(png).rgba == opaque.rgba);

  // A translucent pixel keeps the alpha channel; every level decodes to the same pixels.
  Image translucent = opaque;
  translucent.rgba[4 * 17 + 3] = 254;
  for (int level = 0; level <= 9; ++level) {
    CAPTURE(level);
    std::string p = encode_png(translucent, json, {level});
    CHECK(p[25] == 6);
    CHECK(decode_png(p).rgba == translucent.rgba);
    px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(p.data()), int(p.size()), &w,
                               &h, &comp, 4);
    REQUIRE(px != nullptr);
    CHECK(std::equal(translucent.rgba.begin(), translucent.rgba.end(), px));
    stbi_image_free(px);
    CHECK(png_scene_text(p) == json);
  }
  CHECK(error_of<InputError>([&] { (void)encode_png(opaque, json, {10}); }) ==
        "png: compression level must be 0..9, got 10");
}

TEST_CASE("png: old and foreign layouts of the scene text still open") {
  std::string base = encode_png(test_image(6, 5, 4), "");
  std::string json = R"({"width": 6, "height": 5, "kernels": []})";
  // Files written before the scene was compressed: a plain tEXt chunk.
  auto t = png_scene_text(
      insert_after_ihdr(base, chunk("tEXt", "gaussmap" + std::string(1, '\0') + json)));
  REQUIRE(t);
  CHECK(*t == json);
  // A tool that writes its text after the pixels.
  std::string after =
      insert_before_iend(base, chunk("zTXt", std::string("gaussmap\0\0", 10) + zlib_of(json)));
  t = png_scene_text(after);
  REQUIRE(t);
  CHECK(*t == json);
  auto dir = make_temp_dir();
  { std::ofstream(dir / "after.png", std::ios::binary) << after; }
  t = read_png_scene((dir / "after.png").string());
  REQUIRE(t);
  CHECK(*t == json);
  // Cut inside the pixel data: the walk to the chunks after it fails.
  { std::ofstream(dir / "cut.png", std::ios::binary) << after.substr(0, 60); }
  CHECK(error_of<InputError>([&] {
          (void)read_png_scene((dir / "cut.png").string());
        }).rfind("png: truncated file", 0) == 0);
  CHECK(error_of<IoError>([&] {
          (void)read_png_scene((dir / "none.png").string());
        }).rfind("cannot read \"", 0) == 0);
  fs::remove_all(dir);
}

// zlib stream of `n` spaces, made without holding them: a zip bomb of about n / 1000 bytes.
std::string zlib_of_spaces(std::size_t n) {
  z_stream zs{};
  REQUIRE(deflateInit(&zs, 1) == Z_OK);
  const std::string block(1 << 20, ' ');
  std::string out;
  char buf[1 << 16];
  while (true) {
    const std::size_t now = std::min(n, block.size());
    n -= now;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(block.data()));
    zs.avail_in = uInt(now);
    int rc = Z_OK;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      rc = deflate(&zs, n == 0 ? Z_FINISH : Z_NO_FLUSH);
      out.append(buf, sizeof buf - zs.avail_out);
    } while (zs.avail_out == 0);
    if (n == 0 && rc == Z_STREAM_END) break;
  }
  deflateEnd(&zs);
  return out;
}

TEST_CASE("png: compressed text is bounded when read (no zip bomb)") {
  std::string base = encode_png(test_image(4, 4, 2), "");
  auto bomb = [&](const std::string& type, std::size_t bytes) {
    std::string z = zlib_of_spaces(bytes);
    std::string head =
        type == "zTXt" ? std::string("gaussmap\0\0", 10) : std::string("gaussmap\0\1\0\0\0", 13);
    return error_of<InputError>(
        [&] { (void)png_scene_text(insert_after_ihdr(base, chunk(type, head + z))); });
  };
  for (const char* type : {"zTXt", "iTXt"}) {
    CAPTURE(type);
    // Just over the scene limit: inflated (bounded), then refused by size.
    CHECK(bomb(type, std::size_t(Limits::kMaxSceneBytes) + 1) ==
          "png: gaussmap text is 67108865 bytes, over the limit of 67108864");
    // Past libspng's chunk limit: inflation stops there.
    CHECK(bomb(type, 2 * std::size_t(Limits::kMaxSceneBytes) + (2u << 20)) ==
          "png: a chunk is over the limit of 135266304 bytes (stored or decompressed)");
  }
}

TEST_CASE("png: bad files are InputErrors") {
  std::string png = encode_png(test_image(16, 16, 3), "{}");
  CHECK(error_of<InputError>([&] { (void)decode_png("not a png"); }) ==
        "png: not a PNG file (bad signature)");
  CHECK(error_of<InputError>([&] { (void)png_scene_text(""); }) ==
        "png: not a PNG file (bad signature)");
  CHECK(error_of<InputError>([&] { (void)decode_png(png.substr(0, 20)); }) ==
        "png: missing IHDR chunk");
  CHECK(error_of<InputError>([&] { (void)decode_png(png.substr(0, png.size() - 30)); }) ==
        "png: truncated file (a chunk runs past the end)");
  // Without a gaussmap chunk the whole file is walked: a cut file is an error.
  std::string bare = encode_png(test_image(16, 16, 3), "");
  CHECK(error_of<InputError>([&] { (void)png_scene_text(bare.substr(0, bare.size() - 30)); }) ==
        "png: truncated file (a chunk runs past the end)");
  CHECK(error_of<InputError>([&] { (void)png_scene_text(bare.substr(0, bare.size() - 12)); }) ==
        "png: truncated file (no IEND chunk)");

  std::string bad_crc = png;
  REQUIRE(bad_crc.substr(33 + 4, 4) == "iTXt");
  bad_crc[33 + 8 + 2] ^= 0x20;  // a byte inside the text chunk's keyword
  CHECK(error_of<InputError>([&] { (void)png_scene_text(bad_crc); }) ==
        "png: bad CRC (a chunk is corrupt)");
  CHECK(error_of<InputError>([&] { (void)decode_png(bad_crc); }) ==
        "png: bad CRC (a chunk is corrupt)");

  // A forged IHDR claiming 100000 x 100000 pixels is refused before any allocation.
  std::string huge = png;
  std::string ihdr =
      chunk("IHDR", std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00", 13));
  huge.replace(8, 25, ihdr);
  CHECK(error_of<InputError>([&] {
          (void)decode_png(huge);
        }).find("png: image size 100000x100000 is empty or over the limits") == 0);

  // Bad images to encode.
  Image wrong;
  wrong.width = 2, wrong.height = 2;
  wrong.rgba.resize(15);
  CHECK_THROWS_AS((void)encode_png(wrong, ""), Error);
  CHECK_THROWS_AS((void)encode_png(test_image(2, 2, 0), std::string("a\0b", 3)), InputError);
}
