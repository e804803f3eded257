// kernel_block.hpp — the per-kernel record that shaders/mixture.frag reads (std140 uniform block,
// or std430 storage block past the uniform block's capacity), mirrored by a C++ struct with
// explicit layout, and the packing of a scene into it. No GL headers here:
// tests/core/test_kernel_block.cpp checks the layout without a context.
//
// Everything is precomputed in float64 from gm::resolve() and rounded once to float32.
//
// Positions are in pixel-index units relative to pixel (row 0, col 0). With ui = col - ci_x and
// vi = row - ci_y (exact integers: ci is the integer part of the centre's pixel coordinate), the
// offset is u = ui - cf_x, v = vi - cf_y (x - cx = u * step_x, y - cy = v * step_y), so large
// domain offsets cost no precision.
//
// d2 = z1^2 + z2^2 in the whitened frame, z1 = w11 u, z2 = w21 u + w22 v, W = L^-1 for the
// Cholesky factor Sigma = L L^T, scaled to pixel units: a sum of squares (the expanded form
// ia u^2 + 2 ib u v + ic v^2 cancels catastrophically in float32 for long thin rotated kernels).
// z2 can still cancel (|w21 u| up to 1000x |z2|), so the shader forms it as
// (w21 ui + w22 vi) - z2_offset with exact products (fma, or Dekker's split) and the _lo parts.
//
// The _lo fields are the float64 remainders (hi + lo holds ~48 bits). They also serve the cutoff:
// for pixels whose float d2 lies within 1e-5 of k^2 (scene-wide: a uniform, pack_cutoff) the
// shader redoes d2 in double, so the discontinuous decision agrees with the float64 reference.
//
// Area sampling of rotated kernels uses r = sqrt(1 - rho^2), computed here in float64 as
// sqrt(det / (a c)): from a float32 rho, 1 - rho^2 cancels for long thin kernels (error up to
// 2e-2 of the peak at 1000:1, against 6e-6 this way). Axis-aligned kernels (b == 0: the exact erf
// path) are those with rho == 0; the renderer orders them first, so no per-kernel flag is needed.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "core/kernel_math.hpp"
#include "core/scene.hpp"

