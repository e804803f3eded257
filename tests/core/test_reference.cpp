// test_reference.cpp — the float64 reference evaluator against closed forms and against numbers
// computed independently with scipy (docs/tools/scipy_cases.py prints them; committed here).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/kernel_math.hpp"
#include "core/reference.hpp"
#include "core/scene.hpp"
#include "error_budgets.hpp"

using namespace gm;

namespace {

Kernel cov_kernel(double cx, double cy, double a, double b, double c, double w = 1) {
  Kernel k;
  k.cx = cx, k.cy = cy, k.use_covariance = true, k.cov_xx = a, k.cov_xy = b, k.cov_yy = c;
  k.weight = w;
  return k;
}
Kernel sig_kernel(double cx, double cy, double sx, double sy, double angle = 0, double w = 1) {
  Kernel k;
  k.cx = cx, k.cy = cy, k.sx = sx, k.sy = sy, k.angle_deg = angle, k.weight = w;
  return k;
}
double point_value(const Kernel& k, Normalization n, double x, double y) {
  return reference_kernel_value(resolve(k, n, std::nullopt), Sampling::Point, x, y, 1, 1);
}

}  // namespace

TEST_CASE("reference: rotated covariance pdf equals scipy multivariate_normal.pdf") {
  Kernel k = cov_kernel(1.0, -2.0, 4.0, 1.5, 2.0);
  CHECK(point_value(k, Normalization::Pdf, 1.0, -2.0) ==
        doctest::Approx(0.06637219940618728).epsilon(1e-14));
  CHECK(point_value(k, Normalization::Pdf, 2.5, -1.0) ==
        doctest::Approx(0.046873486614480736).epsilon(1e-14));
  CHECK(point_value(k, Normalization::Pdf, -1.0, -3.5) ==
        doctest::Approx(0.03310307277828563).epsilon(1e-14));
  CHECK(point_value(k, Normalization::Pdf, 4.0, 0.0) ==
        doctest::Approx(0.016510126787546563).epsilon(1e-14));
}

TEST_CASE("reference: sigma + angle equals scipy with R diag(sx^2, sy^2) R^T") {
  Kernel k = sig_kernel(10.0, 5.0, 3.0, 1.0, 30.0);
  CHECK(point_value(k, Normalization::Pdf, 12.0, 6.0) ==
        doctest::Approx(0.039865477637950716).epsilon(1e-13));
  CHECK(point_value(k, Normalization::Pdf, 8.0, 6.0) ==
        doctest::Approx(0.008549818113346874).epsilon(1e-13));
  CHECK(point_value(k, Normalization::Pdf, 10.0, 5.0) ==
        doctest::Approx(0.05305164769729848).epsilon(1e-13));
  // Peak normalization: the centre holds the weight exactly.
  Kernel w = sig_kernel(10.0, 5.0, 3.0, 1.0, 30.0, 0.75);
  CHECK(point_value(w, Normalization::Peak, 10.0, 5.0) == 0.75);
}

TEST_CASE("reference: linspace domain [-3,3] x [-2,2] reproduces the scipy field, row 0 = y0") {
  const double expect[] = {0.00029912800004691355, 0.0032257486959679695,  0.010274875694585758,
                           0.009667077618781529,   0.002686497358198476,   0.00022052113195082966,
                           5.346709535953972e-06,  0.00048720084638413923, 0.010920887852816903,
                           0.07230701672931936,    0.1414085024266914,     0.08168516399811238,
                           0.01393745347696377,    0.0007024190141210621,  6.923156785231007e-05,
                           0.003225748695967964,   0.04439453146299813,    0.18046833282980462,
                           0.21669311809025274,    0.07685317507916446,    0.008051023477686974,
                           8.583125563854062e-07,  8.31281813986836e-05,   0.002378064753925425,
                           0.020094243274216484,   0.05015245749592552,    0.03697305733793844,
                           0.008051023477686981,   9.283931576083635e-10,  1.8690081481472973e-07,
                           1.1113811884917308e-05, 0.00019520344205351038, 0.0010127085678537258,
                           0.001551865506805031,   0.0007024190141210621};
  Scene s;
  s.width = 7, s.height = 5;
  s.domain_x = {-3.0, 3.0};
  s.domain_y = {-2.0, 2.0};
  s.kernels = {cov_kernel(0.5, -0.25, 1.0, 0.3, 0.5)};
  FieldD f = evaluate_reference(s).field;
  REQUIRE(f.data.size() == 35);
  for (int i = 0; i < 35; ++i) CHECK(f.data[i] == doctest::Approx(expect[i]).epsilon(1e-13));
}

