// fast_eval.cpp — the fast CPU backend (fast_eval.hpp): float32, threads, SIMD picked at run time.
//
// How it goes (see docs/performance.md for the numbers):
//  1. Resolve every visible kernel (float64, threads over chunks of kernels) and find its bounding
//     box on the grid: with a cutoff k the ellipse's extent k*sqrt(a) x k*sqrt(c); without one the
//     extent where exp(-d^2/2) < 1e-30 (d > 11.75), beyond which float32 cannot tell the value
//     from 0 next to the kernel's peak.
//  2. Per kernel, per bounding-box row: completing the square in x,
//       d^2 = ia (ux - m)^2 + uy^2 / c,   m = (b / c) uy   (the ridge of the ellipse on that row),
//     so value = rowfactor(row) * exp(-ia/2 (ux - m)^2): a row factor and a 1-D profile in x. For
//     an axis-aligned kernel (b == 0) m = 0 and the x profile is the same on every row: it is
//     computed once per kernel and a pixel costs one multiply-add (outer product of two 1-D
//     profiles, no exp). Rotated kernels take one vectorized float exp per pixel (on AVX-512 and
//     AVX2, a recurrence along the row re-anchored every 4 SIMD blocks of whole-grid columns: two
//     multiplies per block; AVX2 takes the anchors from a float64 chain). The row's span of
//     columns is the ellipse's chord; with a cutoff its ends are decided by the reference's own
//     float64 test (d2(x, y) > k^2, same expression, same grid coordinates, no FMA), so no pixel
//     flips at the rim. For axis-aligned kernels that test is d2 = A(col) + B(row) exactly (the
//     cross term is an exact zero): small kernels mask their SIMD lanes with it, larger ones move
//     a row's span from the previous row's in a few additions; rotated kernels start from the
//     chord's analytic ends.
//  3. Kernels are binned into tiles of 32 or 64 rows by 512 or 2048 columns (tile_shape); threads
//     take rows of tiles. Rows of kernels are folded in whole SIMD blocks aligned to whole-grid
//     columns, lanes outside a row's span keeping their value (a blend), so short spans cost no
//     scalar tails. Tiles whose blocks stay inside the window (all of them when its edges are
//     multiples of the lane count) are folded in the field itself; the others in a padded buffer
//     kept per thread. The field is not zero-filled first: its first writes (and page faults) are
//     the folding threads'.
//     Sum: a run of consecutive separable kernels (up to 128) is one rank-k update of each tile
//     row, 8 SIMD blocks held in registers across the run (one load and store of the field per
//     run); other combine rules fold four wide separable kernels in one pass. Small kernels are
//     prepared tile by tile inside the fold (their row factors and profiles stay in L1); large ones
//     once per batch, threads over chunks of kernels.
//  4. Windows: only a rectangle of the grid is computed (tiles start at its corner), from
//     whole-grid pixel indices. Every pixel folds the kernels that reach it in one order fixed by
//     each kernel alone (the whole grid's tile of its box corner, then scene order), never by
//     tiling, batching or grouping, so a window, even of a scene cut down to the kernels that
//     touch it, has the whole render's bits.
//  5. Instruction sets: the two hot functions (per-kernel preparation, tile folding) are compiled
//     three times, for x86-64-v4 (AVX-512, 16 lanes), x86-64-v3 (AVX2 + FMA, 8 lanes) and the
//     baseline (SSE2, 4 lanes, no FMA), and the best one the CPU runs is picked at the first call
//     (GAUSSMAP_CPU=baseline|avx2|avx512 caps it). FMAs are written out (madd), never contracted
//     by the compiler, so each path is deterministic and the rim tests stay plain float64.
//  6. Threads: the phases (resolve, order and batch, prepare, fold) run on threads borrowed from a
//     process-wide pool (worker_pool.hpp), separated by a barrier whose waiters spin briefly
//     before they sleep; which thread does what never changes a bit.
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
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "errors.hpp"
#include "kernel_math.hpp"
#include "page_hint.hpp"
#include "worker_pool.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_*(), which its own
// -Wuninitialized then reports inside the header.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define GM_HAVE_X86_PATHS 1
#define GM_V3 __attribute__((target("arch=x86-64-v3")))
#define GM_V4 __attribute__((target("arch=x86-64-v4,prefer-vector-width=512")))
#endif

