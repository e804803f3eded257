// fast_eval.cpp — the fast CPU backend (fast_eval.hpp): float32, threads, auto-vectorized loops.
//
// How it goes (see docs/performance.md for the numbers):
//  1. Resolve every visible kernel (float64) and find its bounding box on the grid: with a cutoff k
//     the ellipse's extent k*sqrt(a) x k*sqrt(c); without one the extent where exp(-d^2/2) < 1e-30
//     (d > 11.75), beyond which float32 cannot tell the value from 0 next to the kernel's peak.
//  2. Per kernel, per bounding-box row: completing the square in x,
//       d^2 = ia (ux - m)^2 + uy^2 / c,   m = (b / c) uy   (the ridge of the ellipse on that row),
//     so value = rowfactor(row) * exp(-ia/2 (ux - m)^2): a row factor and a 1-D profile in x. For
//     an axis-aligned kernel (b == 0) m = 0 and the x profile is the same on every row: it is
//     computed once per kernel and a pixel costs one multiply (outer product of two 1-D profiles,
//     no exp). Rotated kernels take one vectorized float exp per pixel. The row's span of columns
//     is the ellipse's chord; with a cutoff its ends are decided by the reference's own float64
//     test (d2(x, y) > k^2, same expression, same grid coordinates), so no pixel flips at the rim.
//  3. Kernels are binned into tiles of kTileH x kTileW pixels; threads take rows of tiles. A tile's
//     output (16 KiB) stays in L1 while its kernels are folded in, kernel by kernel (or four wide
//     kernels at a time where they share a span: one load and store of the output for four).
//  4. Windows: only a rectangle of the grid is computed (tiles start at its corner), from
//     whole-grid pixel indices. Every pixel folds the kernels that reach it in one order fixed by
//     each kernel alone (the whole grid's tile of its box corner, then scene order), never by
//     tiling, batching or grouping, so a window, even of a scene cut down to the kernels that
//     touch it, has the whole render's bits.
// Coordinates are taken relative to the kernel (or its ridge) in float64 before rounding to
// float32, so large domain offsets cost no precision. Area sampling: axis-aligned kernels use the
// exact erf profiles per column and per row (separable too), rotated ones
// gm::cell_prob_rotated<float> per pixel (slow, exact to ~1e-6). prob_or folds s += v (1 - s), i.e.
// s = 1 - prod(1 - v), which keeps small values exact in float32 where 1 - prod(...) would cancel.

// Lets GCC turn the selects in fast_exp and the folds into blends: FP exception flags are not
// observed anywhere in gaussmap.
#pragma GCC optimize("no-trapping-math")

#include "fast_eval.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "errors.hpp"
#include "kernel_math.hpp"

