// rim_pixels.cpp — per kernel, per pixel row the rim crosses: the columns where d2 can lie within
// the band, solved from the quadratic in x, then checked with the reference's own d2 (see
// rim_pixels.hpp).
#include "rim_pixels.hpp"

#include <algorithm>
#include <cmath>

namespace gm::gl {

namespace {

// Roots x - cx of d2 = T on the row at offset uy: ia ux^2 + 2 ib uy ux + ic uy^2 - T = 0. False if
// the row misses the ellipse d2 <= T.
bool roots(const Gaussian& g, double uy, double t, double& lo, double& hi) {
  const double b = g.ib * uy, disc = b * b - g.ia * (g.ic * uy * uy - t);
  if (!(disc >= 0)) return false;
  const double s = std::sqrt(disc);
  lo = (-b - s) / g.ia, hi = (-b + s) / g.ia;
  return true;
}

}  // namespace

bool rim_pixels(const std::vector<Gaussian>& kernels, const Grid& grid, double cutoff_sigma,
                const Window& win, std::size_t max_pixels, std::vector<std::int32_t>& out) {
  out.clear();
  const double k2 = cutoff_sigma * cutoff_sigma;
  const double t_hi = k2 * (1 + kRimListTolerance), t_lo = k2 * (1 - kRimListTolerance);
  const int row_end = win.row0 + win.rows, col_end = win.col0 + win.cols;
  std::vector<std::int64_t> keys;  // row * 2^32 + col, sorted at the end
  auto near = [&](const Gaussian& g, double x, double y) {
    return std::abs(g.d2(x, y) - g.cutoff_d2) <= kRimListTolerance * g.cutoff_d2;
  };
  // Candidate columns of one row in the x interval [xa, xb] (domain units) widened by `margin`
  // pixels (the roots' rounding, see below); near() then decides each with the exact formula.
  auto scan = [&](const Gaussian& g, int row, double y, double xa, double xb, double margin) {
    if (grid.dx == 0) {  // every column sits at x0
      if (near(g, grid.x0, y))
        for (int col = win.col0; col < col_end; ++col)
          keys.push_back((std::int64_t(row) << 32) | col);
      return;
    }
    double ca = (xa - grid.x0) / grid.dx, cb = (xb - grid.x0) / grid.dx;
    if (ca > cb) std::swap(ca, cb);
    const double lo = std::max(std::ceil(ca - margin), double(win.col0));
    const double hi = std::min(std::floor(cb + margin), double(col_end - 1));
    for (double c = lo; c <= hi; ++c) {
      const int col = int(c);
      if (near(g, grid.x(col), y)) keys.push_back((std::int64_t(row) << 32) | col);
    }
  };
  for (const Gaussian& g : kernels) {
    const double hy = std::sqrt(t_hi * g.c), hx = std::sqrt(t_hi * g.a);
    // Rounding of the roots, in pixels: where a row is nearly tangent to the ellipse the
    // discriminant's rounding (~8 eps b^2) grows through the square root to ~sqrt(8 eps) hx =
    // 3e-8 hx; elsewhere a few eps of the coordinates. Margin: 1e-6 hx + 1e-9 of the coordinates'
    // size, 30x and more above both (the band itself is ~1e-5 of the radius wide).
    const double margin =
        grid.dx == 0
            ? 0.0
            : (1e-6 * hx + 1e-9 * (std::abs(g.cx) + std::abs(grid.x0) + hx)) / std::abs(grid.dx) +
                  1e-6;
    int r0 = win.row0, r1 = row_end - 1;
    if (grid.dy != 0) {
      double ra = (g.cy - hy - grid.y0) / grid.dy, rb = (g.cy + hy - grid.y0) / grid.dy;
      if (ra > rb) std::swap(ra, rb);
      r0 = int(std::max(std::floor(ra) - 1, double(win.row0)));
      r1 = int(std::min(std::ceil(rb) + 1, double(row_end - 1)));
    }
    for (int row = r0; row <= r1; ++row) {
      const double y = grid.y(row), uy = y - g.cy;
      double h0, h1, l0, l1;
      if (!roots(g, uy, t_hi, h0, h1)) continue;
      if (!roots(g, uy, t_lo, l0, l1)) {
        scan(g, row, y, g.cx + h0, g.cx + h1, margin);
      } else {
        scan(g, row, y, g.cx + h0, g.cx + l0, margin);
        scan(g, row, y, g.cx + l1, g.cx + h1, margin);
      }
      if (keys.size() > 2 * max_pixels) {  // duplicates are possible: prune before giving up
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        if (keys.size() > max_pixels) return false;
      }
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  if (keys.size() > max_pixels) return false;
  out.reserve(2 * keys.size());
  for (std::int64_t k : keys) {
    out.push_back(std::int32_t(k & 0xffffffff));  // col
    out.push_back(std::int32_t(k >> 32));         // row
  }
  return true;
}

}  // namespace gm::gl
