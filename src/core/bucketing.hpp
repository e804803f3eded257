// bucketing.hpp — which kernels can touch a window of the grid, so that a window (a dask chunk, a
// band of a streamed render) is rendered from its own bucket of kernels instead of all of them,
// with the same bits. A kernel reaches at most the pixels whose centres lie within a squared
// Mahalanobis radius of it: the cutoff k^2 where the scene has one (every backend gives exactly 0
// beyond it); without a cutoff, the fast CPU backend's numerical radius (d^2 <= 138, exp(-69) =
// 1e-30 of the kernel's peak; plus half a cell for area sampling), while the float64 reference
// and the GPU evaluate every kernel at every pixel, so there every kernel is in every bucket.
// Boxes are widened by two pixels: a bucket may hold a kernel that adds nothing, never miss one.
#pragma once

#include <cstdint>
#include <vector>

#include "field.hpp"
#include "scene.hpp"

namespace gm {

enum class BucketRule {
  FastCpu,  // the fast CPU backend (`cpu`): no cutoff -> its numerical radius
  Exact,    // the reference and the GPU: no cutoff -> every kernel everywhere
};

// Rows and columns of the grid a kernel can reach, inclusive; empty when r0 > r1.
struct PixelBox {
  int r0 = 0, r1 = -1, c0 = 0, c1 = -1;
  bool empty() const { return r0 > r1 || c0 > c1; }
};
PixelBox kernel_pixel_box(const Scene& scene, const Kernel& k, BucketRule rule);

// Indices (ascending) of the visible kernels whose box meets the window.
std::vector<int> kernels_touching(const Scene& scene, const Window& w, BucketRule rule);

// Every chunk of a chunk_rows x chunk_cols tiling of the grid (row-major chunk order, the last
// row/column of chunks may be smaller) with its kernel indices, ascending: chunk c holds
// indices[offsets[c] .. offsets[c + 1]).
struct ChunkBuckets {
  int chunk_rows = 0, chunk_cols = 0;  // chunk size in pixels
  int n_rows = 0, n_cols = 0;          // number of chunks down and across
  std::vector<std::int64_t> offsets;   // n_rows * n_cols + 1
  std::vector<std::int32_t> indices;
};
ChunkBuckets bucket_kernels(const Scene& scene, int chunk_rows, int chunk_cols, BucketRule rule);

// The scene with only the kernels `indices`, in that order (grid and settings unchanged).
Scene scene_subset(const Scene& scene, const std::vector<int>& indices);

}  // namespace gm
