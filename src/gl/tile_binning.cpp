// tile_binning.cpp — kernels -> per-tile index lists (see tile_binning.hpp): one pass counting
// (the total is known before anything large is allocated, so the cap is checked first), a prefix
// sum, one pass filling in ascending kernel order.
#include "tile_binning.hpp"

#include <algorithm>
#include <cmath>

namespace gm::gl {

namespace {

// Inclusive range [lo, hi] of target pixels 0..n-1 (global indices first..first+n-1) a kernel can
// reach along one axis; lo > hi if none. centre, half: global pixel-index units; mul: the
// PixelFrame's mul (0: every pixel sits at index 0).
void axis_range(double centre, double half, float mul, int first, int n, int& lo, int& hi) {
  if (!std::isfinite(centre) || !std::isfinite(half) || !(half >= 0.0)) {  // no pruning
    lo = 0, hi = n - 1;
    return;
  }
  if (mul == 0.0f) {  // all pixels evaluate at index 0
    const bool hit = std::abs(centre) <= half;
    lo = hit ? 0 : 1, hi = hit ? n - 1 : 0;
    return;
  }
  centre -= double(first);  // rounding far below the one-pixel margin
  const double a = std::floor(centre - half), b = std::ceil(centre + half);
  lo = int(std::clamp(a, 0.0, double(n)));
  hi = int(std::clamp(b, -1.0, double(n - 1)));
}

struct Box {
  int tx0, tx1, ty0, ty1;  // inclusive tile ranges; tx0 > tx1 if empty
};

Box kernel_box(const KernelGpu& k, double cutoff, const PixelFrame& f, int w, int h, int row0,
               int col0, int tile) {
  const PixelBox p = kernel_pixel_box(k, cutoff, f, w, h, row0, col0);
  if (p.empty()) return {1, 0, 1, 0};
  return {p.c0 / tile, p.c1 / tile, p.r0 / tile, p.r1 / tile};  // fragment row = target row
}

}  // namespace

PixelBox kernel_pixel_box(const KernelGpu& k, double cutoff, const PixelFrame& f, int w, int h,
                          int row0, int col0) {
  // 0.1% and 0.01 pixel of margin: the float32 d2 (~2.4e-6 of k^2 at the rim), the rounding of
  // kx, ky (float) and of these sums (double) are far finer. Pixel centres sit at whole indices,
  // so floor / ceil in axis_range take every centre within the half-extent.
  const double grow = cutoff * 1.001;
  const double ccol = double(k.ci_x) + double(k.cf_x) + double(k.cf_x_lo);
  const double crow = double(k.ci_y) + double(k.cf_y) + double(k.cf_y_lo);
  const double hx = grow / std::abs(double(k.kx)) + 0.01;
  const double hy = grow / std::abs(double(k.ky)) + 0.01;
  PixelBox b;
  axis_range(ccol, hx, f.mul_x, col0, w, b.c0, b.c1);
  axis_range(crow, hy, f.mul_y, row0, h, b.r0, b.r1);
  if (b.c0 > b.c1 || b.r0 > b.r1) return PixelBox{};
  return b;
}

bool bin_kernels(const std::vector<KernelGpu>& kernels, int count_axis, double cutoff_sigma,
                 const PixelFrame& frame, int width, int height, int tile,
                 std::uint64_t max_entries, TileLists& out, int row0, int col0) {
  out = TileLists{};
  out.tile = tile;
  const int tx = (width + tile - 1) / tile, ty = (height + tile - 1) / tile;
  const std::size_t tiles = std::size_t(tx) * std::size_t(ty);
  const int n = int(kernels.size());

  std::vector<Box> boxes(kernels.size());
  std::uint64_t total = 0;
  for (int i = 0; i < n; ++i) {
    Box b =
        kernel_box(kernels[std::size_t(i)], cutoff_sigma, frame, width, height, row0, col0, tile);
    boxes[std::size_t(i)] = b;
    if (b.tx0 <= b.tx1 && b.ty0 <= b.ty1)
      total += std::uint64_t(b.tx1 - b.tx0 + 1) * std::uint64_t(b.ty1 - b.ty0 + 1);
    if (total > max_entries) return false;
  }

  // Per tile: [0] axis-aligned count, [1] total count; then prefix sums into offsets.
  std::vector<std::uint32_t> counts(2 * tiles, 0);
  for (int i = 0; i < n; ++i) {
    const Box& b = boxes[std::size_t(i)];
    const bool axis = i < count_axis;
    for (int y = b.ty0; y <= b.ty1; ++y)
      for (int x = b.tx0; x <= b.tx1; ++x) {
        const std::size_t t = std::size_t(y) * std::size_t(tx) + std::size_t(x);
        counts[2 * t] += axis ? 1u : 0u;
        counts[2 * t + 1] += 1u;
      }
  }
  out.tiles_x = tx, out.tiles_y = ty;
  out.offsets.resize(2 * tiles + 1);
  std::uint32_t start = 0;
  for (std::size_t t = 0; t < tiles; ++t) {
    out.offsets[2 * t] = start;
    out.offsets[2 * t + 1] = start + counts[2 * t];
    start += counts[2 * t + 1];
  }
  out.offsets[2 * tiles] = start;

  // Fill, ascending: cursors for the two halves of each tile's list (reusing `counts`).
  for (std::size_t t = 0; t < tiles; ++t) {
    counts[2 * t] = out.offsets[2 * t];
    counts[2 * t + 1] = out.offsets[2 * t + 1];
  }
  out.indices.resize(std::size_t(total));
  for (int i = 0; i < n; ++i) {
    const Box& b = boxes[std::size_t(i)];
    const std::size_t half = i < count_axis ? 0 : 1;
    for (int y = b.ty0; y <= b.ty1; ++y)
      for (int x = b.tx0; x <= b.tx1; ++x) {
        const std::size_t t = std::size_t(y) * std::size_t(tx) + std::size_t(x);
        out.indices[counts[2 * t + half]++] = std::uint32_t(i);
      }
  }
  return true;
}

std::vector<std::int32_t> nonempty_rects(const TileLists& lists) {
  std::vector<std::int32_t> spans;
  std::vector<std::size_t> open, next;  // spans (index / 4) ending at the current row
  for (int ty = 0; ty < lists.tiles_y; ++ty) {
    next.clear();
    std::size_t o = 0;
    auto empty = [&](int x) {
      const std::size_t t = std::size_t(ty) * std::size_t(lists.tiles_x) + std::size_t(x);
      return lists.offsets[2 * t + 2] == lists.offsets[2 * t];
    };
    for (int tx = 0; tx < lists.tiles_x;) {
      if (empty(tx)) {
        ++tx;
        continue;
      }
      const int x0 = tx;
      while (tx < lists.tiles_x && !empty(tx)) ++tx;
      while (o < open.size() && spans[4 * open[o]] < x0) ++o;
      if (o < open.size() && spans[4 * open[o]] == x0 && spans[4 * open[o] + 1] == tx) {
        spans[4 * open[o] + 3] = ty + 1;
        next.push_back(open[o++]);
      } else {
        spans.insert(spans.end(), {x0, tx, ty, ty + 1});
        next.push_back(spans.size() / 4 - 1);
      }
    }
    std::swap(open, next);
  }
  return spans;
}

}  // namespace gm::gl
