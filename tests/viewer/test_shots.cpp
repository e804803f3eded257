// test_shots.cpp — image checks used by tests/cli/viewer_shots.sh (and self-tested here on
// synthetic pictures when run without the environment variables):
//   GM_SHOT_COMPARE="A.png B.png"  two pictures of the same size agree within GM_SHOT_MAX (max
//                                   per-channel difference, default 0) and GM_SHOT_MEAN (mean
//                                   per-channel difference, default 0.05)
//   GM_SHOT_REFERENCE="SHOT.png"    the viewer's screenshot against the float64 reference field of
//                                   the scene embedded in it, through the same colormap (CPU)
//   GM_SHOT_SCENE="SHOT.png OUT.json [SCENE.json]" write the scene a screenshot carries (and check
//                                   it equals SCENE.json's)
//   GM_SHOT_WINDOW="W.png"          a window shot is not blank and shows the panel
// Every check prints its figures.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "core/colormap.hpp"
#include "core/image_io.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"

namespace {

struct Diff {
  int max = 0;
  double mean = 0;
  double frac = 0;  // pixels with any channel differing
};

Diff diff_rgb(const gm::Image& a, const gm::Image& b) {
  Diff d;
  std::size_t n = std::size_t(a.width) * std::size_t(a.height), differing = 0;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bool any = false;
    for (int c = 0; c < 3; ++c) {
      int x = std::abs(int(a.rgba[4 * i + c]) - int(b.rgba[4 * i + c]));
      d.max = std::max(d.max, x);
      sum += x;
      any = any || x != 0;
    }
    differing += any;
  }
  d.mean = n ? sum / double(3 * n) : 0;
  d.frac = n ? double(differing) / double(n) : 0;
  return d;
}

// Distinct RGB colours in a rectangle.
std::size_t distinct_colors(const gm::Image& img, int x0, int y0, int x1, int y1) {
  std::set<unsigned> s;
  for (int y = std::max(y0, 0); y < std::min(y1, img.height); ++y)
    for (int x = std::max(x0, 0); x < std::min(x1, img.width); ++x) {
      const auto* p = &img.rgba[4 * (std::size_t(y) * img.width + x)];
      s.insert(unsigned(p[0]) << 16 | unsigned(p[1]) << 8 | p[2]);
    }
  return s.size();
}

gm::Image load_png(const std::string& path) {
  return gm::decode_png(gm::read_file(path, 1LL << 30));
}

double env_double(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atof(v) : fallback;
}

std::vector<std::string> env_words(const char* name) {
  std::vector<std::string> out;
  const char* v = std::getenv(name);
  if (!v) return out;
  std::istringstream in(v);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

gm::Image solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  gm::Image img;
  img.width = w, img.height = h;
  img.rgba.resize(std::size_t(w) * h * 4);
  for (std::size_t i = 0; i < img.rgba.size(); i += 4)
    img.rgba[i] = r, img.rgba[i + 1] = g, img.rgba[i + 2] = b, img.rgba[i + 3] = 255;
  return img;
}

}  // namespace

TEST_CASE("shot: compare two pictures (GM_SHOT_COMPARE)") {
  auto w = env_words("GM_SHOT_COMPARE");
  if (w.size() != 2) {  // self-test
    gm::Image a = solid(4, 3, 10, 20, 30), b = a;
    b.rgba[0] = 13;
    Diff d = diff_rgb(a, b);
    CHECK(d.max == 3);
    CHECK(d.frac == doctest::Approx(1.0 / 12));
    CHECK(d.mean == doctest::Approx(3.0 / 36));
    return;
  }
  gm::Image a = load_png(w[0]), b = load_png(w[1]);
  REQUIRE(a.width == b.width);
  REQUIRE(a.height == b.height);
  Diff d = diff_rgb(a, b);
  double max_ok = env_double("GM_SHOT_MAX", 0), mean_ok = env_double("GM_SHOT_MEAN", 0.05);
  std::printf(
      "compare %s vs %s: %dx%d, max channel diff %d (limit %g), mean %.5f (limit %g), "
      "%.4f%% of pixels differ\n",
      w[0].c_str(), w[1].c_str(), a.width, a.height, d.max, max_ok, d.mean, mean_ok, 100 * d.frac);
  CHECK(d.max <= max_ok);
  CHECK(d.mean <= mean_ok);
}

