// test_fast_eval.cpp — the fast CPU backend (gm::evaluate_fast) against the float64 reference on
// random scenes (fixed seed): every combine x normalization x sampling x cutoff x rotation, 1 to a
// few hundred kernels (and one 10,000-kernel cutoff scene), sizes 1x1 to 1024x768, linspace domains
// (reversed and far from the origin too). Budgets (max error / field peak,
// tests/error_budgets.hpp): a few times the worst error measured, printed with it. Pixel x kernel
// products are kept moderate so the float64 reference (adaptive quadrature for rotated area
// sampling) stays within the test's time.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "core/fast_eval.hpp"
#include "core/reference.hpp"
#include "error_budgets.hpp"

namespace {

using namespace gm;

struct Worst {
  double rel = 0;
  std::string what;
};

std::string describe(const Scene& s) {
  std::ostringstream o;
  auto [x0, x1] = s.x_range();
  auto [y0, y1] = s.y_range();
  o << s.width << "x" << s.height << " x[" << x0 << "," << x1 << "] y[" << y0 << "," << y1 << "] "
    << to_string(s.combine) << "/" << to_string(s.normalization) << "/" << to_string(s.sampling)
    << " cutoff=" << (s.cutoff_sigma ? std::to_string(*s.cutoff_sigma) : "none")
    << " kernels=" << s.kernels.size();
  return o.str();
}

// Compares, records the worst figure, checks the budget.
void check_scene(const Scene& s, Worst& worst_point, Worst& worst_area, bool verbose = false) {
  const ReferenceResult ref = evaluate_reference(s);
  const Field got = evaluate_fast(s);
  REQUIRE(got.width == s.width);
  REQUIRE(got.height == s.height);
  const FieldError e = compare(got, ref.field);
  const bool point = s.sampling == Sampling::Point;
  const double tol = point ? test::kFastPoint : test::kFastArea;
  Worst& w = point ? worst_point : worst_area;
  if (e.max_rel_peak >= w.rel) w = {e.max_rel_peak, describe(s)};
  INFO(describe(s) << ": max error " << e.max_abs << ", relative to peak " << e.max_rel_peak
                   << " (peak " << e.peak << ")");
  CHECK(e.max_rel_peak <= tol);
  if (verbose) MESSAGE(describe(s) << ": max error / peak " << e.max_rel_peak);
}

struct Gen {
  std::mt19937_64 rng{20261121};
  double u() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }
  double range(double a, double b) { return a + (b - a) * u(); }
  int irange(int a, int b) { return a + int(u() * (b - a + 1)) % (b - a + 1); }
  bool chance(double p) { return u() < p; }
};

// Size and domain: odd and degenerate sizes, default pixel grids, reversed and offset domains.
void random_grid(Gen& g, Scene& s, int max_pixels) {
  static const int kSides[] = {1, 2, 3, 7, 16, 31, 64, 97, 128, 255};
  const bool big = max_pixels >= 1024 * 768 && g.chance(0.1);
  do {
    if (big) {
      s.width = g.irange(300, 1024), s.height = g.irange(200, 768);
    } else {
      s.width = g.chance(0.5) ? kSides[g.irange(0, 9)] : g.irange(1, 300);
      s.height = g.chance(0.5) ? kSides[g.irange(0, 9)] : g.irange(1, 200);
    }
  } while (s.width * s.height > max_pixels);
  s.domain_x.reset(), s.domain_y.reset();
  if (g.chance(0.5)) {
    const double offset = g.chance(0.2) ? g.range(-1e5, 1e5) : g.range(-10, 10);
    const double span = std::pow(10.0, g.range(-2, 3)) * (g.chance(0.3) ? -1 : 1);
    s.domain_x = std::array<double, 2>{offset, offset + span};
    const double aspect = g.range(0.5, 2) * (g.chance(0.3) ? -1 : 1);
    const double oy = g.range(-10, 10);
    s.domain_y = std::array<double, 2>{oy, oy + std::abs(span) * aspect};
  }
}

