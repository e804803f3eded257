// fast_eval.hpp — the fast CPU backend: float32, multi-threaded, vectorized; what `render
// --backend cpu` runs and what runs where no GL exists. Agrees with the float64 reference within
// the float32 budget (max error relative to the field's peak <= 1e-5 for point sampling).
#pragma once

#include "field.hpp"
#include "scene.hpp"

namespace gm {

struct FastEvalOptions {
  int threads = 0;  // 0 = std::thread::hardware_concurrency()
};

Field evaluate_fast(const Scene& scene, const FastEvalOptions& opts = {});

}  // namespace gm