TEST_CASE(
    "shot: screenshot against the reference field through the same colormap (GM_SHOT_REFERENCE)") {
  auto w = env_words("GM_SHOT_REFERENCE");
  if (w.size() != 1) return;
  std::string bytes = gm::read_file(w[0], 1LL << 30);
  auto text = gm::png_scene_text(bytes);
  REQUIRE_MESSAGE(text.has_value(), "the screenshot carries no scene");
  gm::Scene s = gm::scene_from_json_text(*text);
  gm::Image shot = gm::decode_png(bytes);
  REQUIRE(shot.width == s.width);
  REQUIRE(shot.height == s.height);
  auto ref = gm::evaluate_reference(s);
  gm::Field f(s.width, s.height);
  for (std::size_t i = 0; i < f.data.size(); ++i) f.data[i] = float(ref.field.data[i]);
  gm::Image want = gm::colorize(f, s.view);
  Diff d = diff_rgb(shot, want);
  double max_ok = env_double("GM_SHOT_MAX", 8), mean_ok = env_double("GM_SHOT_MEAN", 0.05);
  std::printf(
      "reference %s: %dx%d, max channel diff %d (limit %g), mean %.5f (limit %g), "
      "%.4f%% of pixels differ\n",
      w[0].c_str(), shot.width, shot.height, d.max, max_ok, d.mean, mean_ok, 100 * d.frac);
  CHECK(d.max <= max_ok);
  CHECK(d.mean <= mean_ok);
}

TEST_CASE("shot: write the scene a screenshot carries (GM_SHOT_SCENE)") {
  auto w = env_words("GM_SHOT_SCENE");
  if (w.size() != 2 && w.size() != 3) return;
  auto text = gm::read_png_scene(w[0]);
  REQUIRE_MESSAGE(text.has_value(), "the screenshot carries no scene");
  gm::Scene s = gm::scene_from_json_text(*text);
  gm::save_scene(s, w[1]);
  if (w.size() == 3)
    CHECK_MESSAGE(s == gm::load_scene(w[2]), "the screenshot's scene differs from " << w[2]);
}

TEST_CASE("shot: a window shot is not blank and shows the panel (GM_SHOT_WINDOW)") {
  auto w = env_words("GM_SHOT_WINDOW");
  gm::Image img;
  if (w.size() != 1) {  // self-test: a blank picture has one colour
    img = solid(50, 40, 0, 0, 0);
    CHECK(distinct_colors(img, 0, 0, 50, 40) == 1);
    return;
  }
  img = load_png(w[0]);
  REQUIRE(img.width >= 400);
  REQUIRE(img.height >= 200);
  // The panel is the left 380 px (at scale 1): text, frames, widgets -> many colours
  // (anti-aliased text alone gives dozens). The canvas right of it holds the colormapped map.
  int panel_w = 380 * img.width / 1400 > 380 ? 380 * img.width / 1400 : 380;
  std::size_t panel = distinct_colors(img, 0, 0, panel_w - 10, img.height);
  std::size_t canvas = distinct_colors(img, panel_w + 10, 0, img.width, img.height);
  std::size_t all = distinct_colors(img, 0, 0, img.width, img.height);
  std::printf("window %s: %dx%d, distinct colours: panel %zu, canvas %zu, all %zu\n", w[0].c_str(),
              img.width, img.height, panel, canvas, all);
  CHECK(panel >= 40);
  CHECK(canvas >= 40);
  // Not blank: the most common colour covers less than 90% of the window.
  std::map<unsigned, std::size_t> counts;
  for (std::size_t i = 0; i < img.rgba.size(); i += 4)
    ++counts[unsigned(img.rgba[i]) << 16 | unsigned(img.rgba[i + 1]) << 8 | img.rgba[i + 2]];
  std::size_t top = 0;
  for (auto& [c, n] : counts) top = std::max(top, n);
  CHECK(double(top) < 0.9 * double(img.width) * img.height);
}