// Kernels placed over the domain (some outside it), sigmas from a fraction of a pixel to a large
// part of the image, rotated (or covariance) when asked; weights per combine rule; a few hidden.
void random_kernels(Gen& g, Scene& s, int n, bool rotated) {
  const Grid grid = Grid::of(s);
  auto [x0, x1] = s.x_range();
  auto [y0, y1] = s.y_range();
  const double sx_unit = s.width > 1 ? grid.cell_w : std::max(std::abs(y1 - y0) / 50, 1e-3);
  const double sy_unit = s.height > 1 ? grid.cell_h : sx_unit;
  const double extent = std::max(s.width, s.height);
  s.kernels.clear();
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = x0 + (x1 - x0) * g.range(-0.2, 1.2);
    k.cy = y0 + (y1 - y0) * g.range(-0.2, 1.2);
    if (s.width == 1) k.cx = x0 + sx_unit * g.range(-3, 3);
    if (s.height == 1) k.cy = y0 + sy_unit * g.range(-3, 3);
    const double sp = std::exp(g.range(std::log(0.3), std::log(std::max(0.4 * extent, 1.0))));
    k.sx = sp * sx_unit * g.range(0.5, 2);
    k.sy = sp * sy_unit * g.range(0.5, 2);
    if (rotated) {
      if (g.chance(0.25)) {  // covariance form, strongly correlated at times
        const double rho = g.range(-0.97, 0.97);
        k.use_covariance = true;
        k.cov_xx = k.sx * k.sx, k.cov_yy = k.sy * k.sy, k.cov_xy = rho * k.sx * k.sy;
      } else {
        k.angle_deg = g.range(-360, 360);
      }
    } else if (g.chance(0.2)) {
      k.angle_deg = 90.0 * g.irange(-2, 3);  // multiples of 90: still axis-aligned
    }
    switch (s.combine) {
      case Combine::Sum:
        k.weight = g.chance(0.2) ? -g.range(0, 0.3) : g.range(0.2, 2);
        break;
      case Combine::Max:
        k.weight = g.chance(0.1) ? -g.range(0, 1) : g.range(0.1, 2);
        break;
      case Combine::ProbOr:
        k.weight = g.range(0.05, 1.2);
        break;
    }
    k.visible = !g.chance(0.08);
    s.kernels.push_back(k);
  }
}

}  // namespace

TEST_CASE("fast backend matches the float64 reference on random scenes") {
  Gen g;
  Worst wp, wa;
  int scenes = 0;
  // 48 combinations x 5 scenes each.
  for (int rep = 0; rep < 5; ++rep)
    for (int combo = 0; combo < 48; ++combo) {
      Scene s;
      s.combine = Combine(combo % 3);
      s.normalization = Normalization((combo / 3) % 2);
      s.sampling = Sampling((combo / 6) % 2);
      const bool cutoff = (combo / 12) % 2, rotated = (combo / 24) % 2;
      if (cutoff) s.cutoff_sigma = g.chance(0.5) ? 3.0 : g.range(0.5, 5);
      const bool area = s.sampling == Sampling::Area;
      // Pixel x kernel budget for the reference: rotated area is adaptive quadrature per pixel.
      const double budget = area ? (rotated ? 4e4 : 6e5) : 3e6;
      random_grid(g, s, area ? (rotated ? 60 * 60 : 300 * 200) : 1024 * 768);
      const double px = double(s.width) * s.height;
      int max_k = int(std::clamp(budget / px, 1.0, 300.0));
      int n = g.chance(0.3) ? g.irange(1, 3) : g.irange(1, max_k);
      random_kernels(g, s, n, rotated);
      CAPTURE(combo);
      check_scene(s, wp, wa);
      ++scenes;
    }
  MESSAGE(scenes << " random scenes; worst point: " << wp.rel << " (budget " << test::kFastPoint
                 << "; " << wp.what << "); worst area: " << wa.rel << " (budget " << test::kFastArea
                 << "; " << wa.what << ")");
  CHECK(scenes >= 200);
}