namespace gm {

namespace {

// For lambdas that fold values inside the per-instruction-set functions: a lambda does not take
// its function's `target` attribute, and where GCC did not inline one it was compiled for the
// baseline, its FMAs (madd) calls to libm's fmaf (prob_or ran 10x slower; an ASan build showed
// the same on every path's rotated folds).
#define GM_INLINE_LAMBDA __attribute__((always_inline))

// Tile shapes, chosen per evaluation from its kernels (Setup::tile_h, tile_w; tile_shape):
// - 64 rows where most kernels are small (a small kernel is prepared once per tile it touches: a
//   box of 19 rows straddles two tiles of 32 rows one time in two, of 64 one time in four), else
//   32 (twice as many rows of tiles to share between threads; a rank-k run's entries for 32 rows
//   stay in L2);
// - 2048 columns for sum over large kernels (a 1920-wide field is one tile per row: the rank-k
//   fold gathers a row's run entries once, not once per 512 columns, a rotated row is re-anchored
//   once), unless the separable kernels folded as rank-k runs are narrow (boxes under 768 columns
//   on average), since each 128-column chunk of a row passes over every run entry of the tile's
//   row, whether it reaches the chunk or not. Else 512: max and prob_or's four-at-a-time folds
//   keep four profile rows and the tile's row in L1, and mostly small kernels measured ~5% faster.
constexpr int kTileHMax = 64;
constexpr int kTileWMax = 2048;
// The fold order's tiles (Prep::key): a property of each kernel alone, independent of the tiles
// the work is cut into (a tile folds its kernels in fold order whatever its width).
constexpr int kKeyW = 256, kKeyH = 16;
constexpr int kPad = 16;             // tile buffer columns on each side (>= any lane count)
constexpr std::size_t kColPad = 16;  // floats before and after a small kernel's profile
// Floats before and after the batch's column profiles: a group of four kernels reads each
// member's profile over the union of their spans, up to a tile and a block beyond its own.
constexpr std::size_t kColGuard = std::size_t(kTileWMax + 3 * kPad);
// Without a cutoff, kernels are evaluated where d^2 <= kNumericalR2: exp(-138/2) = 1e-30.
constexpr double kNumericalR2 = 138.0;
constexpr std::uint32_t kNoCols = 0xffffffffu;  // Hot::col_off of a kernel with no column profile
constexpr std::uint32_t kSmall = 0xfffffffeu;   // Hot::col_off of a kernel prepared per tile
// Kernels whose box in the window is at most this large are prepared tile by tile, inside the
// fold, where their few rows and columns stay in L1 (their arrays for the whole batch would be
// written and read back through memory: 10,000 small kernels, 5 MB).
constexpr int kSmallRows = 40, kSmallCols = 128;

// Float min/max as plain selects (defined here, under no-trapping-math, so that GCC if-converts
// them inside loops; std::max from <algorithm> is compiled before the pragma and is not).
[[gnu::always_inline]] inline float max_f(float a, float b) {
  return a < b ? b : a;
}
[[gnu::always_inline]] inline float min_f(float a, float b) {
  return b < a ? b : a;
}

// a * b + c: one fused rounding on the FMA paths, two on the baseline (whose fmaf would be a slow
// library call). Written out because the file is compiled without FP contraction.
template <bool Fma>
[[gnu::always_inline]] inline float madd(float a, float b, float c) {
  if constexpr (Fma) {
    return __builtin_fmaf(a, b, c);
  } else {
    return a * b + c;
  }
}

// Vectorizable exp for x <= ~0 (also fine up to 88): Cody-Waite reduction, degree-7 Taylor
// polynomial on [-ln2/2, ln2/2] (truncation 5e-9 relative), 2^n through the exponent bits.
// Relative error about 2e-7; 0 below -87 (where float32 would go subnormal).
template <bool Fma>
[[gnu::always_inline]] inline float fast_exp(float x) {
  const float xc = max_f(x, -87.0f);
  const float n = madd<Fma>(xc, 1.44269504088896341f, 12582912.0f) - 12582912.0f;  // round
  float r = madd<Fma>(n, -0.693145751953125f, xc);                                 // ln2, high
  r = madd<Fma>(n, -1.42860682030941723212e-6f, r);                                // ln2, low
  float p = 1.0f / 5040.0f;
  p = madd<Fma>(p, r, 1.0f / 720.0f);
  p = madd<Fma>(p, r, 1.0f / 120.0f);
  p = madd<Fma>(p, r, 1.0f / 24.0f);
  p = madd<Fma>(p, r, 1.0f / 6.0f);
  p = madd<Fma>(p, r, 0.5f);
  p = madd<Fma>(p, r, 1.0f);
  p = madd<Fma>(p, r, 1.0f);
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
  bool separable = true;
  float a_half = 0;                                        // -ia / 2 (rotated point)
  double inv_c = 1, inv_ia = 1, b_over_c = 0, inv_dx = 0;  // for the spans
  bool kept = false;                                       // its box reaches the window
};

// Storage for n objects of an implicit-lifetime type T, left unwritten: each is created by
// assigning it whole, by the thread that computes it (not value-initialized on one thread first:
// 10,000 kernels' Prep records are 2.5 MB).
struct FreeStorage {
  void operator()(void* p) const { std::free(p); }
};
template <class T>
std::unique_ptr<T[], FreeStorage> uninitialized_array(std::size_t n) {
  static_assert(std::is_aggregate_v<T> && std::is_trivially_copyable_v<T> &&
                std::is_trivially_destructible_v<T>);
  void* p = std::malloc(std::max<std::size_t>(n, 1) * sizeof(T));
  if (p == nullptr) throw std::bad_alloc();
  return std::unique_ptr<T[], FreeStorage>(static_cast<T*>(p));
}

// What the tile loop reads per kernel, packed (32 bytes) and stored in fold order. Rows and
// columns are the window's part of the box (Prep::pr0 ..), in whole-grid indices.
struct Hot {
  int r0, r1, c0, c1;
  std::uint32_t prep;  // index into the Prep array
  float a_half;
  std::uint32_t row_off, col_off;  // into the batch's RowInfo and column-profile arrays
};
// Hot::col_off of a separable kernel before build_batch gives it its place in the batch.
constexpr std::uint32_t kColsPending = 0xfffffffdu;
// Whether a kernel's box reaches the window (its Hot record's rows and columns).
inline bool kept(const Hot& h) {
  return h.r0 <= h.r1 && h.c0 <= h.c1;
}

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
  int tile_h = 32;                           // rows of a tile: 32 or kTileHMax
  int tile_w = kTileWMax;                    // columns of a tile: 512 or kTileWMax
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

// The chord of the row at offset uy from the centre through the box's ellipse (Mahalanobis radius
// sqrt(r2)): delta = r2 - uy^2 / c (below 0: the row misses it), the ridge x on that row, the half
// width h, and the chord's ends in column units, pa <= pb (meaningful where dx != 0). find_span
// and free_spans both start from it, so both find the same ends.
struct Chord {
  double delta, ridge, h, pa, pb;
};
[[gnu::always_inline]] inline Chord chord_of(const Setup& s, const Prep& p, double uy) {
  Chord c;
  c.delta = s.r2 - uy * uy * p.inv_c;
  c.ridge = p.g.cx + p.b_over_c * uy;
  c.h = std::sqrt((c.delta < 0 ? 0.0 : c.delta) * p.inv_ia);
  const double a = (c.ridge - c.h - s.grid.x0) * p.inv_dx;
  const double b = (c.ridge + c.h - s.grid.x0) * p.inv_dx;
  c.pa = b < a ? b : a, c.pb = a < b ? b : a;
  return c;
}

// The row's span of columns, exact against the reference's cutoff test where there is a cutoff:
// the chord of the ellipse from its analytic ends (any rounding there is harmless), then each end
// moved until d2(x, y) > k^2 (the reference's own expression and grid coordinates) says it is the
// last pixel in. This file is compiled with -ffp-contract=off: no FMA may round d2() differently
// from the reference on any instruction-set path (and the function is shared by all of them).
[[gnu::always_inline]] inline void find_span(const Setup& s, const Prep& p, int row, RowInfo& ri) {
  const Gaussian& g = p.g;
  const Grid& grid = s.grid;
  const double y = grid.y(row), uy = y - g.cy;
  ri.lo = 0, ri.hi = -1;
  if (s.area && !s.cutoff) {  // cells reach past their centres: keep the whole box
    ri.lo = p.c0, ri.hi = p.c1;
    return;
  }
  const Chord cd = chord_of(s, p, uy);
  double delta = cd.delta;
  if (delta < 0) {
    if (!s.cutoff || delta < -1e-9 * s.r2) return;
    delta = 0;
  }
  const double ridge = cd.ridge;
  int lo, hi;
  bool sure = false;  // the analytic ends are far enough from pixel centres to need no test
  if (grid.dx == 0.0) {
    lo = 0, hi = 0;
  } else {
    const double h = cd.h, pa = cd.pa, pb = cd.pb;
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

// Spans of an axis-aligned kernel with a cutoff over the window's part of its box, exact against
// the reference: its d2 = ia ux ux + 2 ib ux uy + ic uy uy has ib = +-0, so d2 = A(col) + B(row)
// with A = ia ux ux and B = ic uy uy, bit for bit (adding the cross term's exact zero changes
// nothing). A falls then rises along the row (rounding is monotone), so a row's pixels inside the
// rim are an interval around argmin A, found from the previous row's ends by a few steps.
[[gnu::noinline]] void axis_spans(const Setup& s, const Prep& p, int pr0, int pr1, int pc0, int pc1,
                                  RowInfo* __restrict rows, double* __restrict a) {
  const Grid& grid = s.grid;
  const double cx = p.g.cx, cy = p.g.cy, ia = p.g.ia, ic = p.g.ic, k2 = p.g.cutoff_d2;
  const double x0 = grid.x0, dx = grid.dx;
  const int nr = pr1 - pr0 + 1, nc = pc1 - pc0 + 1;
  for (int j = 0; j < nc; ++j) {
    const double ux = (x0 + (pc0 + j) * dx) - cx;  // grid.x(col) - cx
    a[j] = ia * ux * ux;
  }
  // argmin A: the column nearest the centre, then downhill (A is a valley).
  int jm = 0;
  if (dx != 0.0) {
    const double f = std::round((cx - x0) / dx) - pc0;
    jm = int(std::clamp(f, 0.0, double(nc - 1)));
  }
  while (jm > 0 && a[jm - 1] < a[jm]) --jm;
  while (jm < nc - 1 && a[jm + 1] < a[jm]) ++jm;
  int lo = jm, hi = jm - 1;  // the previous row's span (empty at first)
  for (int i = 0; i < nr; ++i) {
    const double uy = grid.y(pr0 + i) - cy, b = ic * uy * uy;
    auto inside = [&](int j) { return !(a[j] + b > k2); };
    RowInfo& ri = rows[i];
    if (!inside(jm)) {
      ri.lo = 0, ri.hi = -1;
      lo = jm, hi = jm - 1;
      continue;
    }
    if (lo > hi) lo = hi = jm;
    while (lo > 0 && inside(lo - 1)) --lo;
    while (!inside(lo)) ++lo;
    while (hi < nc - 1 && inside(hi + 1)) ++hi;
    while (!inside(hi)) --hi;
    ri.lo = pc0 + lo, ri.hi = pc0 + hi;
  }
}

// find_span without a cutoff and with columns apart (dx != 0), for rows [pr0, pr0 + nr): the same
// chord, branch-free so that it vectorizes (the file is built with -fno-math-errno).
[[gnu::always_inline]] inline void free_spans(const Setup& s, const Prep& p, int pr0, int nr,
                                              RowInfo* rows) {
  const Gaussian& g = p.g;
  const Grid& grid = s.grid;
  const double c0 = double(p.c0), c1 = double(p.c1);
  constexpr int kStep = 64;
  for (int i0 = 0; i0 < nr; i0 += kStep) {
    const int n = std::min(kStep, nr - i0);
    int lo[kStep], hi[kStep];
    for (int i = 0; i < n; ++i) {
      const Chord cd = chord_of(s, p, grid.y(pr0 + i0 + i) - g.cy);
      const double clo = std::ceil(cd.pa), chi = std::floor(cd.pb);
      const double flo = clo < c0 ? c0 : clo, fhi = c1 < chi ? c1 : chi;
      const bool in = cd.delta >= 0 && flo <= fhi;
      lo[i] = int(in ? flo : 0.0), hi[i] = int(in ? fhi : -1.0);
    }
    for (int i = 0; i < n; ++i) rows[i0 + i].lo = lo[i], rows[i0 + i].hi = hi[i];
  }
}

// Rows (row factor, span, ridge) and, for separable kernels, the column profile, over rows
// [pr0, pr1] and columns [pc0, pc1] of the box: rows[i] is row pr0 + i, cols[j] column pc0 + j.
// `scratch` holds pc1 - pc0 + 1 doubles. Each value depends on its row or column alone.
template <bool Fma>
[[gnu::always_inline]] inline void prepare_kernel(const Setup& s, const Prep& p, int pr0, int pr1,
                                                  int pc0, int pc1, RowInfo* rows, float* cols,
                                                  double* scratch) {
  const Gaussian& g = p.g;
  const Grid& grid = s.grid;
  const int nr = pr1 - pr0 + 1, nc = pc1 - pc0 + 1;
  if (nr <= 0 || nc <= 0) return;
  const double cw = grid.cell_w, ch = grid.cell_h;
  if (p.separable && s.cutoff)
    axis_spans(s, p, pr0, pr1, pc0, pc1, rows, scratch);
  else if (!s.cutoff && !s.area && grid.dx != 0.0)
    free_spans(s, p, pr0, nr, rows);
  else
    for (int i = 0; i < nr; ++i) find_span(s, p, pr0 + i, rows[i]);

  if (!s.area) {
    // Row factors amp exp(-uy^2 / 2c): arguments in float64, exp vectorized in float32.
    for (int i = 0; i < nr; ++i) {
      double uy = grid.y(pr0 + i) - g.cy;
      rows[i].rf = float(-0.5 * uy * uy / g.c);
    }
    const float amp = float(g.amp);
    for (int i = 0; i < nr; ++i) rows[i].rf = amp * fast_exp<Fma>(rows[i].rf);
    if (p.separable) {
      for (int j = 0; j < nc; ++j) {
        double ux = grid.x(pc0 + j) - g.cx;
        cols[j] = float(-0.5 * g.ia * ux * ux);
      }
      for (int j = 0; j < nc; ++j) cols[j] = fast_exp<Fma>(cols[j]);
    } else {
      for (int i = 0; i < nr; ++i) {
        RowInfo& ri = rows[i];
        double uy = grid.y(pr0 + i) - g.cy;
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
      double y = grid.y(pr0 + i);
      float lo = float((y - 0.5 * ch - g.cy) / g.sy), hi = float((y + 0.5 * ch - g.cy) / g.sy);
      rows[i].rf = float(scale * double(norm_cdf_diff<float>(lo, hi)));
    }
    for (int j = 0; j < nc; ++j) {
      double x = grid.x(pc0 + j);
      float lo = float((x - 0.5 * cw - g.cx) / g.sx), hi = float((x + 0.5 * cw - g.cx) / g.sx);
      cols[j] = norm_cdf_diff<float>(lo, hi);
    }
  }
}

// ---- folding a kernel's values into a tile row -------------------------------------------------

// fold(acc, r, p): acc folded with the kernel value r * p.
struct SumOp {
  template <bool Fma>
  [[gnu::always_inline]] static float fold(float acc, float r, float p) {
    return madd<Fma>(r, p, acc);
  }
};
struct MaxOp {
  template <bool Fma>
  [[gnu::always_inline]] static float fold(float acc, float r, float p) {
    return max_f(acc, r * p);
  }
};
struct OrOp {  // acc = 1 - prod(1 - clamp(v)): acc += v (1 - acc)
  template <bool Fma>
  [[gnu::always_inline]] static float fold(float acc, float r, float p) {
    const float c = min_f(max_f(r * p, 0.0f), 1.0f);
    return madd<Fma>(c, 1.0f - acc, acc);
  }
};

// The folds below run over whole SIMD blocks of a tile-buffer row, n a multiple of the lane
// count; lanes j outside [lo, hi] keep their value. `cnt` (max only) counts the kernels that
// reached each pixel.
template <class Op, bool Fma>
[[gnu::always_inline]] inline void fold_separable(float* __restrict o, std::int32_t* __restrict cnt,
                                                  const float* __restrict prof, float rf, int n,
                                                  int lo, int hi) {
  if (lo <= 0 && hi >= n - 1 && !std::is_same_v<Op, MaxOp>) {  // the whole blocks: no mask
    for (int j = 0; j < n; ++j) o[j] = Op::template fold<Fma>(o[j], rf, prof[j]);
    return;
  }
  for (int j = 0; j < n; ++j) {
    const bool in = j >= lo && j <= hi;
    const float v = Op::template fold<Fma>(o[j], rf, prof[j]);
    o[j] = in ? v : o[j];
    if constexpr (std::is_same_v<Op, MaxOp>) cnt[j] += in ? 1 : 0;
  }
}

// A small axis-aligned kernel with a cutoff: lane j is in where it lies inside the rim,
// a[j] + b <= k2 in float64 (the reference's own test, see axis_spans; a[j] is +inf at the lanes
// outside the kernel's columns).
template <class Op, bool Fma>
[[gnu::always_inline]] inline void fold_separable_rim(float* __restrict o,
                                                      std::int32_t* __restrict cnt,
                                                      const float* __restrict prof,
                                                      const double* __restrict a, double b,
                                                      double k2, float rf, int n) {
  for (int j = 0; j < n; ++j) {
    const bool in = !(a[j] + b > k2);
    const float v = Op::template fold<Fma>(o[j], rf, prof[j]);
    o[j] = in ? v : o[j];
    if constexpr (std::is_same_v<Op, MaxOp>) cnt[j] += in ? 1 : 0;
  }
}

// Four kernels in one pass: the output is loaded and stored once. The folds are the four single
// ones in order (sum too: ((o + v0) + v1) + ...), so grouping never changes a bit: a pixel's
// value depends only on which kernels reach it and their order.
template <class Op, bool Fma>
[[gnu::always_inline]] inline void fold_separable4(float* __restrict o,
                                                   std::int32_t* __restrict cnt,
                                                   const float* const* prof, const float* rf, int n,
                                                   const int* lo, const int* hi) {
  const float* __restrict p0 = prof[0];
  const float* __restrict p1 = prof[1];
  const float* __restrict p2 = prof[2];
  const float* __restrict p3 = prof[3];
  const float r0 = rf[0], r1 = rf[1], r2 = rf[2], r3 = rf[3];
  const int l0 = lo[0], l1 = lo[1], l2 = lo[2], l3 = lo[3];
  const int h0 = hi[0], h1 = hi[1], h2 = hi[2], h3 = hi[3];
  if (std::max({l0, l1, l2, l3}) <= 0 && std::min({h0, h1, h2, h3}) >= n - 1 &&
      !std::is_same_v<Op, MaxOp>) {  // the whole blocks for all four: no masks
    for (int j = 0; j < n; ++j)
      o[j] = Op::template fold<Fma>(
          Op::template fold<Fma>(
              Op::template fold<Fma>(Op::template fold<Fma>(o[j], r0, p0[j]), r1, p1[j]), r2,
              p2[j]),
          r3, p3[j]);
    return;
  }
  for (int j = 0; j < n; ++j) {
    const bool i0 = j >= l0 && j <= h0, i1 = j >= l1 && j <= h1;
    const bool i2 = j >= l2 && j <= h2, i3 = j >= l3 && j <= h3;
    float v = o[j];
    v = i0 ? Op::template fold<Fma>(v, r0, p0[j]) : v;
    v = i1 ? Op::template fold<Fma>(v, r1, p1[j]) : v;
    v = i2 ? Op::template fold<Fma>(v, r2, p2[j]) : v;
    v = i3 ? Op::template fold<Fma>(v, r3, p3[j]) : v;
    o[j] = v;
    if constexpr (std::is_same_v<Op, MaxOp>)
      cnt[j] += (i0 ? 1 : 0) + (i1 ? 1 : 0) + (i2 ? 1 : 0) + (i3 ? 1 : 0);
  }
}

// ---- a run of separable kernels as a rank-k update -------------------------------------------

// One kernel's row within a run: value(col) = rf * prof[col] on buffer columns [lo, hi].
struct RunEntry {
  const float* prof;  // the column profile at buffer column 0
  float rf;
  int lo, hi;
};
// Kernels of one run folded per tile row (a longer run is cut into runs of this many, in order).
constexpr int kRunMax = 128;

// Sum over a run of separable kernels on buffer columns [b0, b0 + n) of one row (n a multiple of
// the lane count), `NB` SIMD blocks at a time held in registers across all the run's kernels: the
// row is loaded and stored once per run, not once per kernel (`Zero`: not loaded but started at
// +0, the fresh field's value, for the first run of a tile of the first batch). Each lane still
// folds the kernels in run order, o = madd(rf, prof, o), masked to each span: the same bits as one
// kernel at a time.
#ifdef GM_HAVE_X86_PATHS
template <int NB, bool Zero>
GM_V4 [[gnu::always_inline]] inline void run_chunk16(float* o, const RunEntry* e, int ne, int j) {
  constexpr int W = 16 * NB;
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512 acc[NB];
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b)
    acc[b] = Zero ? _mm512_setzero_ps() : _mm512_loadu_ps(o + j + 16 * b);
  for (int k = 0; k < ne; ++k) {
    const RunEntry& q = e[k];
    if (q.hi < j || q.lo >= j + W) continue;
    const __m512 r = _mm512_set1_ps(q.rf);
    const float* p = q.prof + j;
    if (q.lo <= j && q.hi >= j + W - 1) {
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b) acc[b] = _mm512_fmadd_ps(r, _mm512_loadu_ps(p + 16 * b), acc[b]);
    } else {
      const __m512i lo = _mm512_set1_epi32(q.lo - j), hi = _mm512_set1_epi32(q.hi - j);
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b) {
        const __m512i c = _mm512_add_epi32(iota, _mm512_set1_epi32(16 * b));
        const __mmask16 m = _mm512_cmp_epi32_mask(c, lo, _MM_CMPINT_NLT) &
                            _mm512_cmp_epi32_mask(c, hi, _MM_CMPINT_LE);
        acc[b] = _mm512_mask3_fmadd_ps(r, _mm512_loadu_ps(p + 16 * b), acc[b], m);
      }
    }
  }
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b) _mm512_storeu_ps(o + j + 16 * b, acc[b]);
}

template <bool Zero>
GM_V4 [[gnu::noinline]] void fold_run16(float* o, const RunEntry* e, int ne, int b0, int n) {
  int j = b0;
  for (; j + 128 <= b0 + n; j += 128) run_chunk16<8, Zero>(o, e, ne, j);
  for (; j < b0 + n; j += 16) run_chunk16<1, Zero>(o, e, ne, j);
}

template <int NB, bool Zero>
GM_V3 [[gnu::always_inline]] inline void run_chunk8(float* o, const RunEntry* e, int ne, int j) {
  constexpr int W = 8 * NB;
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 acc[NB];
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b) acc[b] = Zero ? _mm256_setzero_ps() : _mm256_loadu_ps(o + j + 8 * b);
  for (int k = 0; k < ne; ++k) {
    const RunEntry& q = e[k];
    if (q.hi < j || q.lo >= j + W) continue;
    const __m256 r = _mm256_set1_ps(q.rf);
    const float* p = q.prof + j;
    if (q.lo <= j && q.hi >= j + W - 1) {
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b) acc[b] = _mm256_fmadd_ps(r, _mm256_loadu_ps(p + 8 * b), acc[b]);
    } else {
      // in: lo <= c <= hi, i.e. c > lo - 1 and hi + 1 > c
      const __m256i lo = _mm256_set1_epi32(q.lo - j - 1), hi = _mm256_set1_epi32(q.hi - j + 1);
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b) {
        const __m256i c = _mm256_add_epi32(iota, _mm256_set1_epi32(8 * b));
        const __m256 m = _mm256_castsi256_ps(
            _mm256_and_si256(_mm256_cmpgt_epi32(c, lo), _mm256_cmpgt_epi32(hi, c)));
        const __m256 v = _mm256_fmadd_ps(r, _mm256_loadu_ps(p + 8 * b), acc[b]);
        acc[b] = _mm256_blendv_ps(acc[b], v, m);
      }
    }
  }
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b) _mm256_storeu_ps(o + j + 8 * b, acc[b]);
}

