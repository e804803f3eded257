// kernel_math.hpp — the formulas of docs/semantics.md in one place: a kernel resolved to its
// covariance, inverse, amplitude and cutoff; the normal-CDF difference; the exact erf cell mean for
// axis-aligned kernels and the fixed quadrature for rotated ones. Templated on the float type so
// the fast CPU backend (float) uses the same code that shaders/mixture.frag mirrors in GLSL.
// The float64 reference uses std::erfc and an adaptive quadrature instead (reference.cpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "scene.hpp"

namespace gm {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kSqrt2 = 1.41421356237309504880;
inline constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// A kernel resolved for evaluation (float64).
struct Gaussian {
  double cx = 0, cy = 0;
  double a = 1, b = 0, c = 1;     // covariance [[a, b], [b, c]]
  double ia = 1, ib = 0, ic = 1;  // its inverse
  double det = 1;
  double amp = 1;   // value at the centre: w/(2 pi sqrt(det)) for pdf, w for peak
  double mass = 1;  // integral over the plane: amp * 2 pi sqrt(det)
  double cutoff_d2 = std::numeric_limits<double>::infinity();  // k^2, or +inf
  bool axis_aligned = true;  // b == 0 exactly: separable, exact erf cell means
  double sx = 1, sy = 1;     // marginal standard deviations sqrt(a), sqrt(c)
  double rho = 0;            // correlation b / (sx sy)
  double r = 1;              // sqrt(1 - rho^2) = sqrt(det)/(sx sy), computed without cancellation