TEST_CASE("fast backend: large, many-kernel and edge scenes") {
  Gen g;
  g.rng.seed(7);
  Worst wp, wa;
  SUBCASE("1024x768, few kernels, each combine") {
    for (int c = 0; c < 3; ++c) {
      Scene s;
      s.width = 1024, s.height = 768, s.combine = Combine(c);
      if (c == 1) s.cutoff_sigma = 3.0;
      random_kernels(g, s, 1 + c, c == 2);
      check_scene(s, wp, wa, true);
    }
  }
  SUBCASE("10,000 kernels, cutoff 3, modest size") {
    Scene s;
    s.width = 129, s.height = 97;
    s.cutoff_sigma = 3.0;
    s.kernels.reserve(10000);
    for (int i = 0; i < 10000; ++i) {
      Kernel k;
      k.cx = g.range(-5, 133), k.cy = g.range(-5, 101);
      k.sx = g.range(0.5, 4), k.sy = g.range(0.5, 4);
      if (g.chance(0.3)) k.angle_deg = g.range(0, 180);
      k.weight = g.range(0.1, 1);
      s.kernels.push_back(k);
    }
    check_scene(s, wp, wa, true);
    s.combine = Combine::Max;
    check_scene(s, wp, wa, true);
  }
  SUBCASE("cutoff rim on grid points: the same pixels are in as in the reference") {
    Scene s;
    s.width = 41, s.height = 41, s.normalization = Normalization::Peak, s.cutoff_sigma = 3.0;
    Kernel k;
    k.cx = 20, k.cy = 20, k.sx = 3, k.sy = 5;  // pixels at x = 11, 29 and y = 5, 35 sit on the rim
    s.kernels = {k};
    check_scene(s, wp, wa, true);
    const Field f = evaluate_fast(s);
    const FieldD r = evaluate_reference(s).field;
    int differ = 0, inside = 0;
    for (std::size_t i = 0; i < f.data.size(); ++i) {
      differ += (f.data[i] == 0.0f) != (r.data[i] == 0.0);
      inside += r.data[i] != 0.0;
    }
    CHECK(differ == 0);
    CHECK(inside > 100);
  }
  SUBCASE("far-off domain, narrow kernels") {
    Scene s;
    s.width = 200, s.height = 150;
    s.domain_x = std::array<double, 2>{1e6, 1e6 + 199 * 0.01};
    s.domain_y = std::array<double, 2>{-5e5 + 149 * 0.01, -5e5};  // reversed
    for (int i = 0; i < 20; ++i) {
      Kernel k;
      k.cx = 1e6 + g.range(0, 2), k.cy = -5e5 + g.range(0, 1.5);
      k.sx = g.range(0.01, 0.1), k.sy = g.range(0.01, 0.1), k.angle_deg = g.range(0, 180);
      s.kernels.push_back(k);
    }
    check_scene(s, wp, wa, true);
  }
  SUBCASE("wide kernels without cutoff (folded four at a time), each combine") {
    for (int c = 0; c < 3; ++c) {
      Scene s;
      s.width = 600, s.height = 50, s.combine = Combine(c);
      for (int i = 0; i < 13; ++i) {
        Kernel k;
        k.cx = g.range(0, 599), k.cy = g.range(0, 49), k.sx = g.range(40, 200),
        k.sy = g.range(5, 30);
        k.weight = c == 2 ? g.range(0.1, 0.9) : g.range(-0.2, 1);
        s.kernels.push_back(k);
      }
      check_scene(s, wp, wa, true);
    }
  }
  SUBCASE("long thin rotated kernels (up to 1000:1)") {
    for (int smp = 0; smp < 2; ++smp) {
      Scene s;
      s.width = smp ? 40 : 300, s.height = smp ? 30 : 200, s.sampling = Sampling(smp);
      s.normalization = Normalization::Peak;
      for (int i = 0; i < 6; ++i) {
        Kernel k;
        k.cx = g.range(0, s.width - 1), k.cy = g.range(0, s.height - 1);
        k.sx = g.range(10, 60), k.sy = k.sx / std::pow(10.0, g.range(1, 3));
        k.angle_deg = g.range(0, 180);
        s.kernels.push_back(k);
      }
      check_scene(s, wp, wa, true);
      s.cutoff_sigma = 3.0;
      check_scene(s, wp, wa, true);
    }
  }
  SUBCASE("max: negative weights, cutoff folds in 0 outside the ellipses") {
    Scene s;
    s.width = 60, s.height = 40, s.combine = Combine::Max, s.cutoff_sigma = 2.0;
    random_kernels(g, s, 8, false);
    for (std::size_t i = 0; i < s.kernels.size(); ++i)  // half of them negative
      s.kernels[i].weight = (i % 2 ? -1 : 1) * std::abs(s.kernels[i].weight),
      s.kernels[i].visible = true;
    check_scene(s, wp, wa, true);
  }
  SUBCASE("no visible kernel: zeros") {
    for (int c = 0; c < 3; ++c) {
      Scene s;
      s.width = 5, s.height = 3, s.combine = Combine(c);
      Kernel k;
      k.visible = false;
      s.kernels = {k};
      const Field f = evaluate_fast(s);
      CHECK(std::all_of(f.data.begin(), f.data.end(), [](float v) { return v == 0.0f; }));
    }
  }
  SUBCASE("prob_or with pdf values over 1 (clamped)") {
    Scene s;
    s.width = 30, s.height = 30, s.combine = Combine::ProbOr;
    random_kernels(g, s, 10, true);
    for (Kernel& k : s.kernels) k.sx *= 0.1, k.sy *= 0.1;
    check_scene(s, wp, wa, true);
  }
  SUBCASE("thread counts give the same field") {
    Scene s;
    s.width = 333, s.height = 257, s.cutoff_sigma = 3.0;
    random_kernels(g, s, 50, true);
    FastEvalOptions one, three;
    one.threads = 1, three.threads = 3;
    const Field a = evaluate_fast(s, one), b = evaluate_fast(s, three);
    CHECK(a.data == b.data);
  }
}

