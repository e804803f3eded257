// fast_eval.hpp — the fast CPU backend: float32, multi-threaded, vectorized; what `render
// --backend cpu` runs and what runs where no GL exists. Agrees with the float64 reference within
// the float32 budget (max error relative to the field's peak <= 1e-5 for point sampling).
#pragma once

#include <cstddef>
#include <optional>

#include "field.hpp"
#include "scene.hpp"

namespace gm {

struct FastEvalOptions {
  int threads = 0;  // 0 = std::thread::hardware_concurrency()
  // Only this part of the grid (rows x cols pixels from row0, col0), bit-identical to the same
  // slice of the whole render: pixel centres come from whole-grid indices, and every pixel folds
  // the kernels that reach it in the same order. The same holds for a scene cut down to the
  // kernels whose boxes touch the window. Outside the grid: InputError naming `window`.
  std::optional<Window> window;
  // The caller left out visible kernels that do not reach the window (a window of a scene cut
  // down to the kernels that touch it): combine "max" then folds in their 0 as the whole render
  // does. Sum and prob_or need no flag.
  bool kernels_left_out = false;
  // Per-batch budget of row, column and tile entries (0: the default, 4M); smaller values only
  // split the work into more batches (the tests use them: batching never changes a bit).
  std::size_t batch_entries = 0;
};

// The field of the window (the whole grid by default): window.rows x window.cols.
Field evaluate_fast(const Scene& scene, const FastEvalOptions& opts = {});
// The same into `out`, row-major, window.cols floats per row (every value written).
void evaluate_fast_into(const Scene& scene, const FastEvalOptions& opts, float* out);
// The window that opts selects (validated), or the whole grid.
Window window_of(const Scene& scene, const FastEvalOptions& opts);

}  // namespace gm
