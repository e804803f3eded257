// test_fast_eval.cpp — the fast CPU backend (gm::evaluate_fast) against the float64 reference on
// random scenes (fixed seed): every combine x normalization x sampling x cutoff x rotation, 1 to a
// few hundred kernels (and one 10,000-kernel cutoff scene), sizes 1x1 to 1024x768, linspace domains
// (reversed and far from the origin too). Budgets (max error / field peak,
// tests/error_budgets.hpp): a few times the worst error measured, printed with it. Pixel x kernel
// products are kept moderate so the float64 reference (adaptive quadrature for rotated area
// sampling) stays within the test's time.
// Windows: bit-identical to the same slice of the whole render (memcmp), also with the scene cut
// down to the window's kernels, in several batches, on other thread counts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
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

// The instruction-set paths this machine runs (baseline always; AVX2 and AVX-512 where present).
std::vector<CpuPath> cpu_paths() {
  std::vector<CpuPath> v;
  for (CpuPath p : {CpuPath::Baseline, CpuPath::Avx2, CpuPath::Avx512})
    if (fast_eval_path(p) == p) v.push_back(p);
  return v;
}

Field evaluate_on(const Scene& s, CpuPath path) {
  FastEvalOptions o;
  o.path = path;
  return evaluate_fast(s, o);
}

// Compares every path with the reference, records the worst figure, checks the budget.
void check_scene(const Scene& s, Worst& worst_point, Worst& worst_area, bool verbose = false) {
  const ReferenceResult ref = evaluate_reference(s);
  for (CpuPath path : cpu_paths()) {
    const Field got = evaluate_on(s, path);
    REQUIRE(got.width == s.width);
    REQUIRE(got.height == s.height);
    const FieldError e = compare(got, ref.field);
    const bool point = s.sampling == Sampling::Point;
    const double tol = point ? test::kFastPoint : test::kFastArea;
    Worst& w = point ? worst_point : worst_area;
    const std::string what = describe(s) + " on " + to_string(path);
    if (e.max_rel_peak >= w.rel) w = {e.max_rel_peak, what};
    INFO(what << ": max error " << e.max_abs << ", relative to peak " << e.max_rel_peak << " (peak "
              << e.peak << ")");
    CHECK(e.max_rel_peak <= tol);
    if (verbose) MESSAGE(what << ": max error / peak " << e.max_rel_peak);
  }
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

// Settings of combination `combo` in 0..47 (combine x normalization x sampling x cutoff x
// rotation); returns whether the scene's kernels are to be rotated.
bool combo_settings(Gen& g, int combo, Scene& s) {
  s.combine = Combine(combo % 3);
  s.normalization = Normalization((combo / 3) % 2);
  s.sampling = Sampling((combo / 6) % 2);
  const bool cutoff = (combo / 12) % 2, rotated = (combo / 24) % 2;
  if (cutoff) s.cutoff_sigma = g.chance(0.5) ? 3.0 : g.range(0.5, 5);
  return rotated;
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
      const bool rotated = combo_settings(g, combo, s);
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
    const FieldD r = evaluate_reference(s).field;
    for (std::size_t p = 0; p < r.data.size(); ++p)
      rim_pixels += r.data[p] != 0.0 && r.data[p] < 0.05;
    for (CpuPath path : cpu_paths()) {
      const Field f = evaluate_on(s, path);
      int differ = 0;
      for (std::size_t p = 0; p < f.data.size(); ++p)
        differ += (f.data[p] == 0.0f) != (r.data[p] == 0.0);
      INFO(describe(s) << " on " << to_string(path) << " centre (" << k.cx << ", " << k.cy
                       << ") sigma (" << k.sx << ", " << k.sy << ") angle " << k.angle_deg);
      CHECK(differ == 0);
    }
    ++scenes;
  }
  std::string paths;
  for (CpuPath path : cpu_paths()) paths += std::string(" ") + to_string(path);
  MESSAGE(scenes << " single-kernel scenes, " << rim_pixels
                 << " pixels near the rim (value < 0.05 of the peak): in/out as in the reference"
                 << " on every path:" << paths);
}