TEST_CASE("fast backend: cutoff rim decisions are the reference's, pixel for pixel") {
  // One kernel per scene, so a pixel is 0 exactly where the reference's d2 > k^2 says so. Centres,
  // sigmas and k on "round" values half of the time put pixel centres exactly on the rim.
  Gen g;
  g.rng.seed(99);
  int scenes = 0, rim_pixels = 0;
  for (int i = 0; i < 400; ++i) {
    Scene s;
    s.width = g.irange(1, 80), s.height = g.irange(1, 60);
    s.normalization = Normalization::Peak;
    s.sampling = g.chance(0.2) ? Sampling::Area : Sampling::Point;
    const bool round = g.chance(0.5);
    s.cutoff_sigma = round ? double(g.irange(1, 5)) : g.range(0.5, 6);
    if (g.chance(0.3)) {
      const double off = g.chance(0.5) ? 1e5 : -37.5, step = round ? 0.5 : g.range(0.01, 3);
      s.domain_x = std::array<double, 2>{off, off + step * (s.width - 1)};
      s.domain_y = std::array<double, 2>{off + step * (s.height - 1), off};
    }
    const Grid grid = Grid::of(s);
    Kernel k;
    const int cc = g.irange(0, s.width - 1), cr = g.irange(0, s.height - 1);
    k.cx = round ? grid.x(cc) : grid.x(0) + g.range(-0.2, 1.2) * grid.dx * s.width;
    k.cy = round ? grid.y(cr) : grid.y(0) + g.range(-0.2, 1.2) * grid.dy * s.height;
    const double unit = s.width > 1 ? grid.cell_w : 1.0;
    k.sx = unit * (round ? double(g.irange(1, 8)) : g.range(0.3, 10));
    k.sy = unit * (round ? double(g.irange(1, 8)) : g.range(0.3, 10));
    if (g.chance(0.5)) k.angle_deg = round ? 45.0 * g.irange(0, 7) : g.range(0, 360);
    s.kernels = {k};
    const Field f = evaluate_fast(s);
    const FieldD r = evaluate_reference(s).field;
    int differ = 0;
    for (std::size_t p = 0; p < f.data.size(); ++p) {
      differ += (f.data[p] == 0.0f) != (r.data[p] == 0.0);
      rim_pixels += r.data[p] != 0.0 && r.data[p] < 0.05;
    }
    INFO(describe(s) << " centre (" << k.cx << ", " << k.cy << ") sigma (" << k.sx << ", " << k.sy
                     << ") angle " << k.angle_deg);
    CHECK(differ == 0);
    ++scenes;
  }
  MESSAGE(scenes << " single-kernel scenes, " << rim_pixels
                 << " pixels near the rim (value < 0.05 of the peak): in/out as in the reference");
}
