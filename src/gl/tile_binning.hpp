// tile_binning.hpp — CPU binning of cut-off kernels into screen tiles for mixture.frag's GM_TILED
// variant (many kernels on the GPU). No GL here; MixtureRenderer uploads the lists as two
// std430 uint arrays.
//
// Tiles are kTileSize x kTileSize blocks of *fragment* coordinates (fragment row = target row, top
// first), so tile borders line up with the rasterizer's own pixel blocks. Tile t = ty * tiles_x +
// tx. Each kernel gets a conservative pixel box from its cutoff ellipse: half-extents k sqrt(a) and
// k sqrt(c) (domain units) = k / |kx|, k / |ky| in pixel-index units (kernel_block.hpp), widened by
// 0.1% and 0.01 pixel (rounding; the shader decides the cutoff at the pixel centre for both
// samplings, so area sampling needs nothing more). Outside its box a kernel is beyond the cutoff
// at every pixel, i.e. it adds exactly 0 there.
//
// Lists keep ascending kernel order. With area sampling the renderer has put the axis-aligned
// kernels first (indices < count_axis); each tile's list is split there:
//   offsets[2t] .. offsets[2t+1]   axis-aligned kernels of tile t
//   offsets[2t+1] .. offsets[2t+2] the others (point sampling: empty, count_axis = count)
// so offsets has 2 * tiles + 1 entries and offsets[2 * tiles] = indices.size().
#pragma once

#include <cstdint>
#include <vector>

#include "kernel_block.hpp"

namespace gm::gl {

inline constexpr int kTileSize = 8;  // default tile side (MixtureRenderer: 4 on a software GL)

struct TileLists {
  int tile = kTileSize;
  int tiles_x = 0, tiles_y = 0;
  std::vector<std::uint32_t> offsets;  // 2 * tiles + 1
  std::vector<std::uint32_t> indices;  // kernel indices, ascending within each tile
  std::uint64_t entries() const { return indices.size(); }
  int tiles() const { return tiles_x * tiles_y; }
  int nonempty() const {
    int n = 0;
    for (std::size_t t = 0; 2 * t + 2 < offsets.size(); ++t)
      n += offsets[2 * t + 2] > offsets[2 * t];
    return n;
  }
};

// ---- when to tile (MixtureRenderer, Tiling::Auto) ----

// Tile-list cap: 16M entries = 64 MiB of indices (a pathological scene, e.g. 100,000 huge kernels
// with a cutoff at 1024x1024, would need billions: it draws untiled instead).
inline constexpr std::uint64_t kMaxTileEntries = std::uint64_t(16) << 20;

// Costs relative to one kernel visit of the untiled uniform-buffer loop, measured on llvmpipe (Mesa
// 22.3, 2 cores): ~7 ns per pixel-kernel with uniform-buffer records, 11-20 ns with storage-buffer
// ones (every load a gather), ~15 ns for a tiled visit (index + record); a fragment that visits no
// kernel costs about two visits (a full-screen pass over 1920x1080 with no kernel: ~15 ms, with one
// kernel ~22 ms). The tiled pass draws only the non-empty tiles (tile_spans.vert): the rest is a
// clear, whose cost is negligible.
inline constexpr double kCostUbo = 1.0, kCostSsbo = 2.0, kCostTiled = 2.5, kCostFragment = 2.0;
// The same with texel fetches (FieldVariant::texels), relative to one kernel visit of the untiled
// texel loop (~2.5 ns on llvmpipe): a fragment ~4 visits (1920x1080, 64 kernels: 343 ms of CPU;
// 2 kernels: 31 ms), a tiled fragment ~7 (3 offset fetches), a tiled visit ~1.6 (index + record).
inline constexpr double kTexelFragment = 4.0, kTexelTiledFragment = 7.0, kTexelTiled = 1.6;
// The splat pass, same unit: a fragment of a kernel's box (one kernel and the blend: 1920x1080,
// 2 kernels whose boxes cover 0.9 Mpx, 6 ms of CPU), an instance (its quad's setup, binning and
// ragged 4x4 blocks: 10,000 kernels of sigma 3, ~5 us each).
inline constexpr double kSplatFragment = 2.5, kSplatInstance = 2000.0;
// Binning, per tile of the target (counts, prefix sums, offsets, their upload): a 4096x4096
// target of 4x4 tiles took ~13 ms of CPU with a single kernel.
inline constexpr double kTileGrid = 5.0;

// Whether the tiled pass beats the untiled loop over all `count` kernels: `covered` is the fraction
// of tiles with a non-empty list, `mean` their mean list length.
inline bool tiled_is_cheaper(int count, double covered, double mean, bool texels = false) {
  if (texels) {
    const double untiled = kTexelFragment + double(count);
    return covered * (kTexelTiledFragment + mean * kTexelTiled) < untiled;
  }
  const double untiled =
      kCostFragment + double(count) * (count <= kUboKernels ? kCostUbo : kCostSsbo);
  return covered * (kCostFragment + mean * kCostTiled) < untiled;
}

// The target pixels a kernel's cutoff box reaches, inclusive: columns [c0, c1], rows [r0, r1]
// (empty: c0 > c1). The target is the window of the grid whose top-left pixel has the global
// index (row0, col0). Outside it the kernel is beyond the cutoff, i.e. adds exactly 0.
struct PixelBox {
  int c0 = 1, c1 = 0, r0 = 1, r1 = 0;
  bool empty() const { return c0 > c1 || r0 > r1; }
  std::int64_t area() const { return empty() ? 0 : std::int64_t(c1 - c0 + 1) * (r1 - r0 + 1); }
};
PixelBox kernel_pixel_box(const KernelGpu& k, double cutoff_sigma, const PixelFrame& frame,
                          int width, int height, int row0 = 0, int col0 = 0);

// Bins `kernels` (packed for `frame`, the first count_axis of them axis-aligned) for a width x
// height target and a cutoff of k sigma. The target is the window of the grid whose top-left pixel
// has the global index (row0, col0) (0, 0: the whole grid); tiles are in the target's fragment
// coordinates. Returns false, leaving `out` empty, when the lists would
// hold more than max_entries indices (a pathological scene: huge kernels, every list holds every
// kernel) — the caller then draws untiled.
bool bin_kernels(const std::vector<KernelGpu>& kernels, int count_axis, double cutoff_sigma,
                 const PixelFrame& frame, int width, int height, int tile,
                 std::uint64_t max_entries, TileLists& out, int row0 = 0, int col0 = 0);

// The tiles with a non-empty list as disjoint rectangles, 4 ints each: tile columns [x0, x1) by
// tile rows [y0, y1). Each tile row's runs, a run extended downwards while the next row has the
// very same run (one kernel's box becomes one quad: many thin quads cost a software rasterizer per
// triangle and per bin). MixtureRenderer draws them (shaders/tile_spans.vert) over a cleared
// target.
std::vector<std::int32_t> nonempty_rects(const TileLists& lists);

}  // namespace gm::gl