namespace gm {

namespace {

constexpr int kTileH = 16;
constexpr int kTileW = 256;
// Without a cutoff, kernels are evaluated where d^2 <= kNumericalR2: exp(-138/2) = 1e-30.
constexpr double kNumericalR2 = 138.0;
constexpr std::uint32_t kNoCols = 0xffffffffu;  // Hot::col_off of a kernel with no column profile

// Float min/max as plain selects (defined here, under no-trapping-math, so that GCC if-converts
// them inside loops; std::max from <algorithm> is compiled before the pragma and is not).
[[gnu::always_inline]] inline float max_f(float a, float b) {
  return a < b ? b : a;
}
[[gnu::always_inline]] inline float min_f(float a, float b) {
  return b < a ? b : a;
}

// Vectorizable exp for x <= ~0 (also fine up to 88): Cody-Waite reduction, degree-7 Taylor
// polynomial on [-ln2/2, ln2/2] (truncation 5e-9 relative), 2^n through the exponent bits.
// Relative error about 2e-7; 0 below -87 (where float32 would go subnormal).
[[gnu::always_inline]] inline float fast_exp(float x) {
  const float xc = max_f(x, -87.0f);
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round to nearest
  float r = xc - n * 0.693145751953125f;                                    // ln2, high bits
  r = r - n * 1.42860682030941723212e-6f;                                   // ln2, low bits
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  const float y = p * std::bit_cast<float>(bits);
  return x < -87.0f ? 0.0f : y;
}

// Per kernel, per row of its bounding box.
// No member initializers: the arrays are allocated for overwrite (every field is written).
struct RowInfo {
  float rf;    // row factor: amp exp(-uy^2 / 2c) (point) or mass Py / (cw ch) (area, separable)
  float base;  // rotated point: x(jc) - cx - m, the ridge offset at column jc
  int lo, hi;  // columns of the span (inclusive); lo > hi: empty
  int jc;      // rotated point: the column nearest the ridge (clamped to the box)
};

struct Prep {
  Gaussian g;
  int r0 = 0, r1 = -1, c0 = 0, c1 = -1;      // bounding box on the whole grid, inclusive
  int pr0 = 0, pr1 = -1, pc0 = 0, pc1 = -1;  // its part inside the window: prepared and folded
  std::uint32_t key = 0;                     // fold order: the whole grid's tile of (r0, c0)
  bool separable = true;
  float a_half = 0;                                        // -ia / 2 (rotated point)
  double inv_c = 1, inv_ia = 1, b_over_c = 0, inv_dx = 0;  // for the spans
  std::size_t row_off = 0, col_off = 0;
};

// What the tile loop reads per kernel, packed (32 bytes) and stored in fold order. Rows and
// columns are the window's part of the box (Prep::pr0 ..), in whole-grid indices.
struct Hot {
  int r0, r1, c0, c1;
  std::uint32_t prep;  // index into the Prep array (rotated area needs the Gaussian)
  float a_half;
  std::uint32_t row_off, col_off;
};

// Indices i in [0, n) with |g0 + i d - c| <= h, widened by `pad` on both sides: [lo, hi].
void index_range(double c, double h, double g0, double d, int n, int pad, int& lo, int& hi) {
  lo = 0, hi = -1;
  if (n <= 0 || !(h >= 0)) return;
  if (d == 0.0) {
    if (std::abs(g0 - c) <= h * (1 + 1e-9) + 1e-300 || pad > 0) lo = 0, hi = n - 1;
    return;
  }
  double a = (c - h - g0) / d, b = (c + h - g0) / d;
  if (a > b) std::swap(a, b);
  double flo = std::ceil(a) - pad, fhi = std::floor(b) + pad;
  flo = std::max(flo, 0.0), fhi = std::min(fhi, double(n - 1));
  if (!(flo <= fhi)) return;
  lo = int(flo), hi = int(fhi);
}

struct Setup {
  const Scene* scene = nullptr;
  Grid grid;
  double r2 = kNumericalR2;  // squared Mahalanobis radius of the boxes
  bool cutoff = false;
  bool area = false;
  int wr0 = 0, wc0 = 0, wr1 = -1, wc1 = -1;  // the window, inclusive, in whole-grid indices
};

// Bounding box of a kernel, rows and columns, padded by one pixel (the span test trims exactly).
void find_box(const Setup& s, Prep& p) {
  const Gaussian& g = p.g;
  double hx = std::sqrt(s.r2 * g.a), hy = std::sqrt(s.r2 * g.c);
  if (s.area && !s.cutoff) hx += 0.5 * s.grid.cell_w, hy += 0.5 * s.grid.cell_h;
  index_range(g.cx, hx, s.grid.x0, s.grid.dx, s.grid.width, 1, p.c0, p.c1);
  index_range(g.cy, hy, s.grid.y0, s.grid.dy, s.grid.height, 1, p.r0, p.r1);
  if (p.c0 > p.c1 || p.r0 > p.r1) p.r0 = 0, p.r1 = -1, p.c0 = 0, p.c1 = -1;
}

// The row's span of columns, exact against the reference's cutoff test where there is a cutoff:
// the chord of the ellipse from its analytic ends (any rounding there is harmless), then each end
// moved until d2(x, y) > k^2 (the reference's own expression and grid coordinates) says it is the
// last pixel in. Kept out of the AVX2 clone (noinline): there GCC would contract d2() into FMAs
// and round differently from the reference, which is built for the baseline.
[[gnu::noinline]] void find_span(const Setup& s, const Prep& p, int row, RowInfo& ri) {
  const Gaussian& g = p.g;
  const Grid& grid = s.grid;
  const double y = grid.y(row), uy = y - g.cy;
  ri.lo = 0, ri.hi = -1;
  if (s.area && !s.cutoff) {  // cells reach past their centres: keep the whole box
    ri.lo = p.c0, ri.hi = p.c1;
    return;
  }
  double delta = s.r2 - uy * uy * p.inv_c;
  if (delta < 0) {
    if (!s.cutoff || delta < -1e-9 * s.r2) return;
    delta = 0;
  }
  const double ridge = g.cx + p.b_over_c * uy;
  int lo, hi;
  bool sure = false;  // the analytic ends are far enough from pixel centres to need no test
  if (grid.dx == 0.0) {
    lo = 0, hi = 0;
  } else {
    const double h = std::sqrt(delta * p.inv_ia);
    double pa = (ridge - h - grid.x0) * p.inv_dx, pb = (ridge + h - grid.x0) * p.inv_dx;
    if (pa > pb) std::swap(pa, pb);
    const double clo = std::ceil(pa), chi = std::floor(pb);
    double flo = std::max(clo, double(p.c0)), fhi = std::min(chi, double(p.c1));
    if (s.cutoff && flo > fhi && delta < 1e-6 * s.r2)  // a chord shorter than a pixel: test the
      flo = fhi = std::clamp(std::round(0.5 * (pa + pb)), double(p.c0), double(p.c1));  // nearest
    if (!(flo <= fhi)) return;
    lo = int(flo), hi = int(fhi);
    // Rounding moves the ends (here and in the reference's d2) by far less than `eps` columns:
    // ~1e-15 relative of the terms of d2, which cancel by up to kappa = a ia = 1 / (1 - rho^2),
    // over the slope of d2 at the rim (bounded while the chord is not near-tangent, delta >= 1e-4
    // k^2), and of the coordinates themselves. Within eps of a pixel centre the test decides.
    if (s.cutoff && delta >= 1e-4 * s.r2 && flo == clo && fhi == chi) {
      const double scale = 1.0 + (std::abs(ridge) + std::abs(grid.x0) + h) * std::abs(p.inv_dx);
      const double eps = 1e-8 * (g.a * g.ia) * scale;
      sure = clo - pa > eps && pa - (clo - 1) > eps && pb - chi > eps && chi + 1 - pb > eps;
    }
  }
  if (s.cutoff && !sure) {
    auto inside = [&](int col) { return !(g.d2(grid.x(col), y) > g.cutoff_d2); };
    while (lo <= hi && !inside(lo)) ++lo;
    while (hi >= lo && !inside(hi)) --hi;
    if (lo > hi) return;
    while (lo > p.c0 && inside(lo - 1)) --lo;
    while (hi < p.c1 && inside(hi + 1)) ++hi;
  }
  ri.lo = lo, ri.hi = hi;
}

// Rows (row factor, span, ridge) and, for separable kernels, the column profile, over the window's
// part of the box: rows[i] is row pr0 + i, cols[j] column pc0 + j.
[[gnu::always_inline]] inline void prepare_kernel(const Setup& s, Prep& p, RowInfo* rows,
                                                  float* cols) {
  const Gaussian& g = p.g;
  const Grid& grid = s.grid;
  const int nr = p.pr1 - p.pr0 + 1, nc = p.pc1 - p.pc0 + 1;
  if (nr <= 0 || nc <= 0) return;
  const double cw = grid.cell_w, ch = grid.cell_h;
  for (int i = 0; i < nr; ++i) find_span(s, p, p.pr0 + i, rows[i]);

  if (!s.area) {
    // Row factors amp exp(-uy^2 / 2c): arguments in float64, exp vectorized in float32.
    for (int i = 0; i < nr; ++i) {
      double uy = grid.y(p.pr0 + i) - g.cy;
      rows[i].rf = float(-0.5 * uy * uy / g.c);
    }
    const float amp = float(g.amp);
    for (int i = 0; i < nr; ++i) rows[i].rf = amp * fast_exp(rows[i].rf);
    if (p.separable) {
      for (int j = 0; j < nc; ++j) {
        double ux = grid.x(p.pc0 + j) - g.cx;
        cols[j] = float(-0.5 * g.ia * ux * ux);
      }
      for (int j = 0; j < nc; ++j) cols[j] = fast_exp(cols[j]);
    } else {
      for (int i = 0; i < nr; ++i) {
        RowInfo& ri = rows[i];
        double uy = grid.y(p.pr0 + i) - g.cy;
        double ridge = g.cx + g.b / g.c * uy;
        int jc = p.c0;
        if (grid.dx != 0.0) {
          double f = std::round((ridge - grid.x0) / grid.dx);
          jc = int(std::clamp(f, double(p.c0), double(p.c1)));
        }
        ri.jc = jc;
        ri.base = float(grid.x(jc) - ridge);
      }
    }
  } else if (p.separable) {
    const double scale = g.mass / (cw * ch);
    for (int i = 0; i < nr; ++i) {
      double y = grid.y(p.pr0 + i);
      float lo = float((y - 0.5 * ch - g.cy) / g.sy), hi = float((y + 0.5 * ch - g.cy) / g.sy);
      rows[i].rf = float(scale * double(norm_cdf_diff<float>(lo, hi)));
    }
    for (int j = 0; j < nc; ++j) {
      double x = grid.x(p.pc0 + j);
      float lo = float((x - 0.5 * cw - g.cx) / g.sx), hi = float((x + 0.5 * cw - g.cx) / g.sx);
      cols[j] = norm_cdf_diff<float>(lo, hi);
    }
  }
}

// ---- folding a kernel's values into a tile row -------------------------------------------------

struct SumOp {
  static float fold(float acc, float v) { return acc + v; }
};
struct MaxOp {
  static float fold(float acc, float v) { return max_f(acc, v); }
};
struct OrOp {  // acc = 1 - prod(1 - clamp(v)): acc += v (1 - acc)
  static float fold(float acc, float v) {
    float c = min_f(max_f(v, 0.0f), 1.0f);
    return acc + c * (1.0f - acc);
  }
};

template <class Op>
[[gnu::always_inline]] inline void fold_separable(float* __restrict o, const float* __restrict prof,
                                                  float rf, int n) {
  for (int j = 0; j < n; ++j) o[j] = Op::fold(o[j], rf * prof[j]);
}

// Four kernels with the same span: the output is loaded and stored once. The folds are the four
// single ones in order (sum too: ((o + v0) + v1) + ...), so grouping never changes a bit: a pixel's
// value depends only on which kernels reach it and their order, never on which kernels were
// grouped (a window, or a window of only the kernels that touch it, gives the whole render's bits).
template <class Op>
[[gnu::always_inline]] inline void fold_separable4(float* __restrict o, const float* const* prof,
                                                   const float* rf, int n) {
  const float* __restrict p0 = prof[0];
  const float* __restrict p1 = prof[1];
  const float* __restrict p2 = prof[2];
  const float* __restrict p3 = prof[3];
  const float r0 = rf[0], r1 = rf[1], r2 = rf[2], r3 = rf[3];
  for (int j = 0; j < n; ++j)
    o[j] = Op::fold(Op::fold(Op::fold(Op::fold(o[j], r0 * p0[j]), r1 * p1[j]), r2 * p2[j]),
                    r3 * p3[j]);
}

template <class Op>
[[gnu::always_inline]] inline void fold_rotated(float* __restrict o, int n, int j0, float a_half,
                                                float dx, float base, float rf) {
  for (int j = 0; j < n; ++j) {
    float v = float(j0 + j) * dx + base;
    o[j] = Op::fold(o[j], rf * fast_exp(a_half * v * v));
  }
}

struct Job {
  const Setup* setup = nullptr;
  const Prep* preps = nullptr;
  const Hot* hot = nullptr;
  const RowInfo* rows = nullptr;
  const float* cols = nullptr;
  const std::uint32_t* bin_start = nullptr;  // per tile of the window, into bin_items
  const std::uint32_t* bin_items = nullptr;  // kernel indices, in fold order
  int tiles_x = 0;
  // max: a pixel that some visible kernel of the scene does not reach folds in that kernel's 0
  // (cutoff) or a value float32 cannot tell from 0: reached by fewer than `batch_kernels` of this
  // batch, or any kernel left out of every batch (outside the window or the image).
  int batch_kernels = 0;
  bool some_left_out = false;
  bool first_batch = true, last_batch = true;  // first: start values; last: max's "no kernel" 0
  float* out = nullptr;                        // the window, row-major, window.cols wide
};

// One row of tiles of the window. Tiles start at the window's corner; the kernels of a tile are
// folded in the order of bin_items, which is the same order for every window of the grid.
template <class Op>
[[gnu::always_inline]] inline void run_tile_row_op(const Job& job, int ty) {
  const Setup& s = *job.setup;
  const Grid& grid = s.grid;
  const int ww = s.wc1 - s.wc0 + 1;
  const int ra = s.wr0 + ty * kTileH, rb = std::min(s.wr1, ra + kTileH - 1);
  const bool is_max = std::is_same_v<Op, MaxOp>;
  std::vector<std::int32_t> count;  // kernels that reached each pixel (max only)
  const float dxf = float(grid.dx);
  const double cw = grid.cell_w, ch = grid.cell_h;
  // Output at (row, col), whole-grid indices inside the window.
  auto out_at = [&](int r, int c) { return job.out + std::size_t(r - s.wr0) * ww + (c - s.wc0); };
  for (int tx = 0; tx < job.tiles_x; ++tx) {
    const int ca = s.wc0 + tx * kTileW, cb = std::min(s.wc1, ca + kTileW - 1);
    const int tw = cb - ca + 1;
    if (job.first_batch)
      for (int r = ra; r <= rb; ++r)
        std::fill_n(out_at(r, ca), tw, is_max ? -std::numeric_limits<float>::infinity() : 0.0f);
    if constexpr (is_max) count.assign(std::size_t(kTileH) * kTileW, 0);
    auto count_span = [&](int r, int a0, int a1, int add) {
      if constexpr (is_max) {
        std::int32_t* c = count.data() + std::size_t(r - ra) * kTileW + (a0 - ca);
        for (int j = 0; j <= a1 - a0; ++j) c[j] += add;
      }
    };
    const std::size_t tile = std::size_t(ty) * job.tiles_x + tx;
    const std::uint32_t it0 = job.bin_start[tile], it1 = job.bin_start[tile + 1];
    // Four wide separable kernels in a row of the list are folded together where they have the
    // same span on a row (common without a cutoff): the output row is loaded and stored once for
    // the four. Their profiles (4 x 1 KiB) and the tile (16 KiB) stay in L1 across the tile's
    // rows. Only kernels whose boxes span the tile's columns qualify: small ones rarely share a
    // span.
    auto wide = [&](std::uint32_t it) {
      const Hot& h = job.hot[job.bin_items[it]];
      return !s.cutoff && h.col_off != kNoCols && h.c0 <= ca && h.c1 >= cb;
    };
    for (std::uint32_t it = it0; it < it1;) {
      if (it + 4 <= it1 && wide(it) && wide(it + 1) && wide(it + 2) && wide(it + 3)) {
        const Hot* q[4];
        for (int k = 0; k < 4; ++k) q[k] = &job.hot[job.bin_items[it + k]];
        it += 4;
        int r0 = rb, r1 = ra;
        for (int k = 0; k < 4; ++k)
          r0 = std::min(r0, std::max(q[k]->r0, ra)), r1 = std::max(r1, std::min(q[k]->r1, rb));
        for (int r = r0; r <= r1; ++r) {
          int lo[4], hi[4];
          const float* prof[4];
          float rf[4];
          for (int k = 0; k < 4; ++k) {
            const Hot& h = *q[k];
            lo[k] = 0, hi[k] = -1, prof[k] = nullptr, rf[k] = 0;
            if (r < h.r0 || r > h.r1) continue;
            const RowInfo& ri = job.rows[h.row_off + std::size_t(r - h.r0)];
            lo[k] = std::max(ri.lo, ca), hi[k] = std::min(ri.hi, cb);
            prof[k] = job.cols + h.col_off + std::size_t(lo[k] - h.c0);
            rf[k] = ri.rf;
          }
          if (lo[0] <= hi[0] && lo[0] == lo[1] && lo[0] == lo[2] && lo[0] == lo[3] &&
              hi[0] == hi[1] && hi[0] == hi[2] && hi[0] == hi[3]) {
            fold_separable4<Op>(out_at(r, lo[0]), prof, rf, hi[0] - lo[0] + 1);
            count_span(r, lo[0], hi[0], 4);
          } else {
            for (int k = 0; k < 4; ++k)
              if (lo[k] <= hi[k]) {
                fold_separable<Op>(out_at(r, lo[k]), prof[k], rf[k], hi[k] - lo[k] + 1);
                count_span(r, lo[k], hi[k], 1);
              }
          }
        }
        continue;
      }
      const Hot& p = job.hot[job.bin_items[it++]];
      const int r0 = std::max(p.r0, ra), r1 = std::min(p.r1, rb);
      const bool separable = p.col_off != kNoCols;
      for (int r = r0; r <= r1; ++r) {
        const RowInfo& ri = job.rows[p.row_off + std::size_t(r - p.r0)];
        const int lo = std::max(ri.lo, ca), hi = std::min(ri.hi, cb);
        if (lo > hi) continue;
        float* o = out_at(r, lo);
        const int n = hi - lo + 1;
        if (separable) {
          fold_separable<Op>(o, job.cols + p.col_off + std::size_t(lo - p.c0), ri.rf, n);
        } else if (!s.area) {
          fold_rotated<Op>(o, n, lo - ri.jc, p.a_half, dxf, ri.base, ri.rf);
        } else {
          const Gaussian& g = job.preps[p.prep].g;
          const double y = grid.y(r);
          const float yl = float(y - 0.5 * ch - g.cy), yr = float(y + 0.5 * ch - g.cy);
          const float sx = float(g.sx), sy = float(g.sy), rho = float(g.rho), rr = float(g.r);
          const double scale = g.mass / (cw * ch);
          for (int j = 0; j < n; ++j) {
            const double x = grid.x(lo + j);
            const float xl = float(x - 0.5 * cw - g.cx), xr = float(x + 0.5 * cw - g.cx);
            const float pr = cell_prob_rotated<float>(0.0f, 0.0f, sx, sy, rho, rr, xl, xr, yl, yr);
            o[j] = Op::fold(o[j], float(scale * double(pr)));
          }
        }
        count_span(r, lo, hi, 1);
      }
    }
    if constexpr (is_max) {
      // A kernel that did not reach a pixel contributes 0 there (cutoff), or a value float32 cannot
      // tell from 0; no kernel at all gives 0 (the reference's combine_finish).
      for (int r = ra; r <= rb; ++r) {
        float* o = out_at(r, ca);
        const std::int32_t* c = count.data() + std::size_t(r - ra) * kTileW;
        for (int j = 0; j < tw; ++j) {
          float v = job.some_left_out || c[j] < job.batch_kernels ? max_f(o[j], 0.0f) : o[j];
          o[j] = job.last_batch && std::isinf(v) ? 0.0f : v;
        }
      }
    }
  }
}

// The tile loop, compiled twice: for x86-64-v3 (AVX2 + FMA) and the baseline; picked at load time.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GM_CLONES
#endif

GM_CLONES void run_tile_row(const Job& job, int ty) {
  switch (job.setup->scene->combine) {
    case Combine::Sum:
      run_tile_row_op<SumOp>(job, ty);
      break;
    case Combine::Max:
      run_tile_row_op<MaxOp>(job, ty);
      break;
    case Combine::ProbOr:
      run_tile_row_op<OrOp>(job, ty);
      break;
  }
}

GM_CLONES void prepare_range(const Setup& s, Prep* preps, RowInfo* rows, float* cols, std::size_t a,
                             std::size_t b) {
  for (std::size_t k = a; k < b; ++k) {
    Prep& p = preps[k];
    prepare_kernel(s, p, rows + p.row_off, cols + p.col_off);
  }
}

// Runs f(0 .. n-1) on `threads` threads (the calling one included), items handed out in order.
template <class F>
void parallel_for(int n, int threads, const F& f) {
  if (threads <= 1 || n <= 1) {
    for (int i = 0; i < n; ++i) f(i);
    return;
  }
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) f(i);
  };
  std::vector<std::thread> pool;
  const int extra = std::min(threads, n) - 1;
  pool.reserve(std::size_t(extra));
  for (int t = 0; t < extra; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
}

// One batch of kernels (each reaching the window, in fold order) folded into `out`.
void run_batch(const Setup& s, Prep* preps, std::size_t n, bool first, bool last,
               bool some_left_out, int hw, float* out) {
  const int tiles_x = (s.wc1 - s.wc0 + kTileW) / kTileW;
  const int tiles_y = (s.wr1 - s.wr0 + kTileH) / kTileH;
  const std::size_t ntiles = std::size_t(tiles_x) * tiles_y;
  double work = 0;  // pixel-kernel products touched, weighted by their cost (one multiply = 1)
  std::vector<Hot> hot(n);
  std::size_t nrows = 0, ncols = 0;
  for (std::size_t k = 0; k < n; ++k) {
    Prep& p = preps[k];
    const double area = double(p.pr1 - p.pr0 + 1) * (p.pc1 - p.pc0 + 1);
    work += p.separable ? area : s.area ? 400 * area : 8 * area;
    p.row_off = nrows, p.col_off = ncols;
    nrows += std::size_t(p.pr1 - p.pr0 + 1);
    if (p.separable) ncols += std::size_t(p.pc1 - p.pc0 + 1);
    hot[k] = Hot{p.pr0,
                 p.pr1,
                 p.pc0,
                 p.pc1,
                 std::uint32_t(k),
                 p.a_half,
                 std::uint32_t(p.row_off),
                 p.separable ? std::uint32_t(p.col_off) : kNoCols};
  }
  // Below ~0.1 ms of work a second thread costs more than it saves (and on a busy machine waiting
  // for it to be scheduled can cost milliseconds).
  const int threads = work < 4e5 ? 1 : hw;

  // Per-row spans and factors, per-column profiles (threads over chunks of kernels).
  auto rows = std::make_unique_for_overwrite<RowInfo[]>(std::max<std::size_t>(nrows, 1));
  auto cols = std::make_unique_for_overwrite<float[]>(std::max<std::size_t>(ncols, 1));
  {
    const std::size_t chunk = 64;
    const int nchunks = int((n + chunk - 1) / chunk);
    parallel_for(nchunks, threads, [&](int c) {
      std::size_t a = std::size_t(c) * chunk, b = std::min(n, a + chunk);
      prepare_range(s, preps, rows.get(), cols.get(), a, b);
    });
  }

  // Bin kernels into every tile of the window their box touches (counting sort by tile; within a
  // tile, fold order).
  auto for_tiles = [&](const Hot& p, auto&& f) {
    for (int ty = (p.r0 - s.wr0) / kTileH; ty <= (p.r1 - s.wr0) / kTileH; ++ty)
      for (int tx = (p.c0 - s.wc0) / kTileW; tx <= (p.c1 - s.wc0) / kTileW; ++tx)
        f(std::size_t(ty) * tiles_x + tx);
  };
  std::vector<std::uint32_t> bin_start(ntiles + 1, 0);
  for (const Hot& p : hot) for_tiles(p, [&](std::size_t t) { ++bin_start[t + 1]; });
  for (std::size_t t = 0; t < ntiles; ++t) bin_start[t + 1] += bin_start[t];
  std::vector<std::uint32_t> bin_items(bin_start[ntiles]);
  {
    std::vector<std::uint32_t> fill(bin_start.begin(), bin_start.end() - 1);
    for (std::size_t k = 0; k < hot.size(); ++k)
      for_tiles(hot[k], [&](std::size_t t) { bin_items[fill[t]++] = std::uint32_t(k); });
  }

  // Fold, a row of tiles at a time.
  Job job;
  job.setup = &s;
  job.preps = preps;
  job.hot = hot.data();
  job.rows = rows.get();
  job.cols = cols.get();
  job.bin_start = bin_start.data();
  job.bin_items = bin_items.data();
  job.tiles_x = tiles_x;
  job.batch_kernels = int(n);
  job.some_left_out = some_left_out;
  job.first_batch = first, job.last_batch = last;
  job.out = out;
  parallel_for(tiles_y, threads, [&](int ty) { run_tile_row(job, ty); });
}

// The kernels that reach the window, in fold order: by the whole grid's tile of their box's
// top-left corner, then in scene order. The order is a property of each kernel alone, so the
// whole render, any window of it, and any window of a scene cut down to the kernels that touch
// it fold every pixel's kernels in the same order (bit-identical results), while the tile loop
// walks kernel data roughly in memory order. Returns the count of visible kernels.
std::size_t collect(const Setup& s, std::vector<Prep>& out) {
  const Scene& scene = *s.scene;
  const int gtiles_x = (scene.width + kTileW - 1) / kTileW;
  const int gtiles_y = (scene.height + kTileH - 1) / kTileH;
  const std::size_t gtiles = std::size_t(gtiles_x) * gtiles_y;
  std::vector<Prep> kept;
  std::size_t visible = 0;
  for (const Kernel& k : scene.kernels) {
    if (!k.visible) continue;
    ++visible;
    Prep p;
    p.g = resolve(k, scene.normalization, scene.cutoff_sigma);
    find_box(s, p);
    p.pr0 = std::max(p.r0, s.wr0), p.pr1 = std::min(p.r1, s.wr1);
    p.pc0 = std::max(p.c0, s.wc0), p.pc1 = std::min(p.c1, s.wc1);
    if (p.pr0 > p.pr1 || p.pc0 > p.pc1) continue;
    p.separable = p.g.axis_aligned;
    p.a_half = float(-0.5 * p.g.ia);
    p.inv_c = 1.0 / p.g.c, p.inv_ia = 1.0 / p.g.ia, p.b_over_c = p.g.b / p.g.c;
    p.inv_dx = s.grid.dx != 0.0 ? 1.0 / s.grid.dx : 0.0;
    p.key = std::uint32_t(std::size_t(p.r0 / kTileH) * gtiles_x + std::size_t(p.c0 / kTileW));
    kept.push_back(p);
  }
  out.clear();
  out.reserve(kept.size());
  if (gtiles <= 4 * kept.size() + 65536) {  // counting sort (stable)
    std::vector<std::uint32_t> start(gtiles + 1, 0);
    for (const Prep& p : kept) ++start[p.key + 1];
    for (std::size_t t = 0; t < gtiles; ++t) start[t + 1] += start[t];
    out.resize(kept.size());
    for (Prep& p : kept) out[start[p.key]++] = p;
  } else {  // a small window of a huge grid
    std::stable_sort(kept.begin(), kept.end(),
                     [](const Prep& a, const Prep& b) { return a.key < b.key; });
    out = std::move(kept);
  }
  return visible;
}

}  // namespace