  // Mahalanobis distance squared of (x, y) to the centre.
  double d2(double x, double y) const {
    double ux = x - cx, uy = y - cy;
    return ia * ux * ux + 2 * ib * ux * uy + ic * uy * uy;
  }
};

// Covariance of a kernel: R diag(sx^2, sy^2) R^T, or the given matrix. Exact zeros for angles that
// are multiples of 90 degrees, so that such kernels take the separable path.
inline void kernel_covariance(const Kernel& k, double& a, double& b, double& c) {
  if (k.use_covariance) {
    a = k.cov_xx, b = k.cov_xy, c = k.cov_yy;
    return;
  }
  double deg = std::fmod(k.angle_deg, 180.0);
  if (deg < 0) deg += 180.0;
  double sx2 = k.sx * k.sx, sy2 = k.sy * k.sy;
  if (deg == 0.0) {
    a = sx2, b = 0, c = sy2;
  } else if (deg == 90.0) {
    a = sy2, b = 0, c = sx2;
  } else {
    double t = deg * kPi / 180.0, cs = std::cos(t), sn = std::sin(t);
    a = cs * cs * sx2 + sn * sn * sy2;
    b = cs * sn * (sx2 - sy2);
    c = sn * sn * sx2 + cs * cs * sy2;
  }
}

inline Gaussian resolve(const Kernel& k, Normalization norm, std::optional<double> cutoff) {
  Gaussian g;
  g.cx = k.cx, g.cy = k.cy;
  kernel_covariance(k, g.a, g.b, g.c);
  g.det = g.a * g.c - g.b * g.b;
  g.ia = g.c / g.det, g.ib = -g.b / g.det, g.ic = g.a / g.det;
  double sqrt_det = std::sqrt(g.det);
  g.amp = norm == Normalization::Pdf ? k.weight / (2 * kPi * sqrt_det) : k.weight;
  g.mass = g.amp * 2 * kPi * sqrt_det;
  if (cutoff) g.cutoff_d2 = *cutoff * *cutoff;
  g.axis_aligned = g.b == 0.0;
  g.sx = std::sqrt(g.a), g.sy = std::sqrt(g.c);
  g.rho = g.b / (g.sx * g.sy);
  g.r = std::sqrt(g.det) / (g.sx * g.sy);
  return g;
}

// erfc with relative error < 1.2e-7 everywhere (Chebyshev fit, Numerical Recipes' erfcc). The same
// formula is in shaders/mixture.frag; float code uses it because GLSL has no erf.
template <class T>
T erfc_approx(T z) {
  T az = std::abs(z);
  T t = T(1) / (T(1) + T(0.5) * az);
  T r = t *
        std::exp(-az * az - T(1.26551223) +
                 t * (T(1.00002368) +
                      t * (T(0.37409196) +
                           t * (T(0.09678418) +
                                t * (T(-0.18628806) +
                                     t * (T(0.27886807) +
                                          t * (T(-1.13520398) +
                                               t * (T(1.48851587) + t * (T(-0.82215223) +
                                                                         t * T(0.17087277))))))))));
  return z >= T(0) ? r : T(2) - r;
}

template <class T>
T erfc_t(T z) {
  if constexpr (std::is_same_v<T, double>) {
    return std::erfc(z);
  } else {
    return erfc_approx(z);
  }
}

// Phi(hi) - Phi(lo) for the standard normal, accurate for narrow intervals (5-point Gauss-Legendre
// of the density, no cancellation) and in both tails (erfc of the far side).
template <class T>
T norm_cdf_diff(T lo, T hi) {
  if (!(hi > lo)) return T(0);
  T h = hi - lo;
  if (h < T(1)) {
    // 5-point Gauss-Legendre on [lo, hi]; error < 1e-9 relative for h < 1.
    const T xg[5] = {T(0), T(0.5384693101056831), T(-0.5384693101056831), T(0.9061798459386640),
                     T(-0.9061798459386640)};
    const T wg[5] = {T(0.5688888888888889), T(0.4786286704993665), T(0.4786286704993665),
                     T(0.2369268850561891), T(0.2369268850561891)};
    T mid = T(0.5) * (lo + hi), half = T(0.5) * h, s = T(0);
    for (int i = 0; i < 5; ++i) {
      T u = mid + half * xg[i];
      s += wg[i] * std::exp(T(-0.5) * u * u);
    }
    return s * half * T(kInvSqrt2Pi);
  }
  const T r2 = T(1.0 / kSqrt2);
  if (lo >= T(0)) return T(0.5) * (erfc_t(lo * r2) - erfc_t(hi * r2));
  if (hi <= T(0)) return T(0.5) * (erfc_t(-hi * r2) - erfc_t(-lo * r2));
  return T(1) - T(0.5) * (erfc_t(-lo * r2) + erfc_t(hi * r2));
}

// Probability mass of an axis-aligned normal in the cell [xl, xr] x [yl, yr] (exact, via erf).
template <class T>
T cell_prob_axis(T cx, T cy, T sx, T sy, T xl, T xr, T yl, T yr) {
  return norm_cdf_diff((xl - cx) / sx, (xr - cx) / sx) *
         norm_cdf_diff((yl - cy) / sy, (yr - cy) / sy);
}

// Probability mass of a correlated normal in a cell, by a fixed quadrature:
//   P = integral over z in [zl, zr] of phi(z) * [Phi(u_t(z)) - Phi(u_b(z))] dz,
// z = (x - cx)/sx standardized, u(z) = (eta - rho z)/r the conditional of y given x, r =
// sqrt(1-rho^2). The inner integral is exact; the outer runs over panels split at the places where
// the inner terms change fast (z = eta/rho, width r/|rho|) and at most kPanelLen long, 5
// Gauss-Legendre points each. |z| is clipped to kZMax (the tail beyond holds < 3e-12 of the mass).
// r = sqrt(1 - rho^2) must come from float64 (Gaussian::r): from a float rho near +-1 it loses
// everything (a 1000:1 needle would be off by 2e-2).
template <class T>
T cell_prob_rotated(T cx, T cy, T sx, T sy, T rho, T r, T xl, T xr, T yl, T yr) {
  constexpr T kZMax = T(7);
  constexpr T kPanelLen = T(1.5);
  T zl = std::max((xl - cx) / sx, -kZMax), zr = std::min((xr - cx) / sx, kZMax);
  if (!(zr > zl)) return T(0);
  T eb = (yl - cy) / sy, et = (yr - cy) / sy;
  T w = r / std::abs(rho);  // transition width of the inner terms in z
  // Breakpoints: the ends, and each inner transition at offsets {-4,-1.5,0,1.5,4} * width.
  constexpr int kOffsets = 5;
  const T offs[kOffsets] = {T(-4), T(-1.5), T(0), T(1.5), T(4)};
  T bp[2 + 2 * kOffsets];
  int n = 0;
  bp[n++] = zl;
  bp[n++] = zr;
  T zc[2] = {eb / rho, et / rho};
  for (T z0 : zc)
    for (T o : offs) {
      T z = z0 + o * w;
      if (z > zl && z < zr) bp[n++] = z;
    }
  for (int i = 1; i < n; ++i)  // insertion sort: n <= 12, and the GLSL twin does the same
    for (int j = i; j > 0 && bp[j - 1] > bp[j]; --j) std::swap(bp[j - 1], bp[j]);
  const T xg[5] = {T(0), T(0.5384693101056831), T(-0.5384693101056831), T(0.9061798459386640),
                   T(-0.9061798459386640)};
  const T wg[5] = {T(0.5688888888888889), T(0.4786286704993665), T(0.4786286704993665),
                   T(0.2369268850561891), T(0.2369268850561891)};
  T total = T(0);
  for (int i = 0; i + 1 < n; ++i) {
    T a0 = bp[i], a1 = bp[i + 1];
    if (!(a1 > a0)) continue;
    int panels = int(std::ceil((a1 - a0) / kPanelLen));
    T ph = (a1 - a0) / T(panels);
    for (int p = 0; p < panels; ++p) {
      T mid = a0 + (T(p) + T(0.5)) * ph, half = T(0.5) * ph, s = T(0);
      for (int q = 0; q < 5; ++q) {
        T z = mid + half * xg[q];
        s += wg[q] * std::exp(T(-0.5) * z * z) *
             norm_cdf_diff((eb - rho * z) / r, (et - rho * z) / r);
      }
      total += s * half;
    }
  }
  return total * T(kInvSqrt2Pi);
}

}  // namespace gm
