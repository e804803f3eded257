// rim_pixels.hpp — the pixels where a cutoff rim passes so close to the pixel centre that float32
// could decide "inside / beyond" differently from the float64 reference. No GL here.
//
// The field pass decides d2 > k^2 in float32 (error about 1e-6 of k^2 at the rim:
// docs/semantics.md, "GPU float32 paths"). mixture.frag's rim pass redoes, for the listed pixels
// only, every kernel whose float d2 lies within 1e-5 of k^2 with the reference's own float64
// formula. Listing every pixel where some kernel has |d2 - k^2| <= kRimListTolerance k^2 (exact
// float64 d2 of the reference, x = x0 + col dx, y = y0 + row dy) covers every pixel the shader
// could flag, so the field equals the one a per-pixel check would give, bit for bit, and pixels
// away from any rim pay nothing for it. Such pixels are rare: a rim of radius r pixels meets about
// 4e-5 pi r^2 pixel centres in its band (a few for r = 360, 0.01 for r = 9).
#pragma once

#include <cstdint>
#include <vector>

#include "core/field.hpp"
#include "core/kernel_math.hpp"
#include "core/scene.hpp"

namespace gm::gl {

inline constexpr double kRimListTolerance = 2e-5;  // relative to k^2; the shader flags at 1e-5

// Global (col, row) pairs, ascending row-major and unique, of the pixels in `win` near the rim of
// one of `kernels` (resolved with the scene's cutoff). Returns false when more than max_pixels
// would be listed (the caller then runs the rim pass over every pixel).
bool rim_pixels(const std::vector<Gaussian>& kernels, const Grid& grid, double cutoff_sigma,
                const Window& win, std::size_t max_pixels, std::vector<std::int32_t>& out);

}  // namespace gm::gl
