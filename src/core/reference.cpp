// reference.cpp — the float64 reference evaluator: per pixel, per kernel, the formula of
// docs/semantics.md written out plainly. Area sampling: exact erf products for axis-aligned
// kernels; for rotated ones the conditional decomposition P = ∫ phi(z) [Phi(u_t(z)) - Phi(u_b(z))]
// dz integrated by adaptive Gauss-Kronrod (7/15) to an absolute tolerance of 1e-15 in probability.
#include "reference.hpp"

#include "window.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace gm {

namespace {

// Phi(hi) - Phi(lo) from std::erfc of the far side (no cancellation worth speaking of in float64).
double cdf_diff(double lo, double hi) {
  if (!(hi > lo)) return 0.0;
  const double r2 = 1.0 / kSqrt2;
  if (lo >= 0) return 0.5 * (std::erfc(lo * r2) - std::erfc(hi * r2));
  if (hi <= 0) return 0.5 * (std::erfc(-hi * r2) - std::erfc(-lo * r2));
  return 1.0 - 0.5 * (std::erfc(-lo * r2) + std::erfc(hi * r2));
}

// QUADPACK's 15-point Kronrod rule and its embedded 7-point Gauss rule.
constexpr double kXgk[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.0};
constexpr double kWgk[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
constexpr double kWg[4] = {0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                           0.381830050505118944950369775488975,
                           0.417959183673469387755102040816327};

template <class F>
void gk15(const F& f, double a, double b, double& kronrod, double& gauss) {
  double c = 0.5 * (a + b), h = 0.5 * (b - a);
  double fc = f(c);
  kronrod = fc * kWgk[7];
  gauss = fc * kWg[3];
  for (int j = 0; j < 7; ++j) {
    double f1 = f(c - h * kXgk[j]), f2 = f(c + h * kXgk[j]);
    kronrod += kWgk[j] * (f1 + f2);
    if (j % 2 == 1) gauss += kWg[j / 2] * (f1 + f2);
  }
  kronrod *= h;
  gauss *= h;
}

template <class F>
double adaptive(const F& f, double a, double b, double tol, int depth) {
  double k, g;
  gk15(f, a, b, k, g);
  // Stop at the tolerance, at the float64 noise floor of this piece, or at depth 30 (the rule's
  // own error is then far below 1e-13 of the peak for any integrand gaussmap meets).
  if (std::abs(k - g) <= std::max(tol, 1e-15 * std::abs(k)) || depth >= 30) return k;
  double m = 0.5 * (a + b);
  return adaptive(f, a, m, 0.5 * tol, depth + 1) + adaptive(f, m, b, 0.5 * tol, depth + 1);
}

// Mass of the correlated normal in [xl, xr] x [yl, yr].
double cell_prob_rotated_ref(const Gaussian& g, double xl, double xr, double yl, double yr) {
  const double zmax = 9.0;  // the tail beyond holds < 2e-19 of the mass
  double zl = std::max((xl - g.cx) / g.sx, -zmax), zr = std::min((xr - g.cx) / g.sx, zmax);
  if (!(zr > zl)) return 0.0;
  double eb = (yl - g.cy) / g.sy, et = (yr - g.cy) / g.sy;
  double rho = g.rho, r = g.r;
  auto f = [&](double z) {
    return kInvSqrt2Pi * std::exp(-0.5 * z * z) * cdf_diff((eb - rho * z) / r, (et - rho * z) / r);
  };
  // Split where the inner terms turn (z = eta / rho, over a width r / |rho|), at several multiples
  // of that width: adaptive rules can accept a coarse interval whose nodes all miss a narrow step
  // (a needle kernel crossing a cell edge), so the start must already resolve the step's scale.
  // P is a probability: an absolute tolerance of 1e-15 is below 1e-10 of any cell mean that
  // matters next to the kernel's peak cell (and keeps far-away cells from refining forever).
  const double tol = 1e-15;
  const double w = g.r / std::abs(rho);
  const double offs[] = {-20, -8, -3, -1, 0, 1, 3, 8, 20};
  std::vector<double> bp = {zl, zr};
  for (double z0 : {eb / rho, et / rho})
    for (double o : offs) {
      double z = z0 + o * w;
      if (z > zl && z < zr) bp.push_back(z);
    }
  std::sort(bp.begin(), bp.end());
  double total = 0.0;
  for (std::size_t i = 0; i + 1 < bp.size(); ++i)
    if (bp[i + 1] > bp[i]) total += adaptive(f, bp[i], bp[i + 1], tol, 0);
  return total;
}

}  // namespace

double reference_kernel_value(const Gaussian& g, Sampling sampling, double x, double y, double cw,
                              double ch) {
  double d2 = g.d2(x, y);
  if (d2 > g.cutoff_d2) return 0.0;
  if (sampling == Sampling::Point) return g.amp * std::exp(-0.5 * d2);
  double xl = x - 0.5 * cw, xr = x + 0.5 * cw, yl = y - 0.5 * ch, yr = y + 0.5 * ch;
  double p = g.axis_aligned ? cdf_diff((xl - g.cx) / g.sx, (xr - g.cx) / g.sx) *
                                  cdf_diff((yl - g.cy) / g.sy, (yr - g.cy) / g.sy)
                            : cell_prob_rotated_ref(g, xl, xr, yl, yr);
  return g.mass * p / (cw * ch);
}

double combine_init(Combine c) {
  switch (c) {
    case Combine::Sum:
      return 0.0;
    case Combine::Max:
      return -std::numeric_limits<double>::infinity();
    case Combine::ProbOr:
      return 1.0;  // running product of (1 - clamp(v, 0, 1))
  }
  return 0.0;
}

double combine_fold(Combine c, double acc, double v) {
  switch (c) {
    case Combine::Sum:
      return acc + v;
    case Combine::Max:
      return std::max(acc, v);
    case Combine::ProbOr:
      return acc * (1.0 - std::clamp(v, 0.0, 1.0));
  }
  return acc;
}

double combine_finish(Combine c, double acc) {
  switch (c) {
    case Combine::Sum:
      return acc;
    case Combine::Max:
      return std::isinf(acc) ? 0.0 : acc;  // no kernel at all: 0
    case Combine::ProbOr:
      return 1.0 - acc;
  }
  return acc;
}

bool evaluate_reference_into(const Scene& scene, const Window& win, double* out, int threads,
                             bool kernels_left_out) {
  const Grid grid = Grid::of(scene);
  std::vector<Gaussian> gs;
  for (const Kernel& k : scene.kernels)
    if (k.visible) gs.push_back(resolve(k, scene.normalization, scene.cutoff_sigma));
  std::atomic<bool> clamped{false};
  std::atomic<int> next_row{0};
  auto work = [&] {
    bool my_clamped = false;
    for (int r = next_row++; r < win.rows; r = next_row++) {
      const int row = win.row0 + r;
      const double y = grid.y(row);
      double* line = out + std::size_t(r) * std::size_t(win.cols);
      for (int c = 0; c < win.cols; ++c) {
        const double x = grid.x(win.col0 + c);
        double acc = combine_init(scene.combine);
        if (kernels_left_out) acc = combine_fold(scene.combine, acc, 0.0);
        for (const Gaussian& g : gs) {
          double v = reference_kernel_value(g, scene.sampling, x, y, grid.cell_w, grid.cell_h);
          if (scene.combine == Combine::ProbOr && (v < 0.0 || v > 1.0)) my_clamped = true;
          acc = combine_fold(scene.combine, acc, v);
        }
        line[c] = combine_finish(scene.combine, acc);
      }
    }
    if (my_clamped) clamped = true;
  };
  int n = threads > 0 ? threads : int(std::max(1u, std::thread::hardware_concurrency()));
  n = std::clamp(n, 1, std::max(1, win.rows));
  std::vector<std::thread> pool;
  for (int i = 1; i < n; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return clamped;
}

ReferenceResult evaluate_reference(const Scene& scene, const std::optional<Window>& window,
                                   int threads) {
  const Window win = checked_window(scene, window);
  ReferenceResult out;
  out.field = FieldD(win.cols, win.rows);
  out.prob_or_clamped = evaluate_reference_into(scene, win, out.field.data.data(), threads);
  return out;
}

}  // namespace gm