template <bool Zero>
GM_V3 [[gnu::noinline]] void fold_run8(float* o, const RunEntry* e, int ne, int b0, int n) {
  int j = b0;
  for (; j + 64 <= b0 + n; j += 64) run_chunk8<8, Zero>(o, e, ne, j);
  for (; j < b0 + n; j += 8) run_chunk8<1, Zero>(o, e, ne, j);
}

// Baseline (SSE2, no FMA): o + rf * prof, two roundings, as madd<false>.
template <int NB, bool Zero>
[[gnu::always_inline]] inline void run_chunk4(float* o, const RunEntry* e, int ne, int j) {
  constexpr int W = 4 * NB;
  const __m128i iota = _mm_setr_epi32(0, 1, 2, 3);
  __m128 acc[NB];
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b) acc[b] = Zero ? _mm_setzero_ps() : _mm_loadu_ps(o + j + 4 * b);
  for (int k = 0; k < ne; ++k) {
    const RunEntry& q = e[k];
    if (q.hi < j || q.lo >= j + W) continue;
    const __m128 r = _mm_set1_ps(q.rf);
    const float* p = q.prof + j;
    if (q.lo <= j && q.hi >= j + W - 1) {
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b)
        acc[b] = _mm_add_ps(_mm_mul_ps(r, _mm_loadu_ps(p + 4 * b)), acc[b]);
    } else {
      const __m128i lo = _mm_set1_epi32(q.lo - j - 1), hi = _mm_set1_epi32(q.hi - j + 1);
#pragma GCC unroll 16
      for (int b = 0; b < NB; ++b) {
        const __m128i c = _mm_add_epi32(iota, _mm_set1_epi32(4 * b));
        const __m128 m =
            _mm_castsi128_ps(_mm_and_si128(_mm_cmpgt_epi32(c, lo), _mm_cmpgt_epi32(hi, c)));
        const __m128 v = _mm_add_ps(_mm_mul_ps(r, _mm_loadu_ps(p + 4 * b)), acc[b]);
        acc[b] = _mm_or_ps(_mm_and_ps(m, v), _mm_andnot_ps(m, acc[b]));
      }
    }
  }
#pragma GCC unroll 16
  for (int b = 0; b < NB; ++b) _mm_storeu_ps(o + j + 4 * b, acc[b]);
}

template <bool Zero>
[[gnu::noinline]] void fold_run4(float* o, const RunEntry* e, int ne, int b0, int n) {
  int j = b0;
  for (; j + 32 <= b0 + n; j += 32) run_chunk4<8, Zero>(o, e, ne, j);
  for (; j < b0 + n; j += 4) run_chunk4<1, Zero>(o, e, ne, j);
}
#endif

// Rotated, point sampling: lane j is column jc + j0 + j of the row.
template <class Op, bool Fma>
[[gnu::always_inline]] inline void fold_rotated(float* __restrict o, std::int32_t* __restrict cnt,
                                                int n, int lo, int hi, int j0, float a_half,
                                                float dx, float base, float rf) {
  if (lo <= 0 && hi >= n - 1 && !std::is_same_v<Op, MaxOp>) {  // the whole blocks: no mask
    for (int j = 0; j < n; ++j) {
      const float u = madd<Fma>(float(j0 + j), dx, base);
      o[j] = Op::template fold<Fma>(o[j], rf, fast_exp<Fma>(a_half * u * u));
    }
    return;
  }
  for (int j = 0; j < n; ++j) {
    const bool in = j >= lo && j <= hi;
    const float u = madd<Fma>(float(j0 + j), dx, base);
    const float v = Op::template fold<Fma>(o[j], rf, fast_exp<Fma>(a_half * u * u));
    o[j] = in ? v : o[j];
    if constexpr (std::is_same_v<Op, MaxOp>) cnt[j] += in ? 1 : 0;
  }
}

#ifdef GM_HAVE_X86_PATHS
// fast_exp on 16 lanes (AVX-512): the same steps as the scalar one. `Clamp`: arguments below -87
// give 0 (false: the caller knows every argument is at least -87; same values there).
template <bool Clamp = true>
GM_V4 [[gnu::always_inline]] inline __m512 fast_exp16(__m512 x) {
  const __m512 xc = Clamp ? _mm512_max_ps(x, _mm512_set1_ps(-87.0f)) : x;
  const __m512 magic = _mm512_set1_ps(12582912.0f);
  const __m512 n =
      _mm512_sub_ps(_mm512_fmadd_ps(xc, _mm512_set1_ps(1.44269504088896341f), magic), magic);
  __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693145751953125f), xc);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(-1.42860682030941723212e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  const __m512i bits =
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23);
  const __m512 y = _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
  if constexpr (!Clamp) return y;
  return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.0f), _CMP_NLT_UQ), y);
}

// Rotated, point sampling, by recurrence along the row (AVX-512): with E(c) = exp(a u(c)^2),
// a = -ia/2, u(c) = (c - jc) dx + base, a step of 16 columns multiplies E by
// F(c) = exp(a (2 u 16dx + (16dx)^2)) and F by R = exp(2 a (16dx)^2): two multiplies per block
// instead of an exp. Exact exps re-anchor it at every whole-grid column that is a multiple of
// `group` (64 columns, where the kernel's row allows: rotated_group), also before a span's first
// block, so a value depends on its column alone: windows keep their bits. o[0] is whole-grid column
// col0 (a multiple of 16); lanes outside [lo, hi] keep their value.

template <class Op>
GM_V4 [[gnu::noinline]] void fold_rotated_rec16(float* o, std::int32_t* cnt, int n, int lo, int hi,
                                                int col0, int jc, float a_half, float dx,
                                                float base, float rf, int group) {
  const float vdx = 16.0f * dx;
  const __m512 va = _mm512_set1_ps(a_half), vdxv = _mm512_set1_ps(dx), vb = _mm512_set1_ps(base);
  const __m512 step16 = _mm512_set1_ps(vdx), sq = _mm512_set1_ps(vdx * vdx);
  const __m512 r_step = fast_exp16(_mm512_set1_ps(2.0f * a_half * vdx * vdx));
  const __m512 vrf = _mm512_set1_ps(rf);
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512 e = _mm512_setzero_ps(), f = _mm512_setzero_ps();
  for (int b = 0; b < n; b += 16) {
    const int c = col0 + b;
    if (b == 0 || (c & (group - 1)) == 0) {  // c >= 0, group a power of two
      const int a = c & ~(group - 1);
      const __m512 col = _mm512_cvtepi32_ps(_mm512_add_epi32(iota, _mm512_set1_epi32(a - jc)));
      const __m512 u = _mm512_fmadd_ps(col, vdxv, vb);
      e = fast_exp16(_mm512_mul_ps(_mm512_mul_ps(va, u), u));
      // F's argument is within +-19 wherever the row reaches (rotated_group): no clamp needed.
      f = fast_exp16<false>(_mm512_mul_ps(va, _mm512_fmadd_ps(_mm512_add_ps(u, u), step16, sq)));
      for (int k = a; k < c; k += 16) e = _mm512_mul_ps(e, f), f = _mm512_mul_ps(f, r_step);
    }
    const __m512 ov = _mm512_loadu_ps(o + b);
    __m512 v;
    if constexpr (std::is_same_v<Op, SumOp>) {
      v = _mm512_fmadd_ps(vrf, e, ov);
    } else if constexpr (std::is_same_v<Op, MaxOp>) {
      v = _mm512_max_ps(ov, _mm512_mul_ps(vrf, e));
    } else {
      const __m512 cl = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(vrf, e), _mm512_setzero_ps()),
                                      _mm512_set1_ps(1.0f));
      v = _mm512_fmadd_ps(cl, _mm512_sub_ps(_mm512_set1_ps(1.0f), ov), ov);
    }
    if (!std::is_same_v<Op, MaxOp> && b >= lo && b + 15 <= hi) {  // a whole block: no mask
      _mm512_storeu_ps(o + b, v);
    } else {
      const __m512i j = _mm512_add_epi32(iota, _mm512_set1_epi32(b));
      const __mmask16 in = _mm512_cmp_epi32_mask(j, _mm512_set1_epi32(lo), _MM_CMPINT_NLT) &
                           _mm512_cmp_epi32_mask(j, _mm512_set1_epi32(hi), _MM_CMPINT_LE);
      _mm512_mask_storeu_ps(o + b, in, v);
      if constexpr (std::is_same_v<Op, MaxOp>) {
        const __m512i cv = _mm512_loadu_si512(cnt + b);
        _mm512_storeu_si512(cnt + b, _mm512_mask_add_epi32(cv, in, cv, _mm512_set1_epi32(1)));
      }
    }
    e = _mm512_mul_ps(e, f), f = _mm512_mul_ps(f, r_step);
  }
}

