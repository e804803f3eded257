// reference.hpp — the float64 reference evaluator: plain loops, obviously right. The oracle every
// other backend (fast CPU, GPU) is tested against.
#pragma once

#include <optional>

#include "field.hpp"
#include "kernel_math.hpp"
#include "scene.hpp"

namespace gm {

// Value of one resolved kernel at pixel (x, y) with cell size (cw, ch), as docs/semantics.md
// defines it. Point sampling: amp * exp(-d2/2). Area sampling: mass * P(cell) / (cw * ch), P exact
// via erf for axis-aligned kernels and by adaptive Gauss-Kronrod (to 1e-15 in probability) for
// rotated ones. Cutoff: 0 where the pixel centre lies beyond k sigma (both samplings).
double reference_kernel_value(const Gaussian& g, Sampling sampling, double x, double y, double cw,
                              double ch);

// Combine rule of docs/semantics.md applied to a running value: start from combine_init(), fold
// each kernel value with combine_fold(), finish with combine_finish().
double combine_init(Combine c);
double combine_fold(Combine c, double acc, double v);
double combine_finish(Combine c, double acc);

struct ReferenceResult {
  FieldD field;
  bool prob_or_clamped = false;  // prob_or met a kernel value outside [0, 1] and clamped it
};

// The whole field, or a window of it (the same bits as that slice of the whole field: pixel centres
// come from global indices, Grid::x(col) / Grid::y(row)). threads: rows are split among that many
// workers (0 = all cores); every pixel is computed alone, so the result does not depend on it.
ReferenceResult evaluate_reference(const Scene& scene,
                                   const std::optional<Window>& window = std::nullopt,
                                   int threads = 1);

// The same into a caller's buffer of window.rows x window.cols doubles, row-major (a numpy array).
// The window must be checked (checked_window). Returns prob_or_clamped.
// kernels_left_out: the scene is a bucket (bucketing.hpp) that left out visible kernels, which
// give 0 in this window; combine "max" folds that 0 in as the whole render does (sum and prob_or
// need nothing).
bool evaluate_reference_into(const Scene& scene, const Window& window, double* out, int threads,
                             bool kernels_left_out = false);

}  // namespace gm
