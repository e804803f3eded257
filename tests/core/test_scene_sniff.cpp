// test_scene_sniff.cpp — files that are not scenes: load_scene says what the file is and what was
// expected (PNG without a scene, .npy, JPEG, gzip, zip, PDF, binary, empty), and every message
// names the file; scene errors keep their key path after the file name.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "core/errors.hpp"
#include "core/field.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"

namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path path;
  Dir() {
    std::string tmpl = (fs::temp_directory_path() / "gm_sniff_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string put(const char* name, const std::string& bytes) const {
    std::string p = (path / name).string();
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
};

std::string load_error(const std::string& path) {
  try {
    (void)gm::load_scene(path);
  } catch (const gm::InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

}  // namespace

TEST_CASE("sniff: files that are not scenes are named for what they are") {
  Dir d;
  gm::Field f(3, 2);
  struct Case {
    const char* name;
    std::string bytes;
    const char* kind;
  } cases[] = {
      {"field.npy", gm::encode_npy(f), "this is a NumPy array (.npy), not a scene"},
      {"photo.json", std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11), "a JPEG image"},
      {"s.json.gz", std::string("\x1f\x8b\x08\x00\x00\x00", 6), "gzip-compressed data"},
      {"arrays.npz", std::string("PK\x03\x04\x14\x00", 6), "a zip archive"},
      {"paper.json", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"},
      {"blob.json", std::string("\x01\x02\x03\x00{\"width\": 4}", 16), "binary data"},
      {"empty.json", "", "an empty file"},
      {"blank.json", " \n\t\n", "a file of only whitespace"},
      {"utf16.json", std::string("\xff\xfe{\0\"\0", 6), "UTF-16 text"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    std::string p = d.put(c.name, c.bytes);
    std::string msg = load_error(p);
    CHECK(msg.rfind(p + ": ", 0) == 0);  // starts with the file
    CHECK(msg.find(c.kind) != std::string::npos);
    CHECK(msg.find("expected a scene .json") != std::string::npos);
    CHECK(msg.find("nested deeper") == std::string::npos);
    CHECK(msg.find("invalid JSON") == std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
  }
}

TEST_CASE("sniff: PNGs by content, whatever their name; a .png that is not one says so") {
  Dir d;
  gm::Image img;
  img.width = img.height = 1;
  img.rgba = {0, 0, 0, 255};
  std::string plain = gm::encode_png(img, "");
  for (const char* name : {"plain.png", "plain.json"}) {
    CAPTURE(name);
    std::string p = d.put(name, plain);
    std::string msg = load_error(p);
    CHECK(msg.rfind(p + ": ", 0) == 0);
    CHECK(msg.find("a PNG image that carries no gaussmap scene") != std::string::npos);
  }
  // A gaussmap PNG named .json still opens (by content).
  std::string with_scene = gm::encode_png(img, gm::scene_to_json_text(gm::seed_scene()));
  CHECK(gm::load_scene(d.put("shot.json", with_scene)) == gm::seed_scene());
  CHECK(gm::load_scene(d.put("shot.png", with_scene)) == gm::seed_scene());
  std::string fake = d.put("fake.png", "{\"width\": 4}");
  std::string msg = load_error(fake);
  CHECK(msg.rfind(fake + ": png: not a PNG file (it holds text)", 0) == 0);
  std::string jpeg_png = d.put("photo.png", std::string("\xff\xd8\xff\xe0\x00\x10JFIF\x00", 11));
  CHECK(load_error(jpeg_png).find("not a PNG file (it is a JPEG image)") != std::string::npos);
}

TEST_CASE("sniff: scene errors name the file once, then the key path") {
  Dir d;
  std::string v2 = d.put("v2.json", R"({"gaussmap": 2, "width": 4, "height": 4, "kernels": []})");
  std::string msg = load_error(v2);
  CHECK(msg == v2 + ": scene: format version \"gaussmap\": 2 is not supported (this build reads "
                    "version 1)");
  CHECK(msg.find("gaussmap: gaussmap") == std::string::npos);
  std::string w = d.put(
      "w.json",
      R"({"width": 4, "height": 4, "kernels": [{"center": [0, 0], "sigma": [1, 1], "weight": -1e999}]})");
  CHECK(load_error(w) == w + ": kernels[0].weight: number out of range (not a finite double), got "
                             "-1e999");
  // Text that is merely not a scene keeps the JSON parser's message (after the file name).
  std::string t = d.put("notes.json", "hello, world");
  CHECK(load_error(t).rfind(t + ": scene: invalid JSON at byte 1", 0) == 0);
  std::string arr = d.put("arr.json", "[1, 2]");
  CHECK(load_error(arr).find("expected a JSON object at the top level") != std::string::npos);
}

TEST_CASE("sniff: non_scene_kind on bare bytes") {
  CHECK(gm::non_scene_kind("{\"width\": 1}").empty());
  CHECK(gm::non_scene_kind("  \n {").empty());
  CHECK(gm::non_scene_kind("[1]").empty());
  CHECK(gm::non_scene_kind("hello").empty());
  CHECK(gm::non_scene_kind("\x89PNG\r\n\x1a\n") == "a PNG image");
  CHECK(gm::non_scene_kind(std::string("\x93NUMPY\x01\x00", 8)) == "a NumPy array (.npy)");
  CHECK(gm::non_scene_kind("GIF89a...") == "a GIF image");
  CHECK(gm::non_scene_kind("") == "an empty file");
}