// One block of 8 lanes (AVX2) folded with the values r * p: Op::fold lane by lane.
template <class Op>
GM_V3 [[gnu::always_inline]] inline __m256 fold8(__m256 acc, __m256 r, __m256 p) {
  if constexpr (std::is_same_v<Op, SumOp>) {
    return _mm256_fmadd_ps(r, p, acc);
  } else if constexpr (std::is_same_v<Op, MaxOp>) {
    return _mm256_max_ps(acc, _mm256_mul_ps(r, p));
  } else {
    const __m256 c = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(r, p), _mm256_setzero_ps()),
                                   _mm256_set1_ps(1.0f));
    return _mm256_fmadd_ps(c, _mm256_sub_ps(_mm256_set1_ps(1.0f), acc), acc);
  }
}

// fold_separable_rim on 8 lanes (AVX2). The rim test runs in float64 on two halves of 4 lanes
// whose masks one shuffle packs into 8 float lanes, so `a` holds each block's lanes in the order
// 0 1 4 5 2 3 6 7 (rim_order8).
GM_V3 inline void rim_order8(double* a, int n) {
  for (int j = 0; j < n; j += 8) {
    const __m256d lo = _mm256_loadu_pd(a + j), hi = _mm256_loadu_pd(a + j + 4);
    _mm256_storeu_pd(a + j, _mm256_permute2f128_pd(lo, hi, 0x20));
    _mm256_storeu_pd(a + j + 4, _mm256_permute2f128_pd(lo, hi, 0x31));
  }
}

template <class Op>
GM_V3 [[gnu::noinline]] void fold_separable_rim8(float* __restrict o, std::int32_t* __restrict cnt,
                                                 const float* __restrict prof,
                                                 const double* __restrict a, double b, double k2,
                                                 float rf, int n) {
  const __m256d vb = _mm256_set1_pd(b), vk = _mm256_set1_pd(k2);
  const __m256 vr = _mm256_set1_ps(rf);
  for (int j = 0; j < n; j += 8) {
    const __m256d out0 = _mm256_cmp_pd(_mm256_add_pd(_mm256_loadu_pd(a + j), vb), vk, _CMP_GT_OQ);
    const __m256d out1 =
        _mm256_cmp_pd(_mm256_add_pd(_mm256_loadu_pd(a + j + 4), vb), vk, _CMP_GT_OQ);
    const __m256 out =
        _mm256_shuffle_ps(_mm256_castpd_ps(out0), _mm256_castpd_ps(out1), _MM_SHUFFLE(2, 0, 2, 0));
    const __m256 ov = _mm256_loadu_ps(o + j);
    const __m256 v = fold8<Op>(ov, vr, _mm256_loadu_ps(prof + j));
    _mm256_storeu_ps(o + j, _mm256_blendv_ps(v, ov, out));
    if constexpr (std::is_same_v<Op, MaxOp>) {  // + 1 where in: 1 + (-1 where out)
      const __m256i cv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cnt + j));
      _mm256_storeu_si256(
          reinterpret_cast<__m256i*>(cnt + j),
          _mm256_add_epi32(_mm256_add_epi32(cv, _mm256_set1_epi32(1)), _mm256_castps_si256(out)));
    }
  }
}

// fast_exp on 8 lanes (AVX2): the same steps as the scalar one. `Clamp`: arguments below -87
// give 0 (false: the caller knows every argument is at least -87; same values there).
template <bool Clamp = true>
GM_V3 [[gnu::always_inline]] inline __m256 fast_exp8(__m256 x) {
  const __m256 xc = Clamp ? _mm256_max_ps(x, _mm256_set1_ps(-87.0f)) : x;
  const __m256 magic = _mm256_set1_ps(12582912.0f);
  const __m256 n =
      _mm256_sub_ps(_mm256_fmadd_ps(xc, _mm256_set1_ps(1.44269504088896341f), magic), magic);
  __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-0.693145751953125f), xc);
  r = _mm256_fmadd_ps(n, _mm256_set1_ps(-1.42860682030941723212e-6f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
  if constexpr (!Clamp) return y;
  return _mm256_and_ps(_mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_NLT_UQ), y);
}

// exp on 4 float64 lanes, relative error ~1e-15 for arguments within +-708 (clamped there):
// reduction by ln 2 in two parts, then the Taylor polynomial of degree 11 on |r| <= ln 2 / 2.
GM_V3 [[gnu::always_inline]] inline __m256d exp_pd4(__m256d x) {
  x = _mm256_max_pd(_mm256_min_pd(x, _mm256_set1_pd(708.0)), _mm256_set1_pd(-708.0));
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
  __m256d p = _mm256_set1_pd(1.0 / 39916800.0);
  double inv_fact = 1.0 / 39916800.0;
  for (int k = 11; k >= 1; --k) {
    inv_fact *= k;  // 1 / (k - 1)!
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(inv_fact));
  }
  // 2^n: n + 2^52 + 2^51 holds n in its low bits; (bits + 1023) << 52 drops the rest.
  const __m256i t = _mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(6755399441055744.0)));
  const __m256i two_n = _mm256_slli_epi64(_mm256_add_epi64(t, _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(two_n));
}

// The same recurrence on 8 lanes (AVX2): a step of 8 columns from each group's anchor, a
// whole-grid column that is a multiple of `group` (32). The anchors' values (E, and F, the step's
// factor) come in float64 from the anchor before, E(A + 32) = E(A) G(A), G(A + 32) = G(A) R^16,
// F(A + 32) = F(A) R^4, with exact float64 exps at every whole-grid multiple of kSuperAnchor (or
// the group of the row's first column, `span_lo`, if later): rounded once to float, an anchor is
// exact to 0.5 ulp, where a float exp of each was good to ~2, and two exps per group become six
// float64 multiplies (k64-rot: 11.9 -> 8.9 ms here). A value depends on its column alone (the chain
// from a fixed anchor, the same multiplications whatever the call's first column), so windows keep
// their bits. (An anchor computed any other way would round to the same float all but ~1e-8 of the
// time: the window tests cannot see a wrong chain start; this rule is what guarantees the bits.)
// o[0] is whole-grid column col0 (a multiple of 8).
constexpr int kSuperAnchor = 512;
// The recurrence's step factors, a property of the kernel (a = -ia / 2) and the grid's spacing.
struct RecSteps8 {
  float r = 0;     // F(c + 8) / F(c), rounded once (the steps within a group multiply it in)
  double r4 = 0;   // F(A + 32) / F(A)
  double r32 = 0;  // G(A + 32) / G(A)
  static RecSteps8 of(float a_half, float dx) {
    const double a = a_half, d2 = double(dx) * double(dx);
    return {float(std::exp(a * 128.0 * d2)), std::exp(a * 512.0 * d2), std::exp(a * 2048.0 * d2)};
  }
};
template <class Op>
GM_V3 [[gnu::noinline]] void fold_rotated_rec8(float* o, std::int32_t* cnt, int n, int lo, int hi,
                                               int col0, int jc, float a_half, float dx, float base,
                                               float rf, int group, int span_lo,
                                               const RecSteps8& steps) {
  // The float64 chain of anchors: two halves of 4 lanes each.
  const double ad = a_half, dxd = dx, bd = base;
  const __m256 r_step = _mm256_set1_ps(steps.r);
  const __m256 vrf = _mm256_set1_ps(rf);
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  // in: lo <= j <= hi, i.e. j > lo - 1 and hi + 1 > j
  const __m256i vlo = _mm256_set1_epi32(lo - 1), vhi = _mm256_set1_epi32(hi + 1);
  const __m256d vad = _mm256_set1_pd(ad);
  const __m256d r4 = _mm256_set1_pd(steps.r4), r32 = _mm256_set1_pd(steps.r32);
  const int lo_group = span_lo & ~(group - 1);
  __m256d ed[2], fd[2], gd[2];
  int chain_s = -1, chain_a = -1;  // the chain's exact anchor and the anchor it has reached
  auto exact = [&](int s_col) GM_V3 {
    for (int h = 0; h < 2; ++h) {
      const __m256d col = _mm256_add_pd(_mm256_set1_pd(double(s_col - jc + 4 * h)),
                                        _mm256_setr_pd(0.0, 1.0, 2.0, 3.0));
      const __m256d u = _mm256_fmadd_pd(col, _mm256_set1_pd(dxd), _mm256_set1_pd(bd));
      ed[h] = exp_pd4(_mm256_mul_pd(vad, _mm256_mul_pd(u, u)));
      fd[h] = exp_pd4(_mm256_mul_pd(
          vad, _mm256_fmadd_pd(u, _mm256_set1_pd(16.0 * dxd), _mm256_set1_pd(64.0 * dxd * dxd))));
      gd[h] = exp_pd4(_mm256_mul_pd(
          vad, _mm256_fmadd_pd(u, _mm256_set1_pd(64.0 * dxd), _mm256_set1_pd(1024.0 * dxd * dxd))));
    }
    chain_s = chain_a = s_col;
  };
  auto anchor = [&](int c, __m256& e, __m256& f) GM_V3 {
    const int a = c & ~(group - 1);  // c >= 0, group a power of two
    const int s_col = std::max(a & ~(kSuperAnchor - 1), lo_group);
    if (s_col != chain_s || a < chain_a) exact(s_col);
    for (; chain_a < a; chain_a += group)
      for (int h = 0; h < 2; ++h) {
        ed[h] = _mm256_mul_pd(ed[h], gd[h]);
        gd[h] = _mm256_mul_pd(gd[h], r32);
        fd[h] = _mm256_mul_pd(fd[h], r4);
      }
    e = _mm256_set_m128(_mm256_cvtpd_ps(ed[1]), _mm256_cvtpd_ps(ed[0]));
    f = _mm256_set_m128(_mm256_cvtpd_ps(fd[1]), _mm256_cvtpd_ps(fd[0]));
    for (int k = a; k < c; k += 8) e = _mm256_mul_ps(e, f), f = _mm256_mul_ps(f, r_step);
  };
  auto fold_block = [&](int b, __m256& e, __m256& f) GM_V3 {
    const __m256 ov = _mm256_loadu_ps(o + b);
    const __m256 v = fold8<Op>(ov, vrf, e);
    if (!std::is_same_v<Op, MaxOp> && b >= lo && b + 7 <= hi) {  // a whole block: no mask
      _mm256_storeu_ps(o + b, v);
    } else {
      const __m256i j = _mm256_add_epi32(iota, _mm256_set1_epi32(b));
      const __m256i inm = _mm256_and_si256(_mm256_cmpgt_epi32(j, vlo), _mm256_cmpgt_epi32(vhi, j));
      _mm256_storeu_ps(o + b, _mm256_blendv_ps(ov, v, _mm256_castsi256_ps(inm)));
      if constexpr (std::is_same_v<Op, MaxOp>) {
        const __m256i cv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(cnt + b));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(cnt + b), _mm256_sub_epi32(cv, inm));
      }
    }
    e = _mm256_mul_ps(e, f), f = _mm256_mul_ps(f, r_step);
  };
  // Two groups at a time, interleaved: two independent multiply chains (each block waits on
  // the previous block's e f). Every group runs from its own anchor exactly as it would alone.
  for (int b = 0; b < n;) {
    const int t1 = std::min(n, ((col0 + b) & ~(group - 1)) + group - col0);
    const int t2 = std::min(n, t1 + group);
    __m256 e1, f1, e2, f2;
    anchor(col0 + b, e1, f1);
    if (t1 < n) anchor(col0 + t1, e2, f2);
    if (!std::is_same_v<Op, MaxOp> && group == 32 && t1 - b == 32 && t2 - t1 == 32 && b >= lo &&
        t2 - 1 <= hi) {  // two whole groups inside the span: no tests
#pragma GCC unroll 4
      for (int k = 0; k < 32; k += 8) {
        _mm256_storeu_ps(o + b + k, fold8<Op>(_mm256_loadu_ps(o + b + k), vrf, e1));
        _mm256_storeu_ps(o + t1 + k, fold8<Op>(_mm256_loadu_ps(o + t1 + k), vrf, e2));
        e1 = _mm256_mul_ps(e1, f1), f1 = _mm256_mul_ps(f1, r_step);
        e2 = _mm256_mul_ps(e2, f2), f2 = _mm256_mul_ps(f2, r_step);
      }
      b = t2;
      continue;
    }
    for (int k1 = b, k2 = t1; k1 < t1 || k2 < t2; k1 += 8, k2 += 8) {
      if (k1 < t1) fold_block(k1, e1, f1);
      if (k2 < t2) fold_block(k2, e2, f2);
    }
    b = t2;
  }
}
#endif