TEST_CASE("reference: default domain is np.arange pixel indices (peak normalization)") {
  const double expect[] = {
      0.17946451515095882, 0.38204295760978246, 0.5214660480291089,  0.4563731720218443,
      0.2560910529325812,  0.09214015433738629, 0.3059160856791133,  0.6512322843039294,
      0.8888935625710473,  0.7779359294312135,  0.43653405479450463, 0.15706255537509803,
      0.33435380322833735, 0.7117703227626098,  0.9715244056259434,  0.8502522386028837,
      0.4771139155210345,  0.1716629663910832,  0.23430979918322073, 0.4987972614063232,
      0.6808287693630751,  0.5958431737834079,  0.3343538032283374,  0.12029866205775444};
  Scene s;
  s.width = 6, s.height = 4;
  s.normalization = Normalization::Peak;
  s.kernels = {sig_kernel(2.2, 1.7, 1.5, 1.5)};
  FieldD f = evaluate_reference(s).field;
  for (int i = 0; i < 24; ++i) CHECK(f.data[i] == doctest::Approx(expect[i]).epsilon(1e-14));
}

TEST_CASE("reference: a pdf sums to ~1 over a wide grid (Riemann sum with cell area)") {
  Scene s;
  s.width = 201, s.height = 161;
  s.domain_x = {-10.0, 10.0};
  s.domain_y = {-8.0, 8.0};
  s.kernels = {sig_kernel(0.3, -0.2, 1.3, 0.9, 25.0)};
  FieldD f = evaluate_reference(s).field;
  double sum = 0;
  for (double v : f.data) sum += v;
  double cell = (20.0 / 200) * (16.0 / 160);
  CHECK(sum * cell == doctest::Approx(1.0).epsilon(1e-9));
  // Area sampling integrates exactly: the cell means times cell area sum to the mass in the grid.
  s.sampling = Sampling::Area;
  s.width = 41, s.height = 33;
  FieldD fa = evaluate_reference(s).field;
  double suma = 0;
  for (double v : fa.data) suma += v;
  CHECK(suma * (20.0 / 40) * (16.0 / 32) == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("reference: prob_or equals 1-(1-p1)(1-p2) of the seed's formula (scipy numbers)") {
  Scene s = seed_scene();
  s.cutoff_sigma.reset();
  auto at = [&](int x, int y) {
    Scene t = s;
    t.width = 1, t.height = 1;
    t.domain_x = {double(x), double(x)};
    t.domain_y = {double(y), double(y)};
    return evaluate_reference(t).field.data[0];
  };
  CHECK(at(320, 240) == doctest::Approx(0.6969674772682749).epsilon(1e-14));
  CHECK(at(335, 215) == doctest::Approx(0.9536903590088622).epsilon(1e-14));
  CHECK(at(300, 300) == doctest::Approx(0.3947162766954502).epsilon(1e-14));
  CHECK(at(400, 150) == doctest::Approx(0.060142291662651726).epsilon(1e-13));
}

TEST_CASE("reference: combine rules on two kernels") {
  Scene s;
  s.width = 9, s.height = 7;
  s.normalization = Normalization::Peak;
  s.kernels = {sig_kernel(2, 3, 1.5, 2.0, 0, 0.7), sig_kernel(6, 2, 2.5, 1.0, 40, 0.5)};
  Scene smax = s, sor = s;
  smax.combine = Combine::Max;
  sor.combine = Combine::ProbOr;
  FieldD fs = evaluate_reference(s).field, fm = evaluate_reference(smax).field,
         fo = evaluate_reference(sor).field;
  Grid g = Grid::of(s);
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 9; ++c) {
      double a = point_value(s.kernels[0], Normalization::Peak, g.x(c), g.y(r));
      double b = point_value(s.kernels[1], Normalization::Peak, g.x(c), g.y(r));
      CHECK(fs.at(r, c) == doctest::Approx(a + b).epsilon(1e-15));
      CHECK(fm.at(r, c) == std::max(a, b));
      CHECK(fo.at(r, c) == doctest::Approx(1 - (1 - a) * (1 - b)).epsilon(1e-15));
    }
  CHECK_FALSE(evaluate_reference(sor).prob_or_clamped);
  // A pdf higher than 1 (sx*sy < 1/(2 pi)) is clamped under prob_or, and flagged.
  Scene hot;
  hot.width = 3, hot.height = 3, hot.combine = Combine::ProbOr;
  hot.kernels = {sig_kernel(1, 1, 0.2, 0.2)};
  ReferenceResult rh = evaluate_reference(hot);
  CHECK(rh.prob_or_clamped);
  CHECK(rh.field.at(1, 1) == 1.0);
}

TEST_CASE("reference: area sampling equals products of normal-CDF differences (scipy)") {
  struct Case {
    double cx, cy, sx, sy, x, y, expect;
  } cases[] = {{0, 0, 0.3, 0.5, 0, 0, 0.6174375494927252},
               {0, 0, 0.3, 0.5, 1, 0, 0.03262577562816423},
               {2, 3, 5.0, 2.0, 4, 1, 0.008898026620116146},
               {0, 0, 0.2, 0.2, 0.5, 0.5, 0.24999971334851023}};
  for (const Case& c : cases) {
    Gaussian g = resolve(sig_kernel(c.cx, c.cy, c.sx, c.sy), Normalization::Pdf, std::nullopt);
    CHECK(reference_kernel_value(g, Sampling::Area, c.x, c.y, 1, 1) ==
          doctest::Approx(c.expect).epsilon(1e-12));
    // The float fixed formula of kernel_math (what the fast CPU and GPU paths use) agrees.
    double pf =
        cell_prob_axis<float>(float(c.cx), float(c.cy), float(c.sx), float(c.sy), float(c.x - 0.5),
                              float(c.x + 0.5), float(c.y - 0.5), float(c.y + 0.5));
    CHECK(pf == doctest::Approx(c.expect).epsilon(2e-6));
  }
}

TEST_CASE("reference: rotated area sampling equals scipy dblquad of the pdf over the cell") {
  struct Case {
    double mx, my, a, b, c, x, y, expect;
  } cases[] = {{0, 0, 0.3, 0.2, 0.5, 0, 0, 0.3644265432843268},
               {0, 0, 0.3, 0.2, 0.5, 1, 0, 0.07755608972926491},
               {0.2, 0.1, 4.0, -1.5, 1.0, 1, -1, 0.05443696956355136},
               {0.5, 0.5, 0.04, 0.035, 0.04, 0, 0, 0.4195688553222697}};
  for (const Case& c : cases) {
    Gaussian g = resolve(cov_kernel(c.mx, c.my, c.a, c.b, c.c), Normalization::Pdf, std::nullopt);
    CHECK(reference_kernel_value(g, Sampling::Area, c.x, c.y, 1, 1) ==
          doctest::Approx(c.expect).epsilon(1e-10));
  }
}

TEST_CASE("reference: cutoff zeroes exactly beyond k sigma and nowhere inside") {
  Scene s;
  s.width = 61, s.height = 61;
  s.cutoff_sigma = 3.0;
  s.normalization = Normalization::Peak;
  s.kernels = {sig_kernel(30.2, 29.7, 6.0, 4.0, 35.0)};
  FieldD f = evaluate_reference(s).field;
  Gaussian g = resolve(s.kernels[0], Normalization::Peak, std::nullopt);
  int inside = 0, outside = 0;
  for (int r = 0; r < 61; ++r)
    for (int c = 0; c < 61; ++c) {
      double d = std::sqrt(g.d2(c, r));
      if (d > 3.0) {
        CHECK(f.at(r, c) == 0.0);
        ++outside;
      } else {
        CHECK(f.at(r, c) == doctest::Approx(std::exp(-0.5 * d * d)).epsilon(1e-15));
        CHECK(f.at(r, c) >= std::exp(-4.5));
        ++inside;
      }
    }
  CHECK(inside > 100);
  CHECK(outside > 100);
}

TEST_CASE(
    "kernel_math: the fixed rotated-cell quadrature stays within its budget of the adaptive "
    "reference") {
  // Relative to the peak: for each kernel, the largest cell mean over a grid of cells around it.
  std::mt19937_64 rng(1234);
  std::uniform_real_distribution<double> U(0, 1);
  double worst_d = 0, worst_f = 0;
  for (int trial = 0; trial < 300; ++trial) {
    double su = std::exp(std::log(0.05) + U(rng) * std::log(400.0));  // 0.05 .. 20 cells
    // Aspect ratios from 1:1 to 3000:1 (needles thinner than a cell).
    double sv = su * std::exp(std::log(1.0 / 3000) + U(rng) * std::log(3000.0));
    Kernel k = sig_kernel(U(rng), U(rng), su, sv, U(rng) * 180.0);
    Gaussian g = resolve(k, Normalization::Pdf, std::nullopt);
    if (g.axis_aligned) continue;
    int reach = int(std::min(4.0 * std::max(g.sx, g.sy), 12.0)) + 1;
    double peak = 0, err_d = 0, err_f = 0;
    for (int r = -reach; r <= reach; ++r)
      for (int c = -reach; c <= reach; ++c) {
        double ref = reference_kernel_value(g, Sampling::Area, c, r, 1, 1);
        double fd = g.mass * cell_prob_rotated<double>(g.cx, g.cy, g.sx, g.sy, g.rho, g.r, c - 0.5,
                                                       c + 0.5, r - 0.5, r + 0.5);
        double ff = double(float(g.mass)) * double(cell_prob_rotated<float>(
                                                float(g.cx), float(g.cy), float(g.sx), float(g.sy),
                                                float(g.rho), float(g.r), float(c - 0.5),
                                                float(c + 0.5), float(r - 0.5), float(r + 0.5)));
        peak = std::max(peak, std::abs(ref));
        err_d = std::max(err_d, std::abs(fd - ref));
        err_f = std::max(err_f, std::abs(ff - ref));
      }
    worst_d = std::max(worst_d, err_d / peak);
    worst_f = std::max(worst_f, err_f / peak);
  }
  MESSAGE("rotated area quadrature, max error / peak: double "
          << worst_d << ", float " << worst_f << " (budget " << test::kQuadrature << ")");
  CHECK(worst_d <= test::kQuadrature);
  CHECK(worst_f <= test::kQuadrature);
}

namespace {

// The reference's d2 rounded step by step as written, every product and sum stored to a volatile
// double: no compiler can fuse any of it into a multiply-add, whatever the flags.
double d2_stepwise(const Gaussian& g, double x, double y) {
  volatile double ux = x - g.cx, uy = y - g.cy;
  volatile double t1 = g.ia * ux;
  t1 = t1 * ux;
  volatile double t2 = 2 * g.ib;
  t2 = t2 * ux;
  t2 = t2 * uy;
  volatile double t3 = g.ic * uy;
  t3 = t3 * uy;
  volatile double sum = t1 + t2;
  sum = sum + t3;
  return sum;
}

}  // namespace

TEST_CASE(
    "kernel_math: d2 and the cutoff rim are the written formula, with no fused multiply-add") {
  // The shader and the fast backend decide cutoff rims with the reference's float64 d2
  // (docs/semantics.md); a compiler that contracts a*b+c into an FMA (GCC does by default when the
  // target has one, e.g. -march=x86-64-v3) moves d2 by an ulp and flips pixels on the rim. The
  // build turns contraction off (-ffp-contract=off, CMakeLists.txt); this holds it to that, in this
  // file (d2 inlined here) and in the library (evaluate_reference's rim).
  std::mt19937_64 rng(20261128);
  std::uniform_real_distribution<double> U(0, 1);
  int inline_differ = 0, points = 0, rim_differ = 0, rim_pixels = 0;
  for (int trial = 0; trial < 200; ++trial) {
    // Integer centres and sigmas half of the time: pixel centres exactly on the rim (d == k).
    const bool round = trial % 2 == 0;
    Scene s;
    s.width = 41, s.height = 33;
    s.normalization = Normalization::Peak;
    s.cutoff_sigma = round ? double(1 + trial % 3) : 0.5 + 4 * U(rng);
    Kernel k =
        round ? sig_kernel(20, 16, double(1 + trial % 7), double(1 + trial % 5), 45.0 * (trial % 8))
              : sig_kernel(5 + 30 * U(rng), 5 + 20 * U(rng), 0.7 + 8 * U(rng), 0.7 + 8 * U(rng),
                           360 * U(rng));
    s.kernels = {k};
    const Gaussian g = resolve(k, s.normalization, s.cutoff_sigma);
    const FieldD f = evaluate_reference(s).field;
    for (int r = 0; r < s.height; ++r)
      for (int c = 0; c < s.width; ++c) {
        const double want = d2_stepwise(g, c, r);
        inline_differ += g.d2(c, r) != want ? 1 : 0;
        ++points;
        const bool out = want > g.cutoff_d2;
        rim_differ += (f.at(r, c) == 0.0) != out ? 1 : 0;
        rim_pixels += std::abs(want - g.cutoff_d2) <= 1e-9 * g.cutoff_d2 ? 1 : 0;
      }
  }
  MESSAGE(points << " pixels, " << rim_pixels << " within 1e-9 of the rim; d2 differing from the "
                 << "stepwise formula: " << inline_differ
                 << ", cut off differently: " << rim_differ);
  CHECK(rim_pixels > 100);
  CHECK(inline_differ == 0);
  CHECK(rim_differ == 0);
}
