// bucketing.cpp — kernel boxes on the grid and the buckets of windows and chunks (bucketing.hpp).
#include "bucketing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "errors.hpp"
#include "kernel_math.hpp"

namespace gm {

namespace {

// The fast CPU backend's radius without a cutoff (src/core/fast_eval.cpp: kNumericalR2).
constexpr double kFastNumericalR2 = 138.0;
constexpr int kPad = 2;  // pixels added on each side of a box

// Indices i in [0, n) with |g0 + i d - c| <= h, widened by kPad: [lo, hi] (lo > hi: none).
void index_range(double c, double h, double g0, double d, int n, int& lo, int& hi) {
  lo = 0, hi = -1;
  if (n <= 0 || !(h >= 0)) return;
  if (!std::isfinite(h) || d == 0.0 || n == 1) {  // everywhere, or a single pixel: keep it all
    lo = 0, hi = n - 1;
    return;
  }
  double a = (c - h - g0) / d, b = (c + h - g0) / d;
  if (a > b) std::swap(a, b);
  double flo = std::max(std::floor(a) - kPad, 0.0), fhi = std::min(std::ceil(b) + kPad, n - 1.0);
  if (!(flo <= fhi)) return;
  lo = int(flo), hi = int(fhi);
}

}  // namespace

PixelBox kernel_pixel_box(const Scene& scene, const Kernel& k, BucketRule rule) {
  PixelBox box;
  if (!k.visible) return box;
  const Grid grid = Grid::of(scene);
  double r2 = std::numeric_limits<double>::infinity();
  double pad_x = 0, pad_y = 0;
  if (scene.cutoff_sigma) {
    r2 = *scene.cutoff_sigma * *scene.cutoff_sigma;
  } else if (rule == BucketRule::FastCpu) {
    r2 = kFastNumericalR2;
    if (scene.sampling == Sampling::Area) pad_x = 0.5 * grid.cell_w, pad_y = 0.5 * grid.cell_h;
  }
  double a = 0, b = 0, c = 0;
  kernel_covariance(k, a, b, c);
  const double hx = std::sqrt(r2 * a) + pad_x, hy = std::sqrt(r2 * c) + pad_y;
  index_range(k.cx, hx, grid.x0, grid.dx, grid.width, box.c0, box.c1);
  index_range(k.cy, hy, grid.y0, grid.dy, grid.height, box.r0, box.r1);
  if (box.empty()) box = PixelBox{};
  return box;
}

std::vector<int> kernels_touching(const Scene& scene, const Window& w, BucketRule rule) {
  std::vector<int> out;
  for (std::size_t i = 0; i < scene.kernels.size(); ++i) {
    PixelBox b = kernel_pixel_box(scene, scene.kernels[i], rule);
    if (b.empty() || b.r1 < w.row0 || b.r0 >= w.row0 + w.rows || b.c1 < w.col0 ||
        b.c0 >= w.col0 + w.cols)
      continue;
    out.push_back(int(i));
  }
  return out;
}

ChunkBuckets bucket_kernels(const Scene& scene, int chunk_rows, int chunk_cols, BucketRule rule) {
  if (chunk_rows < 1 || chunk_cols < 1)
    throw InputError("chunks: must be >= 1 each, got (" + std::to_string(chunk_rows) + ", " +
                     std::to_string(chunk_cols) + ")");
  ChunkBuckets cb;
  cb.chunk_rows = chunk_rows, cb.chunk_cols = chunk_cols;
  cb.n_rows = (scene.height + chunk_rows - 1) / chunk_rows;
  cb.n_cols = (scene.width + chunk_cols - 1) / chunk_cols;
  const std::size_t n_chunks = std::size_t(cb.n_rows) * std::size_t(cb.n_cols);
  std::vector<PixelBox> boxes(scene.kernels.size());
  for (std::size_t i = 0; i < boxes.size(); ++i)
    boxes[i] = kernel_pixel_box(scene, scene.kernels[i], rule);
  // Two passes (count, then fill) keep each bucket in kernel order without sorting.
  std::vector<std::int64_t> count(n_chunks + 1, 0);
  auto for_chunks = [&](const PixelBox& b, auto&& f) {
    if (b.empty()) return;
    for (int cr = b.r0 / chunk_rows; cr <= b.r1 / chunk_rows; ++cr)
      for (int cc = b.c0 / chunk_cols; cc <= b.c1 / chunk_cols; ++cc)
        f(std::size_t(cr) * std::size_t(cb.n_cols) + std::size_t(cc));
  };
  for (const PixelBox& b : boxes) for_chunks(b, [&](std::size_t c) { ++count[c + 1]; });
  for (std::size_t c = 0; c < n_chunks; ++c) count[c + 1] += count[c];
  cb.offsets = count;
  cb.indices.resize(std::size_t(cb.offsets.back()));
  for (std::size_t i = 0; i < boxes.size(); ++i)
    for_chunks(boxes[i], [&](std::size_t c) { cb.indices[std::size_t(count[c]++)] = int(i); });
  return cb;
}

Scene scene_subset(const Scene& scene, const std::vector<int>& indices) {
  // Every member but the kernels (copying the scene would copy all of them first).
  Scene out;
  out.width = scene.width, out.height = scene.height;
  out.domain_x = scene.domain_x, out.domain_y = scene.domain_y;
  out.normalization = scene.normalization, out.combine = scene.combine;
  out.sampling = scene.sampling, out.cutoff_sigma = scene.cutoff_sigma;
  out.view = scene.view;
  out.kernels.reserve(indices.size());
  for (int i : indices) out.kernels.push_back(scene.kernels.at(std::size_t(i)));
  return out;
}

}  // namespace gm