// The anchor spacing of the recurrence on V lanes for a row whose span is [lo, hi] (ridge column
// jc, offset base): 4V columns (kRecBlocks blocks) where the factors stay in range over them, 0
// for none (exact exps). In range: F within exp(+-57 / (group / V - 1)) at every lane the row
// reaches from an anchor, so that from an anchor whose exp underflowed to 0 (below exp(-87)) the
// true value grows by at most exp(57) within a group (stays below exp(-30): negligible). At most 7
// steps from an anchor: the error of the anchor's F (~1 ulp) counts once per step, so the drift
// stays within ~2e-6 of the value (measured: 2.0e-6 of the peak on k64-rot with 8 blocks, 4.3e-7
// with 4). 8 blocks saved ~25% of k64-rot's time; 4 keep the accuracy the CPU backend had before
// the recurrence, which is worth more here. A property of the kernel's row alone, so every window
// makes the same choice.
constexpr int kRecBlocks = 4;
template <int V>
inline int rotated_group(float a_half, float dx, const RowInfo& ri) {
  const float vdx = std::abs(float(V) * dx);
  for (int group = kRecBlocks * V; group >= 4 * V; group /= 2) {
    const float umax = std::abs(dx) * float(std::max(std::abs(ri.lo - group - ri.jc),
                                                     std::abs(ri.hi + V - ri.jc))) +
                       std::abs(ri.base);
    if (std::abs(a_half) * (2.0f * umax * vdx + vdx * vdx) <= 57.0f / float(group / V - 1))
      return group;
  }
  return 0;
}

