// test_shots.cpp — the picture measures behind the viewer's end-to-end checks
// (tests/tools/shot_checks.hpp, run on real shots by tests/tools/viewer_check.cpp from
// tests/cli/viewer_shots.sh), on synthetic pictures with known answers.
#include <doctest/doctest.h>

#include "tools/shot_checks.hpp"

namespace {

gm::Image solid(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  gm::Image img;
  img.width = w, img.height = h;
  img.rgba.resize(std::size_t(w) * std::size_t(h) * 4);
  for (std::size_t i = 0; i < img.rgba.size(); i += 4)
    img.rgba[i] = r, img.rgba[i + 1] = g, img.rgba[i + 2] = b, img.rgba[i + 3] = 255;
  return img;
}

}  // namespace

TEST_CASE("shot checks: differences of two pictures (max, mean, share of pixels)") {
  gm::Image a = solid(4, 3, 10, 20, 30), b = a;
  CHECK(gm::test::diff_rgb(a, b).max == 0);
  CHECK(gm::test::diff_rgb(a, b).frac == 0);
  b.rgba[0] = 13;   // pixel 0, red: +3
  b.rgba[3] = 0;    // alpha is not compared
  b.rgba[22] = 90;  // pixel 5, blue: +60
  gm::test::ShotDiff d = gm::test::diff_rgb(a, b);
  CHECK(d.max == 60);
  CHECK(d.frac == doctest::Approx(2.0 / 12));
  CHECK(d.mean == doctest::Approx(63.0 / 36));
}

TEST_CASE("shot checks: distinct colours in a rectangle, most common colour's share") {
  gm::Image img = solid(50, 40, 0, 0, 0);
  CHECK(gm::test::distinct_colors(img, 0, 0, 50, 40) == 1);
  CHECK(gm::test::top_color_share(img) == 1.0);
  for (int x = 0; x < 10; ++x) img.rgba[4 * std::size_t(x)] = std::uint8_t(x + 1);  // row 0
  CHECK(gm::test::distinct_colors(img, 0, 0, 50, 40) == 11);
  CHECK(gm::test::distinct_colors(img, 0, 1, 50, 40) == 1);        // below row 0
  CHECK(gm::test::distinct_colors(img, 5, 0, 8, 1) == 3);          // x 5..7
  CHECK(gm::test::distinct_colors(img, -20, -5, 500, 500) == 11);  // clipped
  CHECK(gm::test::top_color_share(img) == doctest::Approx(1990.0 / 2000));
  CHECK(gm::test::panel_width(solid(1400, 10, 0, 0, 0)) == 380);
  CHECK(gm::test::panel_width(solid(2800, 10, 0, 0, 0)) == 760);
  CHECK(gm::test::panel_width(solid(1024, 10, 0, 0, 0)) == 380);
}