void evaluate_fast_into(const Scene& scene, const FastEvalOptions& opts, float* out) {
  const Window w = window_of(scene, opts);
  if (w.rows == 0 || w.cols == 0) return;
  Setup s;
  s.scene = &scene;
  s.grid = Grid::of(scene);
  s.cutoff = scene.cutoff_sigma.has_value();
  s.area = scene.sampling == Sampling::Area;
  if (s.cutoff) s.r2 = *scene.cutoff_sigma * *scene.cutoff_sigma;
  s.wr0 = w.row0, s.wc0 = w.col0, s.wr1 = w.row0 + w.rows - 1, s.wc1 = w.col0 + w.cols - 1;
  int hw = opts.threads > 0 ? opts.threads : int(std::thread::hardware_concurrency());
  hw = std::max(hw, 1);

  std::vector<Prep> preps;
  const std::size_t visible = collect(s, preps);
  if (preps.empty()) {  // nothing reaches the window: 0 under every combine rule
    std::fill_n(out, std::size_t(w.rows) * std::size_t(w.cols), 0.0f);
    return;
  }
  // Batches (consecutive in fold order) whose per-row, per-column and per-tile data (~24 bytes
  // per entry) stay within batch_entries: without a cutoff every kernel's arrays span the whole
  // window, and 200,000 kernels over 8192^2 pixels would need tens of GB at once. The combine
  // rules fold batch after batch into the same field, in the same order as one batch would.
  const double batch_entries =
      opts.batch_entries ? double(opts.batch_entries) : double(std::size_t(1) << 22);
  const double tiles_x = (w.cols + kTileW - 1) / kTileW;
  const bool some_left_out = preps.size() < visible || opts.kernels_left_out;
  std::size_t a = 0;
  double entries = 0;
  for (std::size_t k = 0; k < preps.size(); ++k) {
    const Prep& p = preps[k];
    const double nr = p.pr1 - p.pr0 + 1, nc = p.pc1 - p.pc0 + 1;
    entries += nr + nc + (nr / kTileH + 1) * std::min(nc / kTileW + 1, tiles_x);
    const bool last = k + 1 == preps.size();
    if (entries >= batch_entries || k + 1 - a >= kNoCols / 2 || last) {
      run_batch(s, preps.data() + a, k + 1 - a, a == 0, last, some_left_out, hw, out);
      a = k + 1, entries = 0;
    }
  }
}

Window window_of(const Scene& scene, const FastEvalOptions& opts) {
  const int W = std::max(scene.width, 0), H = std::max(scene.height, 0);
  if (!opts.window) return Window{0, 0, H, W};
  const Window& w = *opts.window;
  if (w.row0 < 0 || w.col0 < 0 || w.rows < 0 || w.cols < 0 || w.row0 > H - w.rows ||
      w.col0 > W - w.cols)
    throw InputError("window: (row0 " + std::to_string(w.row0) + ", col0 " +
                     std::to_string(w.col0) + ", rows " + std::to_string(w.rows) + ", cols " +
                     std::to_string(w.cols) + ") is not inside the " + std::to_string(W) + "x" +
                     std::to_string(H) + " grid");
  return w;
}

Field evaluate_fast(const Scene& scene, const FastEvalOptions& opts) {
  const Window w = window_of(scene, opts);
  Field out(w.cols, w.rows);
  evaluate_fast_into(scene, opts, out.data.data());
  return out;
}

}  // namespace gm