// The tile loop's buffer (a tile's rows with padding, for tiles at a window's edges), max's counts
// and sum's run entries, one set per thread of an evaluation, grown to the rows asked for and
// reused by every row of tiles the thread takes: up to 0.5 MiB each, too much for a caller's
// stack. (Not thread_local: the core is also linked into modules that are dlopen'ed, whose
// thread_local storage LeakSanitizer's exit-time scan crashed on.)
struct TileScratch {
  std::unique_ptr<float[], FreeStorage> buf;
  std::unique_ptr<std::int32_t[], FreeStorage> cnt;
  std::unique_ptr<RunEntry[], FreeStorage> ent;
  std::size_t buf_n = 0, cnt_n = 0, ent_n = 0;
  // p holds at least n elements (n * sizeof(T) a multiple of 64: whole lines).
  template <class T>
  static T* grow(std::unique_ptr<T[], FreeStorage>& p, std::size_t& have, std::size_t n) {
    if (n > have) {
      p.reset(static_cast<T*>(std::aligned_alloc(64, n * sizeof(T))));
      if (!p) throw std::bad_alloc();
      have = n;
    }
    return p.get();
  }
};
struct Job {
  const Setup* setup = nullptr;
  const Prep* preps = nullptr;
  const Hot* hot = nullptr;
  const RowInfo* rows = nullptr;
  const float* cols = nullptr;               // column profiles, kColGuard floats in
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

// One row of tiles of the window, `V` lanes per SIMD block. Tiles start at the window's corner;
// the kernels of a tile are folded in the order of bin_items, the same for every window.
template <class Op, bool Fma, int V>
[[gnu::always_inline]] inline void tile_row_op(const Job& job, int ty, TileScratch& scratch) {
  static_assert(V <= kPad && kPad % V == 0);
  constexpr bool is_max = std::is_same_v<Op, MaxOp>;
  const Setup& s = *job.setup;
  const Grid& grid = s.grid;
  const int ww = s.wc1 - s.wc0 + 1;
  const int tile_h = s.tile_h;
  const int ra = s.wr0 + ty * tile_h, rb = std::min(s.wr1, ra + tile_h - 1);
  const float dxf = float(grid.dx);
  const double cw = grid.cell_w, ch = grid.cell_h;
  // The tile, at least kPad columns of padding on each side (buffer column of image column c:
  // c - base, base = ca - kPad - (ca mod V), so that SIMD blocks start at whole-grid columns that
  // are multiples of V). Lanes outside spans only ever rewrite their own values.
  // A buffer row: the tile and its padding (560 or 2096 floats, whole 64-byte lines).
  const int tile_w = s.tile_w, buf_w = tile_w + 3 * kPad;
  static_assert((512 + 3 * kPad) % 16 == 0 && (kTileWMax + 3 * kPad) % 16 == 0);
  const std::size_t rows_here = std::size_t(rb - ra + 1);
  float* const buf = TileScratch::grow(scratch.buf, scratch.buf_n, rows_here * buf_w);
  std::int32_t* const cnt_buf =
      TileScratch::grow(scratch.cnt, scratch.cnt_n, (is_max ? rows_here : 1) * buf_w);
  // The padding lanes are read (and rewritten unchanged) but never used: any finite start will do.
  // Only the rows and columns this row of tiles uses: the buffer is fresh memory in a new thread
  // (a 4x4 render paid ~0.15 ms of page faults filling all of it).
  for (int r = 0; r <= rb - ra; ++r) {
    std::fill_n(buf + std::size_t(r) * buf_w, kPad, 0.0f);
    std::fill_n(buf + std::size_t(r) * buf_w + kPad + tile_w, 2 * kPad, 0.0f);
    std::fill_n(buf + std::size_t(r) * buf_w + kPad, kPad, 0.0f);  // the shift's columns
  }
  if constexpr (!is_max) std::fill_n(cnt_buf, buf_w, 0);  // max fills its rows per tile
  // A small kernel's rows and columns within one tile.
  RowInfo small_rows[kTileHMax];
  alignas(64) float small_cols[kSmallCols + 2 * kColPad] = {};
  double small_scratch[kSmallCols];
  alignas(64) double small_a[kSmallCols + 2 * kPad];
  alignas(64) float small_p[kSmallCols + 2 * kPad];
  auto out_at = [&](int r, int c) { return job.out + std::size_t(r - s.wr0) * ww + (c - s.wc0); };
  // A run's entries per tile row (sum; see fold_run16).
  RunEntry* const run_ent =
      std::is_same_v<Op, SumOp>
          ? TileScratch::grow(scratch.ent, scratch.ent_n, rows_here * std::size_t(kRunMax))
          : nullptr;
  static_assert(kRunMax * sizeof(RunEntry) % 64 == 0);
  const float init = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
  for (int tx = 0; tx < job.tiles_x; ++tx) {
    const int ca = s.wc0 + tx * tile_w, cb = std::min(s.wc1, ca + tile_w - 1);
    const int tw = cb - ca + 1;
    const int base = ca - kPad - (ca & (V - 1));  // image column of buffer column 0
    // A tile whose SIMD blocks stay inside the window is folded in the output itself: every block
    // starts at a whole-grid multiple of V at or after (ca & ~(V-1)) and ends by (cb | (V-1)), and
    // its extra lanes are the same thread's pixels of this row, rewritten unchanged. That holds
    // for every tile of a window whose edges are multiples of V (1920 or 1024 wide from column
    // 0); other tiles at the window's edges go through the padded buffer (their extra lanes would
    // be other rows').
    const bool direct = (ca & ~(V - 1)) >= s.wc0 && (cb | (V - 1)) <= s.wc1;
    const std::size_t row_stride = direct ? std::size_t(ww) : std::size_t(buf_w);
    float* const fold_base = direct ? out_at(ra, base) : buf;  // buffer column 0 of row ra
    // The first batch starts every pixel at `init`. For sum, where the tile's first kernels form
    // a run whose blocks stay inside the tile, the run starts its blocks at +0 itself and only
    // the columns it leaves are filled (the fill was a pass over the whole field); anything else
    // fills the tile first (`settle`).
    bool pending = false;
#ifdef GM_HAVE_X86_PATHS
    pending = std::is_same_v<Op, SumOp> && job.first_batch && (ca & (V - 1)) == 0 &&
              ((cb + 1) & (V - 1)) == 0;
#endif
    auto row_at = [&](int r) {
      return direct ? out_at(r, ca) : buf + std::size_t(r - ra) * buf_w + (ca - base);
    };
    for (int r = ra; r <= rb; ++r) {
      float* b = row_at(r);
      if (job.first_batch) {
        if (!pending) std::fill_n(b, tw, init);
      } else if (!direct) {
        std::memcpy(b, out_at(r, ca), sizeof(float) * std::size_t(tw));
      }
      if constexpr (is_max) std::fill_n(cnt_buf + std::size_t(r - ra) * buf_w, buf_w, 0);
    }
    auto settle = [&] {
      if (!pending) return;
      for (int r = ra; r <= rb; ++r) std::fill_n(row_at(r), tw, init);
      pending = false;
    };
    // Blocks of a span [lo, hi] (image columns within the tile): buffer columns [b0, b0 + n).
    auto block = [&](int lo, int hi, int& b0, int& n) {
      b0 = (lo - base) & ~(V - 1);
      n = ((hi - base) | (V - 1)) + 1 - b0;
    };
    // Column profile of kernel h at buffer column b0.
    auto prof_at = [&](const Hot& h, int b0) {
      return job.cols + h.col_off + std::ptrdiff_t(b0 + base - h.c0);
    };
    const std::size_t tile = std::size_t(ty) * job.tiles_x + tx;
    const std::uint32_t it0 = job.bin_start[tile], it1 = job.bin_start[tile + 1];
    // Four separable kernels in a row of the list whose boxes cover over half of the tile's
    // columns, or 256 of them (common without a cutoff), are folded in one pass over the union of
    // their spans, each masked to its own, row by row: four rows of profiles and one of the tile.
    auto wide = [&](std::uint32_t it) {
      const Hot& h = job.hot[job.bin_items[it]];
      return h.col_off < kSmall &&
             2 * (std::min(h.c1, cb) - std::max(h.c0, ca) + 1) >= std::min(tw, 512);
    };
    for (std::uint32_t it = it0; it < it1;) {
#ifdef GM_HAVE_X86_PATHS
      // Sum: consecutive separable kernels prepared per batch (up to kRunMax) as one rank-k
      // update of each row, the row's blocks held in registers across the run (fold_run*).
      if constexpr (std::is_same_v<Op, SumOp>) {
        std::uint32_t end = it;
        while (end < it1 && end - it < std::uint32_t(kRunMax) &&
               job.hot[job.bin_items[end]].col_off < kSmall)
          ++end;
        if (end - it >= 2) {
          // Entries of every row of the tile first, then the row's blocks chunk by chunk with
          // the tile's rows inner: one chunk of the run's profiles (up to 32 KiB) stays in L1
          // across the tile's rows.
          const int nk = int(end - it);
          const Hot* hk[kRunMax];
          const float* pk[kRunMax];
          for (int k = 0; k < nk; ++k) hk[k] = &job.hot[job.bin_items[it + std::uint32_t(k)]];
          for (int k = 0; k < nk; ++k) pk[k] = prof_at(*hk[k], 0);
          // Kernel by kernel (each one's rows are consecutive in memory), row by row.
          int ne[kTileHMax] = {}, rb0[kTileHMax], rn[kTileHMax], any_lo[kTileHMax],
              any_hi[kTileHMax];
          std::fill_n(any_lo, tile_h, cb + 1), std::fill_n(any_hi, tile_h, ca - 1);
          for (int k = 0; k < nk; ++k) {
            const Hot& h = *hk[k];
            const int r0 = std::max(h.r0, ra), r1 = std::min(h.r1, rb);
            const RowInfo* kr = job.rows + h.row_off + std::ptrdiff_t(r0 - h.r0);
            if (k + 4 < nk) {  // the rows of the kernel four ahead (a tile's rows: 10 lines)
              const Hot& f = *hk[k + 4];
              const char* q = reinterpret_cast<const char*>(
                  job.rows + f.row_off + std::ptrdiff_t(std::max(f.r0, ra) - f.r0));
              for (int line = 0; line < tile_h * int(sizeof(RowInfo)); line += 64)
                __builtin_prefetch(q + line);
            }
            for (int r = r0; r <= r1; ++r) {
              const RowInfo& ri = kr[r - r0];
              const int lo = std::max(ri.lo, ca), hi = std::min(ri.hi, cb);
              if (lo > hi) continue;
              const int i = r - ra;
              any_lo[i] = std::min(any_lo[i], lo), any_hi[i] = std::max(any_hi[i], hi);
              run_ent[std::size_t(i) * kRunMax + std::size_t(ne[i]++)] =
                  RunEntry{pk[k], ri.rf, lo - base, hi - base};
            }
          }
          int all_lo = buf_w, all_hi = -1;
          for (int i = 0; i <= rb - ra; ++i) {
            if (ne[i] == 0) continue;
            block(any_lo[i], any_hi[i], rb0[i], rn[i]);
            all_lo = std::min(all_lo, rb0[i]), all_hi = std::max(all_hi, rb0[i] + rn[i]);
          }
          // A fresh tile: the run's blocks start at +0 (they lie inside the tile: its ends are
          // multiples of V); the columns outside them are filled here.
          const bool zero = pending;
          if (zero) {
            for (int i = 0; i <= rb - ra; ++i) {
              float* b = row_at(ra + i);
              if (ne[i] == 0) {
                std::fill_n(b, tw, init);
                continue;
              }
              const int c_lo = base + rb0[i] - ca, c_hi = base + rb0[i] + rn[i] - ca;  // [, )
              std::fill_n(b, c_lo, init);
              std::fill_n(b + c_hi, tw - c_hi, init);
            }
            pending = false;
          }
          constexpr int kChunk = 128;
          for (int c0 = all_lo; c0 < all_hi; c0 += kChunk) {
            for (int r = ra; r <= rb; ++r) {
              const int i = r - ra;
              if (ne[i] == 0) continue;
              const int j0 = std::max(c0, rb0[i]), j1 = std::min(c0 + kChunk, rb0[i] + rn[i]);
              if (j0 >= j1) continue;
              float* orow = fold_base + std::size_t(i) * row_stride;
              const RunEntry* e = run_ent + std::size_t(i) * kRunMax;
              if constexpr (V == 16)
                (zero ? fold_run16<true> : fold_run16<false>)(orow, e, ne[i], j0, j1 - j0);
              else if constexpr (V == 8)
                (zero ? fold_run8<true> : fold_run8<false>)(orow, e, ne[i], j0, j1 - j0);
              else
                (zero ? fold_run4<true> : fold_run4<false>)(orow, e, ne[i], j0, j1 - j0);
            }
          }
          it = end;
          continue;
        }
      }
#endif
      settle();
      if (it + 4 <= it1 && wide(it) && wide(it + 1) && wide(it + 2) && wide(it + 3)) {
        const Hot* q[4];
        for (int k = 0; k < 4; ++k) q[k] = &job.hot[job.bin_items[it + k]];
        it += 4;
        int r0 = rb, r1 = ra;
        for (int k = 0; k < 4; ++k)
          r0 = std::min(r0, std::max(q[k]->r0, ra)), r1 = std::max(r1, std::min(q[k]->r1, rb));
        for (int r = r0; r <= r1; ++r) {
          int lo[4], hi[4], any_lo = cb + 1, any_hi = ca - 1;
          float rf[4];
          for (int k = 0; k < 4; ++k) {
            const Hot& h = *q[k];
            lo[k] = 1, hi[k] = 0, rf[k] = 0;
            if (r < h.r0 || r > h.r1) continue;
            const RowInfo& ri = job.rows[h.row_off + std::size_t(r - h.r0)];
            lo[k] = std::max(ri.lo, ca), hi[k] = std::min(ri.hi, cb), rf[k] = ri.rf;
            if (lo[k] <= hi[k]) any_lo = std::min(any_lo, lo[k]), any_hi = std::max(any_hi, hi[k]);
          }
          if (any_lo > any_hi) continue;
          int b0, n;
          block(any_lo, any_hi, b0, n);
          const float* prof[4];
          for (int k = 0; k < 4; ++k) {
            prof[k] = prof_at(*q[k], b0);
            if (lo[k] <= hi[k])
              lo[k] -= base + b0, hi[k] -= base + b0;
            else
              lo[k] = 1, hi[k] = 0;
          }
          const std::size_t row = std::size_t(r - ra) * buf_w + std::size_t(b0);
          float* o4 = fold_base + std::size_t(r - ra) * row_stride + std::size_t(b0);
          std::int32_t* c4 = cnt_buf + (is_max ? row : 0);
          // Blocks every member covers whole run unmasked; the ends masked.
          const int m0 = (std::max({lo[0], lo[1], lo[2], lo[3]}) + V - 1) & ~(V - 1);
          const int m1 = (std::min({hi[0], hi[1], hi[2], hi[3]}) + 1) & ~(V - 1);
          if (is_max || m1 - m0 < V) {
            fold_separable4<Op, Fma>(o4, c4, prof, rf, n, lo, hi);
          } else {
            auto part = [&](int j0, int j1) GM_INLINE_LAMBDA {
              if (j1 <= j0) return;
              const float* pp[4] = {prof[0] + j0, prof[1] + j0, prof[2] + j0, prof[3] + j0};
              int l2[4], h2[4];
              for (int k = 0; k < 4; ++k) l2[k] = lo[k] - j0, h2[k] = hi[k] - j0;
              fold_separable4<Op, Fma>(o4 + j0, c4 + j0, pp, rf, j1 - j0, l2, h2);
            };
            part(0, m0);
            part(m0, m1);
            part(m1, n);
          }
        }
        continue;
      }
      const std::uint32_t item = job.bin_items[it++];
      // Kernel data sits in scene order: fetch the record of the kernel six ahead (4 lines).
      if (it + 6 < it1) {
        const char* q =
            reinterpret_cast<const char*>(&job.preps[job.hot[job.bin_items[it + 6]].prep]);
        for (std::size_t line = 0; line < sizeof(Prep); line += 64) __builtin_prefetch(q + line);
      }
      const Hot* hp = &job.hot[item];
      const RowInfo* krows = job.rows;
      const float* kcols = job.cols;
      Hot local;
      if (hp->col_off == kSmall) {
        // A small kernel: its rows and columns inside this tile are prepared here, into L1, by
        // the same code (same values) as the batch's arrays would hold.
        const Prep& q = job.preps[hp->prep];
        const int qr0 = std::max(hp->r0, ra), qr1 = std::min(hp->r1, rb);
        const int qc0 = std::max(hp->c0, ca), qc1 = std::min(hp->c1, cb);
        if (qr0 > qr1 || qc0 > qc1) continue;
        if (q.separable && s.cutoff && !s.area) {
          // Axis-aligned with a cutoff, point sampling: the rim test A(col) + B(row) > k^2 (see
          // axis_spans) masks the SIMD lanes directly, no spans. Same values as the other paths.
          const Gaussian& g = q.g;
          const int b0 = (qc0 - base) & ~(V - 1), n = ((qc1 - base) | (V - 1)) + 1 - b0;
          const int lo = qc0 - base - b0, hi = qc1 - base - b0;
          const double cx = g.cx, ia = g.ia, x0 = grid.x0, dx = grid.dx;
          for (int j = 0; j < n; ++j) {
            const double ux = (x0 + (base + b0 + j) * dx) - cx;  // grid.x(col) - cx
            const double aj =
                j >= lo && j <= hi ? ia * ux * ux : std::numeric_limits<double>::infinity();
            small_a[j] = aj;
            small_p[j] = float(-0.5 * ia * ux * ux);
          }
          for (int j = 0; j < n; ++j) small_p[j] = fast_exp<Fma>(small_p[j]);
#ifdef GM_HAVE_X86_PATHS
          if constexpr (V == 8) rim_order8(small_a, n);
#endif
          const float amp = float(g.amp);
          const double y0 = grid.y0, dy = grid.dy, cy = g.cy, ic = g.ic, c = g.c;
          float rfs[kTileHMax];
          double bbs[kTileHMax];
          for (int i = 0; i <= qr1 - qr0; ++i) {
            const double uy = (y0 + (qr0 + i) * dy) - cy;  // grid.y(row) - cy
            bbs[i] = ic * uy * uy;
            rfs[i] = float(-0.5 * uy * uy / c);
          }
          for (int i = 0; i <= qr1 - qr0; ++i) rfs[i] = amp * fast_exp<Fma>(rfs[i]);
          for (int r = qr0; r <= qr1; ++r) {
            const double bb = bbs[r - qr0];
            if (bb > g.cutoff_d2) continue;  // A >= 0: no pixel of the row inside the rim
            const float rf = rfs[r - qr0];
            const std::size_t row = std::size_t(r - ra) * buf_w + std::size_t(b0);
            float* o = fold_base + std::size_t(r - ra) * row_stride + std::size_t(b0);
            std::int32_t* rc = cnt_buf + (is_max ? row : 0);
#ifdef GM_HAVE_X86_PATHS
            if constexpr (V == 8) {
              fold_separable_rim8<Op>(o, rc, small_p, small_a, bb, g.cutoff_d2, rf, n);
              continue;
            }
#endif
            fold_separable_rim<Op, Fma>(o, rc, small_p, small_a, bb, g.cutoff_d2, rf, n);
          }
          continue;
        }
        prepare_kernel<Fma>(s, q, qr0, qr1, qc0, qc1, small_rows, small_cols + kColPad,
                            small_scratch);
        local = Hot{qr0,      qr1,        qc0, qc1,
                    hp->prep, hp->a_half, 0,   q.separable ? std::uint32_t(kColPad) : kNoCols};
        hp = &local, krows = small_rows, kcols = small_cols;
      }
      const Hot& p = *hp;
      const int r0 = std::max(p.r0, ra), r1 = std::min(p.r1, rb);
      const bool separable = p.col_off != kNoCols;
#ifdef GM_HAVE_X86_PATHS
      // The AVX2 recurrence's step factors: the kernel's alone, made once for all its rows here.
      const RecSteps8 steps8 =
          V == 8 && !separable && !s.area ? RecSteps8::of(p.a_half, dxf) : RecSteps8{};
#endif
      for (int r = r0; r <= r1; ++r) {
        const RowInfo& ri = krows[p.row_off + std::size_t(r - p.r0)];
        const int lo = std::max(ri.lo, ca), hi = std::min(ri.hi, cb);
        if (lo > hi) continue;
        int b0, n;
        block(lo, hi, b0, n);
        const int off = base + b0;  // image column of the block's first lane (a multiple of V)
        const std::size_t row = std::size_t(r - ra) * buf_w + std::size_t(b0);
        float* o = fold_base + std::size_t(r - ra) * row_stride + std::size_t(b0);
        std::int32_t* cnt = cnt_buf + (is_max ? row : 0);
        // Runs f(j0, j1, lo, hi) on lanes [j0, j1) (lo, hi relative to j0): a long span as a
        // masked first block, whole blocks without masks, a masked last block.
        auto split = [&](auto&& f) GM_INLINE_LAMBDA {
          const int l = lo - off, h = hi - off;
          if (n <= 2 * V) return f(0, n, l, h);
          f(0, V, l, V - 1);
          f(V, n - V, 0, n - 2 * V - 1);
          f(n - V, n, 0, h - (n - V));
        };
        if (separable) {
          const float* prof = kcols + p.col_off + std::ptrdiff_t(b0 + base - p.c0);
          split([&](int j0, int j1, int l, int h) GM_INLINE_LAMBDA {
            fold_separable<Op, Fma>(o + j0, cnt + j0, prof + j0, ri.rf, j1 - j0, l, h);
          });
        } else if (!s.area) {
#ifdef GM_HAVE_X86_PATHS
          if constexpr (V == 16 || V == 8) {
            // The recurrence where its factors stay in range (off, the block's whole-grid column,
            // is a multiple of V).
            if (const int group = rotated_group<V>(p.a_half, dxf, ri)) {
              if constexpr (V == 16)
                fold_rotated_rec16<Op>(o, cnt, n, lo - off, hi - off, off, ri.jc, p.a_half, dxf,
                                       ri.base, ri.rf, group);
              else
                fold_rotated_rec8<Op>(o, cnt, n, lo - off, hi - off, off, ri.jc, p.a_half, dxf,
                                      ri.base, ri.rf, group, ri.lo, steps8);
              continue;
            }
          }
#endif
          split([&](int j0, int j1, int l, int h) GM_INLINE_LAMBDA {
            fold_rotated<Op, Fma>(o + j0, cnt + j0, j1 - j0, l, h, off - ri.jc + j0, p.a_half, dxf,
                                  ri.base, ri.rf);
          });
        } else {
          const Gaussian& g = job.preps[p.prep].g;
          const double y = grid.y(r);
          const float yl = float(y - 0.5 * ch - g.cy), yr = float(y + 0.5 * ch - g.cy);
          const float sx = float(g.sx), sy = float(g.sy), rho = float(g.rho), rr = float(g.r);
          const double scale = g.mass / (cw * ch);
          for (int c = lo; c <= hi; ++c) {
            const double x = grid.x(c);
            const float xl = float(x - 0.5 * cw - g.cx), xr = float(x + 0.5 * cw - g.cx);
            const float pr = cell_prob_rotated<float>(0.0f, 0.0f, sx, sy, rho, rr, xl, xr, yl, yr);
            o[c - off] = Op::template fold<Fma>(o[c - off], float(scale * double(pr)), 1.0f);
            if constexpr (is_max) cnt[c - off] += 1;
          }
        }
      }
    }
    settle();  // a tile no kernel reached
    for (int r = ra; r <= rb; ++r) {
      float* o = out_at(r, ca);
      const float* b = direct ? o : buf + std::size_t(r - ra) * buf_w + (ca - base);
      if constexpr (is_max) {
        // A kernel that did not reach a pixel contributes 0 there (cutoff), or a value float32
        // cannot tell from 0; no kernel at all gives 0 (the reference's combine_finish).
        const std::int32_t* c = cnt_buf + std::size_t(r - ra) * buf_w + (ca - base);
        for (int j = 0; j < tw; ++j) {
          const float v = job.some_left_out || c[j] < job.batch_kernels ? max_f(b[j], 0.0f) : b[j];
          o[j] = job.last_batch && std::isinf(v) ? 0.0f : v;
        }
      } else if (!direct) {
        std::memcpy(o, b, sizeof(float) * std::size_t(tw));
      }
    }
  }
}

// ---- one copy of the hot functions per instruction set -----------------------------------------

template <bool Fma, int V>
[[gnu::always_inline]] inline void tile_row_t(const Job& job, int ty, TileScratch& scratch) {
  switch (job.setup->scene->combine) {
    case Combine::Sum:
      tile_row_op<SumOp, Fma, V>(job, ty, scratch);
      break;
    case Combine::Max:
      tile_row_op<MaxOp, Fma, V>(job, ty, scratch);
      break;
    case Combine::ProbOr:
      tile_row_op<OrOp, Fma, V>(job, ty, scratch);
      break;
  }
}

// Prepares kernels [a, b) of a batch (hot[k] says where their rows and columns go).
template <bool Fma>
[[gnu::always_inline]] inline void prepare_t(const Setup& s, const Prep* preps, const Hot* hot,
                                             RowInfo* rows, float* cols, std::size_t a,
                                             std::size_t b) {
  std::vector<double> scratch;
  for (std::size_t k = a; k < b; ++k) {
    const Hot& h = hot[k];
    if (h.col_off == kSmall) continue;  // prepared tile by tile
    const Prep& p = preps[h.prep];
    scratch.resize(std::max(scratch.size(), std::size_t(p.pc1 - p.pc0 + 1)));
    prepare_kernel<Fma>(s, p, p.pr0, p.pr1, p.pc0, p.pc1, rows + h.row_off,
                        cols + (h.col_off == kNoCols ? 0 : h.col_off), scratch.data());
  }
}

struct PathFns {
  void (*prepare)(const Setup&, const Prep*, const Hot*, RowInfo*, float*, std::size_t,
                  std::size_t);
  void (*tile_row)(const Job&, int, TileScratch&);
};

void prepare_base(const Setup& s, const Prep* p, const Hot* h, RowInfo* r, float* c, std::size_t a,
                  std::size_t b) {
  prepare_t<false>(s, p, h, r, c, a, b);
}
void tile_row_base(const Job& job, int ty, TileScratch& scratch) {
  tile_row_t<false, 4>(job, ty, scratch);
}

#ifdef GM_HAVE_X86_PATHS
GM_V3 void prepare_v3(const Setup& s, const Prep* p, const Hot* h, RowInfo* r, float* c,
                      std::size_t a, std::size_t b) {
  prepare_t<true>(s, p, h, r, c, a, b);
}
GM_V3 void tile_row_v3(const Job& job, int ty, TileScratch& scratch) {
  tile_row_t<true, 8>(job, ty, scratch);
}
GM_V4 void prepare_v4(const Setup& s, const Prep* p, const Hot* h, RowInfo* r, float* c,
                      std::size_t a, std::size_t b) {
  prepare_t<true>(s, p, h, r, c, a, b);
}
GM_V4 void tile_row_v4(const Job& job, int ty, TileScratch& scratch) {
  tile_row_t<true, 16>(job, ty, scratch);
}
#endif

CpuPath best_path() {
#ifdef GM_HAVE_X86_PATHS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return CpuPath::Avx512;
  if (__builtin_cpu_supports("x86-64-v3")) return CpuPath::Avx2;
#endif
  return CpuPath::Baseline;
}

// The path Auto means: the best the CPU runs, capped by GAUSSMAP_CPU.
CpuPath auto_path() {
  static const CpuPath path = [] {
    CpuPath p = best_path();
    if (const char* e = std::getenv("GAUSSMAP_CPU")) {
      const std::string v = e;
      const CpuPath cap = v == "baseline" ? CpuPath::Baseline
                          : v == "avx2"   ? CpuPath::Avx2
                                          : CpuPath::Avx512;
      p = std::min(p, cap);
    }
    return p;
  }();
  return path;
}

PathFns path_fns(CpuPath p) {
  switch (p) {
#ifdef GM_HAVE_X86_PATHS
    case CpuPath::Avx512:
      return {prepare_v4, tile_row_v4};
    case CpuPath::Avx2:
      return {prepare_v3, tile_row_v3};
#endif
    default:
      return {prepare_base, tile_row_base};
  }
}

// ---- threads -----------------------------------------------------------------------------------

// Runs body(t, sync) on `threads` threads, t = 0 the calling one; sync() waits for all of them.
// A phase hands out work through an atomic counter; serial steps run on t = 0 between two syncs.
// An exception on any thread stops every thread at its next sync and is rethrown here.
template <class F>
void run_threads(int threads, const F& body) {
  SpinBarrier bar(threads);
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::atomic<int> error_once{0};
  struct Stop {};
  auto sync = [&] {
    bar.arrive_and_wait();
    if (failed.load(std::memory_order_acquire)) throw Stop{};
  };
  auto worker = [&](int t) {
    try {
      body(t, sync);
    } catch (Stop) {
      return;
    } catch (...) {
      if (error_once.fetch_add(1) == 0) error = std::current_exception();
      failed.store(true, std::memory_order_release);
      bar.arrive_and_drop();
    }
  };
  run_parallel(threads, worker);
  if (error) std::rethrow_exception(error);
}

// Hands out items [0, n) in chunks through `next` until none is left.
template <class F>
void take_chunks(std::atomic<std::size_t>& next, std::size_t n, std::size_t chunk, const F& f) {
  for (std::size_t a; (a = next.fetch_add(chunk, std::memory_order_relaxed)) < n;)
    f(a, std::min(n, a + chunk));
}

// ---- one evaluation
// ------------------------------------------------------------------------------

// Resolves kernel k (index i among the visible ones): Gaussian, box, the window's part of it;
// and into h and key the little that the steps between resolving and folding read: its Hot
// record (offsets still unassigned) and its fold-order key, the whole grid's tile of its box's
// corner. Those steps walk every kernel in fold order, and Prep records are ~250 bytes.
Prep resolve_kernel(const Setup& s, const Kernel& k, int gtiles_x, std::uint32_t i, Hot& h,
                    std::uint32_t& key) {
  Prep p;
  p.g = resolve(k, s.scene->normalization, s.scene->cutoff_sigma);
  find_box(s, p);
  p.pr0 = std::max(p.r0, s.wr0), p.pr1 = std::min(p.r1, s.wr1);
  p.pc0 = std::max(p.c0, s.wc0), p.pc1 = std::min(p.c1, s.wc1);
  p.kept = p.pr0 <= p.pr1 && p.pc0 <= p.pc1;
  p.separable = p.g.axis_aligned;
  p.a_half = float(-0.5 * p.g.ia);
  const bool small = p.pr1 - p.pr0 < kSmallRows && p.pc1 - p.pc0 < kSmallCols;
  h = Hot{p.pr0, p.pr1,    p.pc0, p.pc1,
          i,     p.a_half, 0,     small ? kSmall : p.separable ? kColsPending : kNoCols};
  key =
      std::uint32_t(std::size_t(p.r0 / kKeyH) * std::size_t(gtiles_x) + std::size_t(p.c0 / kKeyW));
  if (!p.kept) return p;
  p.inv_c = 1.0 / p.g.c, p.inv_ia = 1.0 / p.g.ia, p.b_over_c = p.g.b / p.g.c;
  p.inv_dx = s.grid.dx != 0.0 ? 1.0 / s.grid.dx : 0.0;
  return p;
}

// The kept kernels' indices in fold order: by the whole grid's tile of their box's top-left
// corner, then in scene order. The order is a property of each kernel alone, so the whole
// render, any window of it, and any window of a scene cut down to the kernels that touch it fold
// every pixel's kernels in the same order (bit-identical results), while the tile loop walks
// kernel data roughly in memory order.
std::vector<std::uint32_t> fold_order(const Hot* hots, const std::uint32_t* keys, std::size_t n,
                                      std::size_t gtiles) {
  std::vector<std::uint32_t> order;
  std::size_t n_kept = 0;
  for (std::size_t k = 0; k < n; ++k) n_kept += kept(hots[k]);
  order.reserve(n_kept);
  if (gtiles <= 4 * n_kept + 65536) {  // counting sort (stable)
    std::vector<std::uint32_t> start(gtiles + 1, 0);
    for (std::size_t k = 0; k < n; ++k)
      if (kept(hots[k])) ++start[keys[k] + 1];
    for (std::size_t t = 0; t < gtiles; ++t) start[t + 1] += start[t];
    order.resize(n_kept);
    for (std::size_t k = 0; k < n; ++k)
      if (kept(hots[k])) order[start[keys[k]]++] = std::uint32_t(k);
  } else {  // a small window of a huge grid
    for (std::size_t k = 0; k < n; ++k)
      if (kept(hots[k])) order.push_back(std::uint32_t(k));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  }
  return order;
}

// The tiles' shape for these kernels (see kTileHMax).
void tile_shape(const Hot* hots, const std::vector<std::uint32_t>& order, Setup& s) {
  std::size_t small = 0, runs = 0;
  double run_cols = 0;
  for (const std::uint32_t k : order) {
    const Hot& h = hots[k];
    small += h.col_off == kSmall;
    if (h.col_off == kColsPending) ++runs, run_cols += h.c1 - h.c0 + 1;
  }
  const bool mostly_small = !order.empty() && 2 * small >= order.size();
  s.tile_h = mostly_small ? kTileHMax : 32;
  const bool wide = s.scene->combine == Combine::Sum && !mostly_small &&
                    (runs == 0 || run_cols >= 768.0 * double(runs));
  s.tile_w = wide ? kTileWMax : 512;
}

// One batch's shared data, built by thread 0 and read by all.
struct Batch {
  std::vector<Hot> hot;
  std::unique_ptr<RowInfo[]> rows;
  std::unique_ptr<float[]> cols;
  std::vector<std::uint32_t> bin_start, bin_items;
};

// Hot records (hots[order[k]] with their row/column offsets) and the tile bins of the batch's
// kernels order[0, n).
void build_batch(const Setup& s, const Hot* hots, const std::uint32_t* order, std::size_t n,
                 int tiles_x, int tiles_y, Batch& bt) {
  bt.hot.resize(n);
  std::size_t nrows = 0, ncols = 0;
  for (std::size_t k = 0; k < n; ++k) {
    Hot& h = bt.hot[k];
    h = hots[order[k]];
    if (h.col_off == kSmall) continue;
    h.row_off = std::uint32_t(nrows);
    nrows += std::size_t(h.r1 - h.r0 + 1);
    if (h.col_off == kColsPending) {
      h.col_off = std::uint32_t(ncols + kColGuard);
      ncols += std::size_t(h.c1 - h.c0 + 1);
    }
  }
  bt.rows = std::make_unique_for_overwrite<RowInfo[]>(std::max<std::size_t>(nrows, 1));
  // Zeroed: the SIMD blocks read past a profile's ends (lanes never used).
  bt.cols = std::make_unique<float[]>(ncols + 2 * kColGuard);
  // Bin kernels into every tile of the window their box touches (counting sort by tile; within a
  // tile, fold order).
  const std::size_t ntiles = std::size_t(tiles_x) * std::size_t(tiles_y);
  // Tile sizes are powers of two and the boxes lie inside the window: shifts, not divisions (by a
  // run-time divisor, four per kernel cost ~0.3 ms for 10,000 kernels).
  const int sh = std::countr_zero(unsigned(s.tile_h)), sw = std::countr_zero(unsigned(s.tile_w));
  auto for_tiles = [&](const Hot& p, auto&& f) {
    const int ty0 = (p.r0 - s.wr0) >> sh, ty1 = (p.r1 - s.wr0) >> sh;
    const int tx0 = (p.c0 - s.wc0) >> sw, tx1 = (p.c1 - s.wc0) >> sw;
    for (int ty = ty0; ty <= ty1; ++ty)
      for (int tx = tx0; tx <= tx1; ++tx)
        f(std::size_t(ty) * std::size_t(tiles_x) + std::size_t(tx));
  };
  bt.bin_start.assign(ntiles + 1, 0);
  for (const Hot& p : bt.hot) for_tiles(p, [&](std::size_t t) { ++bt.bin_start[t + 1]; });
  for (std::size_t t = 0; t < ntiles; ++t) bt.bin_start[t + 1] += bt.bin_start[t];
  bt.bin_items.resize(bt.bin_start[ntiles]);
  std::vector<std::uint32_t> fill(bt.bin_start.begin(), bt.bin_start.end() - 1);
  for (std::size_t k = 0; k < n; ++k)
    for_tiles(bt.hot[k], [&](std::size_t t) { bt.bin_items[fill[t]++] = std::uint32_t(k); });
}

}  // namespace

