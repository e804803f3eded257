// error_budgets.hpp — the error budgets of the numeric tests: max |error| / the field's peak,
// each set 2-5x above the worst error measured on that test's own scenes, so that a regression in
// a float32 copy of the math (the shader's, the fast CPU backend's) fails instead of hiding under a
// loose bound. Every test prints the error it measured next to its budget. `gaussmap verify`'s
// tolerances (1e-5 point, 1e-4 area: the contract) are far looser; these are what the code reaches.
// Measured 2026-11-28 on x86-64 (GCC 12) and Mesa llvmpipe (LLVM 15), fixed seeds:
//   build/tests/gaussmap_gl_tests and gaussmap_core_tests print the figures (doctest MESSAGE).
#pragma once

namespace gm::test {

// GPU (mixture.frag) against the float64 reference, 240 random scenes (test_gpu_vs_reference.cpp).
inline constexpr double kGpuPoint = 3e-6;          // measured 9.3e-7
inline constexpr double kGpuAreaAxis = 1.5e-5;     // measured 4.7e-6 (float32 erfc approximation)
inline constexpr double kGpuAreaRotated = 2.5e-6;  // measured 7.0e-7 (fixed quadrature)
// GPU against the fast CPU backend, area sampling, the same scenes: two float32 copies of one math.
inline constexpr double kGpuFastAreaAxis = 2e-5;     // measured 6.4e-6
inline constexpr double kGpuFastAreaRotated = 3e-6;  // measured 1.1e-6
// Fixed scenes on the GPU: every examples/*.json (test_examples.cpp), the two-kernel scene of a
// moved renderer (test_renderer.cpp).
inline constexpr double kGpuFixedScenes = 6e-7;  // measured 2.0e-7 (examples), 1.6e-7 (two kernels)
// Long thin rotated kernels, aspect up to 3000:1 (test_renderer.cpp).
inline constexpr double kGpuNeedlePoint = 6e-7;  // measured 2.1e-7
inline constexpr double kGpuNeedleArea = 5e-5;   // measured 1.6e-5
// A domain offset by 1e7 with sigmas of 0.007..0.2 (test_renderer.cpp).
inline constexpr double kGpuOffsetPoint = 5e-7;  // measured 1.3e-7
inline constexpr double kGpuOffsetArea = 2e-6;   // measured 5.7e-7
// 10,000 cut-off kernels through the tiled loop (test_tiles.cpp).
inline constexpr double kGpuTiledPoint = 8e-7;   // measured 2.7e-7
inline constexpr double kGpuTiledArea = 1.2e-6;  // measured 3.9e-7 (axis-aligned), 3.6e-7 (rotated)
// Fast CPU backend against the reference, random and edge scenes (test_fast_eval.cpp).
// Point: measured 4.6e-7 on the baseline path, 1.6e-6 on AVX2 / AVX-512 (the row recurrence of
// rotated kernels).
inline constexpr double kFastPoint = 5e-6;
inline constexpr double kFastArea = 4.5e-5;  // measured 1.5e-5
// The fixed rotated-cell quadrature against the adaptive reference, 300 kernels 0.05..20 cells,
// aspect up to 3000:1 (test_reference.cpp).
inline constexpr double kQuadrature = 6e-6;  // measured 2.9e-6 (float64), 3.0e-6 (float32)

}  // namespace gm::test
