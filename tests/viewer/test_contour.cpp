// test_contour.cpp — contour levels at equal colour steps (the inverse of normalize_value) and
// marching squares on a known field.
#include <doctest/doctest.h>

#include <cmath>

#include "core/colormap.hpp"
#include "viewer/contour.hpp"

using gm::viewer::contour_levels;
using gm::viewer::contour_segments;
using gm::viewer::value_at_t;

TEST_CASE("contour: value_at_t inverts normalize_value under every scale") {
  for (gm::ValueRange r : {gm::ValueRange{0, 1}, gm::ValueRange{-2, 5}, gm::ValueRange{1e-3, 40}})
    for (gm::Scale s : {gm::Scale::Linear, gm::Scale::Sqrt, gm::Scale::Log})
      for (double t : {0.0, 0.1, 0.5, 0.77, 1.0}) {
        double v = value_at_t(t, r, s);
        CHECK(gm::normalize_value(v, r, s) == doctest::Approx(t).epsilon(1e-9));
      }
  auto l = contour_levels({0, 1}, gm::Scale::Linear, 3);
  REQUIRE(l.size() == 3);
  CHECK(l[0] == doctest::Approx(0.25));
  CHECK(l[2] == doctest::Approx(0.75));
  CHECK(contour_levels({0, 1}, gm::Scale::Linear, 0).empty());
  CHECK(contour_levels({1, 1}, gm::Scale::Linear, 4).empty());
}

TEST_CASE("contour: marching squares on a cone finds the circle, in domain units") {
  gm::Scene s;
  s.width = 81, s.height = 61;
  s.domain_x = std::array<double, 2>{-40, 40};  // one unit per pixel
  s.domain_y = std::array<double, 2>{30, -30};  // reversed: row 0 is y = 30
  gm::Grid g = gm::Grid::of(s);
  gm::Field f(s.width, s.height);
  for (int r = 0; r < s.height; ++r)
    for (int c = 0; c < s.width; ++c) f.at(r, c) = float(std::hypot(g.x(c) - 3, g.y(r) + 2));
  auto segs = contour_segments(f, g, 20.0);
  CHECK(segs.size() > 100);
  double worst = 0;
  for (const auto& sg : segs)
    for (auto p : {sg.a, sg.b})
      worst = std::max(worst, std::abs(std::hypot(p.x - 3, p.y + 2) - 20));
  CHECK(worst < 0.05);  // linear interpolation of a cone along cell edges
  // Coarser sampling still finds it; a level outside the field finds nothing.
  CHECK(contour_segments(f, g, 20.0, 4).size() > 20);
  CHECK(contour_segments(f, g, 1000.0).empty());
}