const char* to_string(CpuPath p) {
  switch (p) {
    case CpuPath::Auto:
      return "auto";
    case CpuPath::Baseline:
      return "baseline";
    case CpuPath::Avx2:
      return "avx2";
    case CpuPath::Avx512:
      return "avx512";
  }
  return "?";
}

CpuPath fast_eval_path(CpuPath requested) {
  return requested == CpuPath::Auto ? auto_path() : std::min(requested, best_path());
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

namespace {

// evaluate_fast_into. Every value of `out` is written, and written first by the thread that
// folds its tile row, so a fresh output's page faults are taken by the threads that fill it,
// tile by tile, not by one thread zero-filling it before the work starts.
void evaluate(const Scene& scene, const FastEvalOptions& opts, float* out) {
  const Window w = window_of(scene, opts);
  if (w.rows == 0 || w.cols == 0) return;
  Setup s;
  s.scene = &scene;
  s.grid = Grid::of(scene);
  s.cutoff = scene.cutoff_sigma.has_value();
  s.area = scene.sampling == Sampling::Area;
  if (s.cutoff) s.r2 = *scene.cutoff_sigma * *scene.cutoff_sigma;
  s.wr0 = w.row0, s.wc0 = w.col0, s.wr1 = w.row0 + w.rows - 1, s.wc1 = w.col0 + w.cols - 1;
  const PathFns fns = path_fns(fast_eval_path(opts.path));

  std::vector<std::uint32_t> visible;  // scene indices of the visible kernels
  visible.reserve(scene.kernels.size());
  for (std::size_t k = 0; k < scene.kernels.size(); ++k)
    if (scene.kernels[k].visible) visible.push_back(std::uint32_t(k));
  const std::size_t nvis = visible.size();
  const int gtiles_x = (scene.width + kKeyW - 1) / kKeyW;
  const std::size_t gtiles =
      std::size_t(gtiles_x) * std::size_t((scene.height + kKeyH - 1) / kKeyH);
  int tiles_x = (w.cols + s.tile_w - 1) / s.tile_w;  // until the kernels are known
  int tiles_y = (w.rows + s.tile_h - 1) / s.tile_h;  // 32-row tiles until the kernels are known
  const std::size_t window_px = std::size_t(w.rows) * std::size_t(w.cols);

  // Threads: below ~0.1 ms of work a second thread costs more than it saves (and on a busy
  // machine waiting for it to be scheduled can cost milliseconds).
  int hw = opts.threads > 0 ? opts.threads : int(std::thread::hardware_concurrency());
  hw = std::max(hw, 1);
  // Written first by the threads that resolve the kernels.
  const auto preps = uninitialized_array<Prep>(nvis);
  const auto hots = std::make_unique_for_overwrite<Hot[]>(nvis);
  const auto keys = std::make_unique_for_overwrite<std::uint32_t[]>(nvis);
  auto resolve_one = [&](std::size_t k) {
    preps[k] =
        resolve_kernel(s, scene.kernels[visible[k]], gtiles_x, std::uint32_t(k), hots[k], keys[k]);
  };
  std::atomic<std::size_t> next_resolve{0};
  // Few kernels: resolve them here and count the work (pixel-kernel pairs in their boxes, a
  // rotated or area-sampled pair weighted by its cost) before deciding on threads.
  double work = double(window_px) * double(nvis);
  if (nvis < 2048) {
    work = 0;
    for (std::size_t k = 0; k < nvis; ++k) {
      resolve_one(k);
      const Prep& p = preps[k];
      if (!p.kept) continue;
      const double area = double(p.pr1 - p.pr0 + 1) * double(p.pc1 - p.pc0 + 1);
      work += p.separable ? area : s.area ? 400 * area : 8 * area;
    }
    next_resolve = nvis;
  }
  const int threads = work < 4e5 ? 1 : std::min(hw, std::max(tiles_y, 1));

  // Batches (consecutive in fold order) whose per-row, per-column and per-tile data (~24 bytes
  // per entry) stay within batch_entries: without a cutoff every kernel's arrays span the whole
  // window, and 200,000 kernels over 8192^2 pixels would need tens of GB at once. The combine
  // rules fold batch after batch into the same field, in the same order as one batch would.
  const double batch_entries =
      opts.batch_entries ? double(opts.batch_entries) : double(std::size_t(1) << 22);

  std::vector<std::uint32_t> order;
  std::vector<std::size_t> cuts;  // batch k is order[cuts[k], cuts[k + 1])
  Batch bt;
  std::vector<TileScratch> scratch(std::size_t(std::max(threads, 1)));  // one per thread
  Job job;
  std::atomic<std::size_t> next_prepare{0}, next_tile{0};
  run_threads(threads, [&](int t, const auto& sync) {
    take_chunks(next_resolve, nvis, 256, [&](std::size_t a, std::size_t b) {
      for (std::size_t k = a; k < b; ++k) resolve_one(k);
    });
    sync();
    if (t == 0) {
      order = fold_order(hots.get(), keys.get(), nvis, gtiles);
      tile_shape(hots.get(), order, s);
      tiles_x = (w.cols + s.tile_w - 1) / s.tile_w, tiles_y = (w.rows + s.tile_h - 1) / s.tile_h;
      cuts = {0};
      double entries = 0;
      for (std::size_t k = 0; k < order.size(); ++k) {
        const Hot& h = hots[order[k]];
        const double nr = h.r1 - h.r0 + 1, nc = h.c1 - h.c0 + 1;
        entries += nr + nc + (nr / s.tile_h + 1) * std::min(nc / s.tile_w + 1, double(tiles_x));
        if (entries >= batch_entries || k + 1 - cuts.back() >= kNoCols / 4 || k + 1 == order.size())
          cuts.push_back(k + 1), entries = 0;
      }
      // Nothing reaches the window: 0 under every combine rule.
      if (order.empty()) std::fill_n(out, window_px, 0.0f);
    }
    sync();
    for (std::size_t bi = 0; bi + 1 < cuts.size(); ++bi) {
      const std::size_t a = cuts[bi], n = cuts[bi + 1] - a;
      if (t == 0) {
        build_batch(s, hots.get(), order.data() + a, n, tiles_x, tiles_y, bt);
        job.setup = &s;
        job.preps = preps.get();
        job.hot = bt.hot.data();
        job.rows = bt.rows.get();
        job.cols = bt.cols.get();
        job.bin_start = bt.bin_start.data();
        job.bin_items = bt.bin_items.data();
        job.tiles_x = tiles_x;
        job.batch_kernels = int(n);
        job.some_left_out = order.size() < nvis || opts.kernels_left_out;
        job.first_batch = bi == 0, job.last_batch = bi + 2 == cuts.size();
        job.out = out;
        next_prepare = 0, next_tile = 0;
      }
      sync();
      take_chunks(next_prepare, n, 32, [&](std::size_t ka, std::size_t kb) {
        fns.prepare(s, preps.get(), bt.hot.data(), bt.rows.get(), bt.cols.get(), ka, kb);
      });
      sync();
      take_chunks(next_tile, std::size_t(tiles_y), 1,
                  [&](std::size_t ty, std::size_t) { fns.tile_row(job, int(ty), scratch[t]); });
      sync();
    }
  });
}

}  // namespace

void evaluate_fast_into(const Scene& scene, const FastEvalOptions& opts, float* out) {
  evaluate(scene, opts, out);
}

Field evaluate_fast(const Scene& scene, const FastEvalOptions& opts) {
  const Window w = window_of(scene, opts);
  // Every value is written, first by the thread that folds its tile: no zero fill on one thread,
  // and the page faults (page_hint.hpp) are taken where the work is.
  Field out = Field::uninitialized(w.cols, w.rows);
  prepare_output_pages(out.data.data(), out.data.size() * sizeof(float));
  evaluate(scene, opts, out.data.data());
  return out;
}

}  // namespace gm