namespace {

// Windows of a W x H grid: the whole grid, corners and edges, 1-pixel ones, random ones, and ones
// that cross the backend's internal tile boundaries (multiples of 16 rows and of 256 columns, which
// are also where a window's own tiles would not line up with the whole render's).
std::vector<Window> test_windows(Gen& g, int W, int H) {
  std::vector<Window> v = {
      {0, 0, H, W},     {0, 0, 1, 1},         {H - 1, W - 1, 1, 1},   {0, W - 1, H, 1},
      {H - 1, 0, 1, W}, {H / 2, W / 2, 1, 1}, {0, 0, H, (W + 1) / 2}, {H / 3, 0, H - H / 3, W}};
  for (int i = 0; i < 6; ++i) {
    Window w;
    w.row0 = g.irange(0, H - 1), w.col0 = g.irange(0, W - 1);
    w.rows = g.irange(1, H - w.row0), w.cols = g.irange(1, W - w.col0);
    v.push_back(w);
  }
  for (int b : {16, 32, 48}) {  // across a row boundary
    if (H <= b) break;
    const int r0 = std::max(0, b - g.irange(1, 7)), c0 = g.irange(0, W - 1) / 2;
    v.push_back({r0, c0, std::min(H - r0, g.irange(2, 20)), std::max(1, (W - c0) * 3 / 4)});
  }
  for (int b : {256, 512}) {  // across a column boundary
    if (W <= b) break;
    const int c0 = b - g.irange(1, 40);
    v.push_back({g.irange(0, H - 1), c0, 1, std::min(W - c0, g.irange(41, 300))});
    v.push_back({0, c0 + 1, H, std::min(W - c0 - 1, 300)});
  }
  return v;
}

// The scene cut down to the kernels whose 13-sigma (or cutoff) box, padded by 2 pixels, touches
// the window: what a chunked renderer hands each chunk. A superset of the kernels that can reach.
Scene cut_to_window(const Scene& s, const Window& w, bool& left_out) {
  const Grid grid = Grid::of(s);
  Scene c = s;
  c.kernels.clear();
  left_out = false;
  const double r = s.cutoff_sigma ? *s.cutoff_sigma : 13.0;
  for (const Kernel& k : s.kernels) {
    if (!k.visible) continue;
    const Gaussian gs = resolve(k, s.normalization, s.cutoff_sigma);
    const double hx = r * gs.sx + grid.cell_w, hy = r * gs.sy + grid.cell_h;
    auto touches = [](double c0, double h, double x0, double dx, int a, int n) {
      if (dx == 0.0) return std::abs(c0 - x0) <= h;
      double i0 = (c0 - h - x0) / dx, i1 = (c0 + h - x0) / dx;
      if (i0 > i1) std::swap(i0, i1);
      return i1 >= a - 2 && i0 <= a + n - 1 + 2;
    };
    if (touches(gs.cx, hx, grid.x0, grid.dx, w.col0, w.cols) &&
        touches(gs.cy, hy, grid.y0, grid.dy, w.row0, w.rows))
      c.kernels.push_back(k);
    else
      left_out = true;
  }
  return c;
}

// Bits of `win` against the same slice of `whole`.
bool same_bits(const Field& whole, const Field& win, const Window& w) {
  if (win.width != w.cols || win.height != w.rows) return false;
  for (int r = 0; r < w.rows; ++r)
    if (std::memcmp(&whole.at(w.row0 + r, w.col0), &win.at(r, 0),
                    sizeof(float) * std::size_t(w.cols)) != 0)
      return false;
  return true;
}

}  // namespace

