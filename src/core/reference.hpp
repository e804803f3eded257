// reference.hpp — the float64 reference evaluator: plain loops, obviously right. The oracle every
// other backend (fast CPU, GPU) is tested against.
#pragma once

#include "field.hpp"
#include "kernel_math.hpp"
#include "scene.hpp"

namespace gm {

// Value of one resolved kernel at pixel (x, y) with cell size (cw, ch), as DESIGN.md §1 defines it.
// Point sampling: amp * exp(-d2/2). Area sampling: mass * P(cell) / (cw * ch), P exact via erf for
// axis-aligned kernels and by adaptive Gauss-Kronrod (to 1e-15 in probability) for rotated ones.
// Cutoff: 0 where the pixel centre lies beyond k sigma (both samplings).
double reference_kernel_value(const Gaussian& g, Sampling sampling, double x, double y, double cw,
                              double ch);

// Combine rule of DESIGN.md §1 applied to a running value: start from combine_init(), fold each
// kernel value with combine_fold(), finish with combine_finish().
double combine_init(Combine c);
double combine_fold(Combine c, double acc, double v);
double combine_finish(Combine c, double acc);

struct ReferenceResult {
  FieldD field;
  bool prob_or_clamped = false;  // prob_or met a kernel value outside [0, 1] and clamped it
};

ReferenceResult evaluate_reference(const Scene& scene);

}  // namespace gm