namespace gm::gl {

struct KernelGpu {
  // p0 (offset 0): centre, pixel-index units: integer part and fraction.
  float ci_x, cf_x, ci_y, cf_y;
  // p1 (16): whitening matrix W in pixel units (see above); value at the centre (point sampling).
  float w11, w21, w22, amp;
  // p2 (32): float64 remainders of cf; mass / (cell_w * cell_h) (area sampling); correlation.
  float cf_x_lo, cf_y_lo, mass_cell, rho;
  // p3 (48): float64 remainders of w11, w21, w22; z2_offset = w21 cf_x + w22 cf_y (float64).
  float w11_lo, w21_lo, w22_lo, z2_offset;
  // p4 (64): step / marginal sigma (u * kx = (x - cx) / sx); r = sqrt(1 - rho^2); reserved (0).
  float kx, ky, r, reserved;
};
static_assert(sizeof(KernelGpu) == 80, "KernelGpu must be 5 vec4 (std140 and std430 agree)");
static_assert(offsetof(KernelGpu, ci_x) == 0);
static_assert(offsetof(KernelGpu, w11) == 16);
static_assert(offsetof(KernelGpu, cf_x_lo) == 32);
static_assert(offsetof(KernelGpu, w11_lo) == 48);
static_assert(offsetof(KernelGpu, kx) == 64);
static_assert(offsetof(KernelGpu, reserved) == 76);

// The uniform block is sized for GL's guaranteed minimum GL_MAX_UNIFORM_BLOCK_SIZE (16 KiB), so the
// same shader compiles everywhere; more kernels take the storage-buffer path.
inline constexpr std::size_t kUboBytes = 16384;
inline constexpr int kUboKernels = int(kUboBytes / sizeof(KernelGpu));  // 204
static_assert(kUboKernels * sizeof(KernelGpu) <= kUboBytes);

// How pixel indices map to domain coordinates: x = x0 + (col * mul_x) * step_x. step is the grid's
// dx, or 1 where dx is 0 (a width of 1, or a degenerate domain x0 == x1, where mul_x = 0 keeps
// every column at x0). cell_scale = cell_w / |step| (1 except for a degenerate domain).
struct PixelFrame {
  double x0 = 0, y0 = 0;
  double step_x = 1, step_y = 1;
  float mul_x = 1, mul_y = 1;
  double cell_w = 1, cell_h = 1;
  float cell_scale_x = 1, cell_scale_y = 1;
};

inline PixelFrame pixel_frame(const Scene& s) {
  Grid g = Grid::of(s);
  PixelFrame f;
  f.x0 = g.x0, f.y0 = g.y0;
  f.step_x = g.dx != 0.0 ? g.dx : 1.0;
  f.step_y = g.dy != 0.0 ? g.dy : 1.0;
  f.mul_x = g.dx != 0.0 ? 1.0f : 0.0f;
  f.mul_y = g.dy != 0.0 ? 1.0f : 0.0f;
  f.cell_w = g.cell_w, f.cell_h = g.cell_h;
  f.cell_scale_x = float(g.cell_w / std::abs(f.step_x));
  f.cell_scale_y = float(g.cell_h / std::abs(f.step_y));
  return f;
}

// hi = nearest float, lo = nearest float of the remainder.
inline void split_double(double v, float& hi, float& lo) {
  hi = float(v);
  lo = std::isfinite(v) ? float(v - double(hi)) : 0.0f;
}

inline KernelGpu pack_kernel(const Gaussian& g, const PixelFrame& f) {
  KernelGpu k{};
  double ccol = (g.cx - f.x0) / f.step_x, crow = (g.cy - f.y0) / f.step_y;
  k.ci_x = float(std::floor(ccol));
  k.ci_y = float(std::floor(crow));
  split_double(ccol - double(k.ci_x), k.cf_x, k.cf_x_lo);
  split_double(crow - double(k.ci_y), k.cf_y, k.cf_y_lo);
  // Cholesky: Sigma = L L^T, L = [[l11, 0], [l21, l22]]; z = L^-1 (x - cx, y - cy).
  const double l11 = std::sqrt(g.a), l22 = std::sqrt(g.det / g.a), t = g.b / g.a;
  split_double(f.step_x / l11, k.w11, k.w11_lo);
  split_double(-t * f.step_x / l22, k.w21, k.w21_lo);
  split_double(f.step_y / l22, k.w22, k.w22_lo);
  k.amp = float(g.amp);
  k.mass_cell = float(g.mass / (f.cell_w * f.cell_h));
  k.rho = g.axis_aligned ? 0.0f : float(g.rho);
  k.z2_offset = float((double(k.w21) + double(k.w21_lo)) * (ccol - double(k.ci_x)) +
                      (double(k.w22) + double(k.w22_lo)) * (crow - double(k.ci_y)));
  k.kx = float(f.step_x / g.sx);
  k.ky = float(f.step_y / g.sy);
  k.r = g.axis_aligned ? 1.0f : float(std::sqrt(g.det / (g.a * g.c)));
  k.reserved = 0.0f;
  return k;
}

// The scene's cutoff k^2 as float64 hi + lo (the shader's u_cut_d2); false where there is none.
inline bool pack_cutoff(const Scene& s, float& hi, float& lo) {
  hi = lo = 0.0f;
  if (!s.cutoff_sigma) return false;
  split_double(*s.cutoff_sigma * *s.cutoff_sigma, hi, lo);  // as gm::resolve's cutoff_d2
  return true;
}

// The plain float32 path (mixture.frag without GM_EXTENDED) forms z2 = w21 u + w22 v directly. Its
// rounding error is about eps (|w21 u| + |z2|), and |w21 u| = (|rho| / r) |z1|: the shear
// |rho| / sqrt(1 - rho^2) bounds the cancellation. Up to kPlainMaxShear (aspect ratios up to about
// 8:1 at 45 degrees, any aspect ratio axis-aligned) the field's error stays within the bound
// derived in docs/semantics.md ("GPU float32 paths"); past it the scene takes the extended path.
inline constexpr double kPlainMaxShear = 4.0;

inline bool needs_extended(const std::vector<KernelGpu>& kernels) {
  for (const KernelGpu& k : kernels)
    if (std::abs(double(k.rho)) > kPlainMaxShear * double(k.r)) return true;
  return false;
}

inline bool all_axis_aligned(const std::vector<KernelGpu>& kernels) {
  for (const KernelGpu& k : kernels)
    if (k.rho != 0.0f || k.w21 != 0.0f) return false;
  return true;
}

// The visible kernels of a scene, resolved once each and packed in scene order (hidden ones
// contribute nothing, so they are not uploaded). With `rim`, also the float64 values of the exact
// cutoff test (shaders/mixture.frag, beyond_cutoff_exact), two dvec4 per kernel in the same order:
// cx, cy, ia, ib | ic, cutoff_d2, 0, 0 — the very numbers gm::Gaussian::d2 and the reference's
// `d2 > cutoff_d2` use.
inline std::vector<KernelGpu> pack_kernels(const Scene& s, std::vector<double>* rim = nullptr) {
  PixelFrame f = pixel_frame(s);
  std::vector<KernelGpu> out;
  out.reserve(s.kernels.size());
  if (rim) rim->clear(), rim->reserve(8 * s.kernels.size());
  for (const Kernel& k : s.kernels)
    if (k.visible) {
      Gaussian g = resolve(k, s.normalization, s.cutoff_sigma);
      out.push_back(pack_kernel(g, f));
      if (rim) rim->insert(rim->end(), {g.cx, g.cy, g.ia, g.ib, g.ic, g.cutoff_d2, 0.0, 0.0});
    }
  return out;
}

}  // namespace gm::gl