TEST_CASE("fast backend: a window is bit for bit the same slice of the whole render") {
  Gen g;
  g.rng.seed(4242);
  int scenes = 0, windows = 0, cut = 0;
  for (int rep = 0; rep < 3; ++rep)
    for (int combo = 0; combo < 48; ++combo) {
      Scene s;
      const bool rotated = combo_settings(g, combo, s);
      const bool slow = s.sampling == Sampling::Area && rotated;  // quadrature per pixel
      s.width = slow ? g.irange(1, 70) : (g.chance(0.5) ? g.irange(1, 600) : g.irange(250, 700));
      s.height = slow ? g.irange(1, 40) : g.irange(1, 90);
      if (g.chance(0.5)) {
        const double off = g.chance(0.3) ? g.range(-1e5, 1e5) : g.range(-10, 10);
        const double span = std::pow(10.0, g.range(-1, 3)) * (g.chance(0.3) ? -1 : 1);
        s.domain_x = std::array<double, 2>{off, off + span};
        s.domain_y = std::array<double, 2>{off, off - span * g.range(0.3, 2)};
      }
      random_kernels(g, s, g.irange(1, slow ? 6 : 40), rotated);
      const std::vector<CpuPath> paths = cpu_paths();
      const CpuPath path = paths[std::size_t(combo) % paths.size()];  // each path in turn
      const Field whole = evaluate_on(s, path);
      // Several batches instead of one, and three threads: the same bits.
      FastEvalOptions small;
      small.batch_entries = std::size_t(g.irange(1, 400)), small.threads = 3, small.path = path;
      CAPTURE(combo);
      INFO(describe(s));
      CHECK(same_bits(whole, evaluate_fast(s, small), {0, 0, s.height, s.width}));
      // Into a buffer of NaNs: every value is written (evaluate_fast's own output starts
      // uninitialized, so a pixel left unwritten would hold whatever the memory held).
      Field into(s.width, s.height);
      std::fill(into.data.begin(), into.data.end(), std::numeric_limits<float>::quiet_NaN());
      evaluate_fast_into(s, small, into.data.data());
      CHECK(same_bits(whole, into, {0, 0, s.height, s.width}));
      for (const Window& w : test_windows(g, s.width, s.height)) {
        INFO("window (" << w.row0 << ", " << w.col0 << ", " << w.rows << ", " << w.cols << ")");
        FastEvalOptions o;
        o.window = w;
        o.threads = g.irange(1, 3);
        o.path = path;
        CHECK(same_bits(whole, evaluate_fast(s, o), w));
        o.batch_entries = small.batch_entries;
        CHECK(same_bits(whole, evaluate_fast(s, o), w));
        // Only the kernels that touch the window (as a chunked render hands them out).
        FastEvalOptions oc;
        oc.window = w;
        oc.path = path;
        const Scene sc = cut_to_window(s, w, oc.kernels_left_out);
        cut += sc.kernels.size() < s.kernels.size();
        CHECK(same_bits(whole, evaluate_fast(sc, oc), w));
        ++windows;
      }
      ++scenes;
    }
  MESSAGE(
      scenes << " random scenes, " << windows << " windows (" << cut
             << " of them with the scene cut down to the window's kernels) compared bit for bit");
  CHECK(windows > 1000);
}

TEST_CASE("fast backend: long runs of wide separable kernels (sum) against reference and windows") {
  // More consecutive wide axis-aligned kernels than one run takes (the fold cuts them into runs
  // of 128): partial spans at tile edges, a cutoff on half the scenes. Every path against the
  // float64 reference, and windows bit for bit against the whole render.
  Gen g;
  g.rng.seed(9090);
  Worst wp, wa;
  int windows = 0;
  for (int rep = 0; rep < 4; ++rep) {
    Scene s;
    s.width = g.irange(300, 700), s.height = g.irange(20, 60);
    if (rep % 2) s.cutoff_sigma = g.range(1.5, 4);
    for (int i = 0; i < 300; ++i) {
      Kernel k;
      k.cx = g.range(-50, s.width + 50), k.cy = g.range(-10, s.height + 10);
      k.sx = g.range(20, 120), k.sy = g.range(5, 60);
      k.weight = g.range(0.1, 2);
      s.kernels.push_back(k);
    }
    check_scene(s, wp, wa);
    for (CpuPath path : cpu_paths()) {
      const Field whole = evaluate_on(s, path);
      for (const Window& w : test_windows(g, s.width, s.height)) {
        INFO(describe(s) << " on " << to_string(path) << ", window (" << w.row0 << ", " << w.col0
                         << ", " << w.rows << ", " << w.cols << ")");
        FastEvalOptions o;
        o.window = w, o.path = path, o.threads = g.irange(1, 3);
        CHECK(same_bits(whole, evaluate_fast(s, o), w));
        ++windows;
      }
    }
  }
  MESSAGE("300 wide kernels: worst error / peak " << wp.rel << " (" << wp.what << "); " << windows
                                                  << " windows bit for bit");
}

TEST_CASE("fast backend: a window outside the grid is an error naming `window`") {
  Scene s;
  s.width = 30, s.height = 20;
  s.kernels = {Kernel{}};
  const Window bad[] = {{-1, 0, 1, 1}, {0, -1, 1, 1}, {0, 0, 21, 1}, {0, 0, 1, 31},
                        {20, 0, 1, 1}, {0, 30, 1, 1}, {5, 5, -1, 2}, {19, 29, 2, 1}};
  for (const Window& w : bad) {
    FastEvalOptions o;
    o.window = w;
    INFO("window (" << w.row0 << ", " << w.col0 << ", " << w.rows << ", " << w.cols << ")");
    CHECK_THROWS_WITH_AS(evaluate_fast(s, o), doctest::Contains("window"), InputError);
  }
  FastEvalOptions o;  // an empty window inside the grid is an empty field
  o.window = Window{3, 4, 0, 5};
  const Field f = evaluate_fast(s, o);
  CHECK(f.width == 5);
  CHECK(f.height == 0);
}
