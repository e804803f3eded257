#version 450 core
// mixture.frag — evaluates the whole kernel mixture at one pixel into an R32F target, exactly as
// docs/semantics.md and src/core/reference.cpp define it (float32 instead of float64):
//   point sampling  amp * exp(-d2 / 2)
//   area sampling   mass * P(cell) / (cell_w * cell_h); P exact via erfc for axis-aligned kernels,
//                   the fixed quadrature of gm::cell_prob_rotated for rotated ones
//   cutoff          0 where d2 > k^2 at the pixel centre (both samplings)
//   combine         sum / max / prob_or through combine_init / fold / finish
// erfc_approx, norm_cdf_diff, cell_prob_axis and cell_prob_rotated mirror the templates of
// src/core/kernel_math.hpp line by line (GLSL has no erf; r = sqrt(1 - rho^2) comes from float64,
// see cell_prob_rotated); change them together.
// Kernel records: see src/gl/kernel_block.hpp (positions in pixel-index units relative to pixel
// (0, 0); d2 from the whitened offset, a sum of squares). The renderer prepends
//   #define GM_UBO_KERNELS n   capacity of the std140 uniform block
//   #define GM_USE_SSBO 1      (optional) read the kernels from a std430 storage block instead
//   #define GM_TEXELS 1        (optional) read the kernels (5 RGBA32F texels each) and the tile
//                              lists (R32UI) from buffer textures with texelFetch instead: a
//                              software rasterizer (llvmpipe) gathers a block member one
//                              component at a time and reads a storage block lane by lane, but
//                              fetches a whole RGBA32F texel at once
//   #define GM_COMBINE c       0 sum, 1 max, 2 prob_or
//   #define GM_AREA a          0 point sampling, 1 area sampling
//   #define GM_CUTOFF k        1 if the scene has a cutoff (u_cut_d2)
//   #define GM_RIM_LISTS l     (optional, with GM_RIM_PASS) each rim pixel loops over its own kernel
//                              list (the kernels whose box holds it: the splat's rim pass), the
//                              range from shaders/rim_points.vert, the indices where the tiles'
//                              are (binding 5 / 2)
//   #define GM_RIM_PASS r      1: the rim pass (with GM_CUTOFF; drawn as points at the listed pixels
//                              by shaders/rim_points.vert): float64 decisions near the rim
//   #define GM_ALL_AXIS x      1: every kernel is axis-aligned (w21 = 0): z2 = w22 v
//   #define GM_EXTENDED e      1: z2 from exact products (see Precision below); 0: plain float32
//   #define GM_EXACT_FMA f     1 if the driver's fma() is fused (shaders/fma_probe.frag)
//   #define GM_SPLAT s         (optional, point sampling, with GM_CUTOFF; max: weights >= 0) the
//                              splat pass: this fragment evaluates one kernel (v_kernel, from
//                              shaders/splat.vert) and writes its term; the blend unit folds it
//                              into the target (mixture_renderer.cpp, where the splat is used
//                              only if the blend reproduces combine_fold bit for bit)
//   #define GM_TILED t         (optional, with GM_CUTOFF) tiled binning: each
//                              GM_TILE x GM_TILE block of fragments loops only over its tile's
//                              kernel list (see "tiles" below and mixture_renderer.cpp)
// The scene-wide switches are compile-time, not uniforms: a software rasterizer (llvmpipe)
// executes both sides of every branch under a mask, so unused paths must not be in the program.
// Orientation: fragment row t (gl_FragCoord.y = t + 0.5) holds field row t of the target, so the
// texture is stored top row first, as the field is (row 0 = y0): readback needs no flip. A window
// render holds global row u_origin.y + t, global column u_origin.x + gl_FragCoord.x.
// Precision (docs/semantics.md, "GPU float32 paths"): without GM_EXTENDED the whitened offset is
// plain float32 arithmetic; with it, z2 comes from exact products (scenes with strongly sheared
// kernels, chosen on the CPU: kernel_block.hpp, needs_extended).

#ifndef GM_UBO_KERNELS
#define GM_UBO_KERNELS 204
#endif
#ifndef GM_COMBINE
#define GM_COMBINE 0
#endif
#ifndef GM_AREA
#define GM_AREA 0
#endif
#ifndef GM_CUTOFF
#define GM_CUTOFF 0
#endif
#ifndef GM_EXACT_FMA
#define GM_EXACT_FMA 0
#endif
#ifndef GM_TILED
#define GM_TILED 0
#endif
#ifndef GM_ALL_AXIS
#define GM_ALL_AXIS 0
#endif
#ifndef GM_RIM_LISTS
#define GM_RIM_LISTS 0
#endif
#ifndef GM_RIM_PASS
#define GM_RIM_PASS 0
#endif
#ifndef GM_EXTENDED
#define GM_EXTENDED 1
#endif
#ifndef GM_TILE
#define GM_TILE 16
#endif
#ifndef GM_SPLAT
#define GM_SPLAT 0
#endif

struct GmKernel {
  vec4 p0;  // ci_x, cf_x, ci_y, cf_y
  vec4 p1;  // w11, w21, w22, amp (whitening: z1 = w11 u, z2 = w21 u + w22 v, d2 = |z|^2)
  vec4 p2;  // cf_x_lo, cf_y_lo, mass_cell, rho (0: axis-aligned; the renderer puts those first)
  vec4 p3;  // w11_lo, w21_lo, w22_lo, z2_offset
  vec4 p4;  // kx, ky, r = sqrt(1 - rho^2) (from float64), reserved
};

#ifndef GM_TEXELS
#define GM_TEXELS 0
#endif
// GM_REC(i, n): vec4 n (0..4, p0..p4) of kernel i's record.
#if GM_TEXELS
layout(binding = 3) uniform samplerBuffer gm_kernel_texels;  // texel 5 i + n = kernel i's pn
#define GM_REC(i, n) texelFetch(gm_kernel_texels, 5 * (i) + (n))
#elif defined(GM_USE_SSBO)
layout(std430, binding = 0) readonly buffer GmKernelBlock { GmKernel gm_kernels[]; };
#define GM_REC(i, n) gm_kernels[i].p##n
#else
layout(std140, binding = 0) uniform GmKernelBlock { GmKernel gm_kernels[GM_UBO_KERNELS]; };
#define GM_REC(i, n) gm_kernels[i].p##n
#endif

layout(location = 0) uniform int u_count;        // kernels in the block
layout(location = 3) uniform ivec2 u_origin;     // global (col, row) of the target's top-left pixel
layout(location = 2) uniform int u_count_axis;   // area sampling: kernels [0, n) are axis-aligned
layout(location = 4) uniform vec2 u_index_mul;   // 1, or 0 on an axis whose pixels share one coordinate
layout(location = 5) uniform vec2 u_cell_scale;  // cell size / |step| (1 except degenerate domains)
layout(location = 6) uniform vec2 u_cut_d2;      // cutoff k^2 as float64 hi + lo (GM_CUTOFF)

#if GM_TILED || GM_RIM_LISTS
// Tiles: GM_TILE x GM_TILE blocks of fragments, tile t = (y / GM_TILE) * u_tiles_x + x / GM_TILE in
// fragment coordinates (y = target row). Tile t's kernels are gm_tile_idx[i] for i in
// [gm_tile_offs[2t], gm_tile_offs[2t+2]), ascending, the axis-aligned ones (area sampling: indices
// below u_count_axis) in [gm_tile_offs[2t], gm_tile_offs[2t+1]). A kernel not in a tile's list is
// beyond the cutoff at every pixel of the tile (the CPU's boxes are conservative), so it would add
// exactly 0: the field is bit-identical to the untiled loop (max: see mixture()).
#if GM_TEXELS
layout(binding = 4) uniform usamplerBuffer gm_tile_offs_texels;
layout(binding = 5) uniform usamplerBuffer gm_tile_idx_texels;
#define GM_TILE_OFFS(t) int(texelFetch(gm_tile_offs_texels, t).x)
#define GM_KIDX(i) int(texelFetch(gm_tile_idx_texels, i).x)
#else
layout(std430, binding = 1) readonly buffer GmTileOffsets { uint gm_tile_offs[]; };
layout(std430, binding = 2) readonly buffer GmTileIndices { uint gm_tile_idx[]; };
#define GM_TILE_OFFS(t) int(gm_tile_offs[t])
#define GM_KIDX(i) int(gm_tile_idx[i])
#endif
layout(location = 7) uniform int u_tiles_x;
#else
#define GM_KIDX(i) (i)
#endif

layout(location = 0) out float o_value;

const float kInvSqrt2Pi = 0.39894228040143267794;
const float kSqrt2 = 1.41421356237309504880;

#if GM_AREA
// ---- mirror of kernel_math.hpp (float instantiation) ----

float erfc_approx(float z) {
  float az = abs(z);
  float t = 1.0 / (1.0 + 0.5 * az);
  float r = t * exp(-az * az - 1.26551223 +
                    t * (1.00002368 +
                         t * (0.37409196 +
                              t * (0.09678418 +
                                   t * (-0.18628806 +
                                        t * (0.27886807 +
                                             t * (-1.13520398 +
                                                  t * (1.48851587 +
                                                       t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0.0 ? r : 2.0 - r;
}

const float kXg[5] = float[5](0.0, 0.5384693101056831, -0.5384693101056831, 0.9061798459386640,
                              -0.9061798459386640);
const float kWg[5] = float[5](0.5688888888888889, 0.4786286704993665, 0.4786286704993665,
                              0.2369268850561891, 0.2369268850561891);

// Phi(hi) - Phi(lo) for the standard normal.
float norm_cdf_diff(float lo, float hi) {
  if (!(hi > lo)) return 0.0;
  float h = hi - lo;
  if (h < 1.0) {
    float mid = 0.5 * (lo + hi), half_h = 0.5 * h, s = 0.0;
    for (int i = 0; i < 5; ++i) {
      float u = mid + half_h * kXg[i];
      s += kWg[i] * exp(-0.5 * u * u);
    }
    return s * half_h * kInvSqrt2Pi;
  }
  const float r2 = 1.0 / kSqrt2;
  if (lo >= 0.0) return 0.5 * (erfc_approx(lo * r2) - erfc_approx(hi * r2));
  if (hi <= 0.0) return 0.5 * (erfc_approx(-hi * r2) - erfc_approx(-lo * r2));
  return 1.0 - 0.5 * (erfc_approx(-lo * r2) + erfc_approx(hi * r2));
}

// cell_prob_axis with the cell already standardized: z in [zl, zr] = (x - cx) / sx over the cell,
// e in [eb, et] = (y - cy) / sy.
float cell_prob_axis(float zl, float zr, float eb, float et) {
  return norm_cdf_diff(zl, zr) * norm_cdf_diff(eb, et);
}

// cell_prob_rotated, from its second line on (the cell standardized as above). One deliberate
// difference: r = sqrt(1 - rho^2) comes in from float64 (kernel_block.hpp), not as
// sqrt(max(1 - rho * rho, 1e-12)) in float32, which cancels for long thin kernels.
float cell_prob_rotated(float rho, float r, float zl_in, float zr_in, float eb, float et) {
  const float kZMax = 7.0;
  const float kPanelLen = 1.5;
  float zl = max(zl_in, -kZMax), zr = min(zr_in, kZMax);
  if (!(zr > zl)) return 0.0;
  float w = r / abs(rho);
  const float offs[5] = float[5](-4.0, -1.5, 0.0, 1.5, 4.0);
  float bp[12];
  int n = 0;
  bp[n++] = zl;
  bp[n++] = zr;
  float zc[2] = float[2](eb / rho, et / rho);
  for (int c = 0; c < 2; ++c) {
    for (int o = 0; o < 5; ++o) {
      float z = zc[c] + offs[o] * w;
      if (z > zl && z < zr) bp[n++] = z;
    }
  }
  // std::sort (insertion sort; n <= 12)
  for (int i = 1; i < n; ++i) {
    float key = bp[i];
    int j = i - 1;
    while (j >= 0 && bp[j] > key) {
      bp[j + 1] = bp[j];
      --j;
    }
    bp[j + 1] = key;
  }
  float total = 0.0;
  for (int i = 0; i + 1 < n; ++i) {
    float a0 = bp[i], a1 = bp[i + 1];
    if (!(a1 > a0)) continue;
    int panels = int(ceil((a1 - a0) / kPanelLen));
    float ph = (a1 - a0) / float(panels);
    for (int p = 0; p < panels; ++p) {
      float mid = a0 + (float(p) + 0.5) * ph, half_h = 0.5 * ph, s = 0.0;
      for (int q = 0; q < 5; ++q) {
        float z = mid + half_h * kXg[q];
        s += kWg[q] * exp(-0.5 * z * z) * norm_cdf_diff((eb - rho * z) / r, (et - rho * z) / r);
      }
      total += s * half_h;
    }
  }
  return total * kInvSqrt2Pi;
}

#endif  // GM_AREA

// ---- combine rules (reference.cpp: combine_init / combine_fold / combine_finish) ----

#if GM_COMBINE == 1  // max
float combine_init() { return uintBitsToFloat(0xff800000u); }  // -inf
float combine_fold(float acc, float v) { return max(acc, v); }
// No kernel at all: 0. A zero result is returned as +0: which of +0 (a cut-off kernel) and -0 (an
// underflowed negative one) max() keeps depends on the order of the folds, and the tiled loop folds
// its skipped kernels' 0 first (mixture()); +0 makes the two loops agree bit for bit.
float combine_finish(float acc) {
  precise float z = acc + 0.0;  // -0 + 0 = +0; `precise` keeps it from being folded away
  return isinf(acc) ? 0.0 : z;
}
#elif GM_COMBINE == 2
// prob_or: 1 - prod(1 - c_k), c_k = clamp(v_k, 0, 1), accumulated as the union probability itself,
// p <- p + c (1 - p): the same value as the reference's running product, but without float32's
// cancellation in 1 - (1 - c) (absolute error ~6e-8, large relative to a small field).
float combine_init() { return 0.0; }
float combine_fold(float acc, float v) {
  float c = clamp(v, 0.0, 1.0);
  return acc + c * (1.0 - acc);
}
float combine_finish(float acc) { return acc; }
#else  // sum
float combine_init() { return 0.0; }
float combine_fold(float acc, float v) { return acc + v; }
float combine_finish(float acc) { return acc; }
#endif

// ---- one kernel ----

// a * b = p + e exactly. With a fused fma (GM_EXACT_FMA, probed by the renderer) one fma; else
// Dekker's product from Veltkamp splits. `precise` keeps the compiler from reassociating.
void two_prod(float a, float b, out float p, out float e) {
  precise float pp = a * b;
#if GM_EXACT_FMA
  precise float ee = fma(a, b, -pp);
#else
  precise float ca = 4097.0 * a;
  precise float ah = ca - (ca - a);
  precise float al = a - ah;
  precise float cb = 4097.0 * b;
  precise float bh = cb - (cb - b);
  precise float bl = b - bh;
  precise float ee = ((ah * bh - pp) + ah * bl + al * bh) + al * bl;
#endif
  p = pp;
  e = ee;
}

// Global pixel index (col, row) of this fragment: the target holds a window of the grid whose
// top-left pixel is u_origin (0, 0 for a whole render), so a window evaluates exactly what the
// same pixel of the whole render does.
ivec2 global_index() { return u_origin + ivec2(gl_FragCoord.xy); }

#if GM_RIM_PASS
// Cutoff decision d2 > k^2. Float d2 is good to ~1e-6 of k^2; the field pass decides in float
// alone. This rim pass runs only at the pixels the CPU listed (src/gl/rim_pixels.hpp: some kernel's
// rim within 2e-5 of the centre) and redoes, for each kernel whose float d2 lies within 1e-5 of k^2,
// the decision in double exactly as the float64 reference makes it (beyond_cutoff_exact).
//
layout(std430, binding = 3) readonly buffer GmRim { dvec4 gm_rim[]; };
layout(location = 8) uniform dvec4 u_grid;  // x0, dx, y0, dy of gm::Grid

bool beyond_cutoff_exact(int i) {
  ivec2 cr = global_index();
  int col = cr.x, row = cr.y;
  dvec4 r0 = gm_rim[2 * i], r1 = gm_rim[2 * i + 1];
  precise double x = u_grid.x + double(col) * u_grid.y;
  precise double y = u_grid.z + double(row) * u_grid.w;
  precise double ux = x - r0.x, uy = y - r0.y;
  precise double d2 = r0.z * ux * ux + 2.0LF * r0.w * ux * uy + r1.x * uy * uy;
  return d2 > r1.y;
}
#endif  // GM_RIM_PASS

// Value of kernel i at this pixel. axis_aligned and exact_cut are constants at each call site
// (see mixture()), so each loop compiles to one path. Records are read field by field
// (GM_REC(i, n)): the plain point path loads p0 and p1 only.
float kernel_value(int i, float colm, float rowm, const bool axis_aligned, const bool exact_cut) {
  vec4 p0 = GM_REC(i, 0), p1 = GM_REC(i, 1);
  // Pixel offset from the centre in pixel-index units: ui, vi exact integers, then the fraction.
  float ui = colm - p0.x, vi = rowm - p0.z;
  float u = ui - p0.y, v = vi - p0.w;
  float z1 = p1.x * u;
#if GM_EXTENDED
  // Whitened offset. z2 = w21 u + w22 v may cancel heavily (long thin rotated kernels), so it is
  // formed from the exact integer offsets: both products exact (two_prod), their rounded parts
  // summed (exact where they cancel: Sterbenz), the error terms and the _lo parts of W added, and
  // the fractional part's share (z2_offset, float64 on the CPU) subtracted last.
  vec4 p3 = GM_REC(i, 3);
  float p21, e21, p22, e22;
  two_prod(p1.y, ui, p21, e21);
  two_prod(p1.z, vi, p22, e22);
  precise float z2 = ((p21 + p22) + ((e21 + e22) + (p3.y * ui + p3.z * vi))) - p3.w;
#elif GM_ALL_AXIS
  float z2 = p1.z * v;  // every kernel axis-aligned: w21 = 0
#else
  float z2 = p1.y * u + p1.z * v;  // shear <= kPlainMaxShear: bounded cancellation
#endif
  float d2 = z1 * z1 + z2 * z2;
#if GM_CUTOFF
  // Branch-free in the field pass (a software rasterizer pays for every branch under a mask).
  const float cut = u_cut_d2.x;
  bool beyond = d2 > cut;
#if GM_RIM_PASS
  if (exact_cut && abs(d2 - cut) <= 1e-5 * cut) beyond = beyond_cutoff_exact(i);
#endif
#if !GM_AREA
  float value = p1.w * exp(-0.5 * d2);
  return beyond ? 0.0 : value;
#endif
  if (beyond) return 0.0;
#endif
#if !GM_AREA
  return p1.w * exp(-0.5 * d2);
#else
  // Area: the cell [x -+ cell_w/2] x [y -+ cell_h/2] standardized by the marginal sigmas.
  vec4 p2 = GM_REC(i, 2), p4 = GM_REC(i, 4);
  float zc = u * p4.x, hx = 0.5 * abs(p4.x) * u_cell_scale.x;
  float ec = v * p4.y, hy = 0.5 * abs(p4.y) * u_cell_scale.y;
  float p;
  if (axis_aligned) {
    p = cell_prob_axis(zc - hx, zc + hx, ec - hy, ec + hy);
  } else if (ec - hy > 7.0 || ec + hy < -7.0) {
    // Beyond 7 sigma along y the cell holds < 1.3e-12 of the mass: skip the quadrature (along x,
    // cell_prob_rotated itself returns 0 there).
    p = 0.0;
  } else {
    p = cell_prob_rotated(p2.w, p4.z, zc - hx, zc + hx, ec - hy, ec + hy);
  }
  return p2.z * p;
#endif
}

// The combined value over the kernels GM_KIDX(i), i in [b0, b2): untiled, i itself ([0, n)); tiled,
// the tile's list. Area sampling: the renderer puts the axis-aligned kernels first, so those are
// i in [b0, b1) and the exact erf path and the quadrature run in separate loops (the combine rules
// do not depend on the order). Point sampling: b1 is unused. `skipped`: some kernel is not in the
// list (tiled); it would have taken part with its cut-off value 0, which matters to max only.
float mixture(float colm, float rowm, int b0, int b1, int b2, bool skipped, const bool exact_cut) {
  float acc = combine_init();
#if GM_COMBINE == 1
  if (skipped) acc = 0.0;
#endif
#if GM_AREA
  for (int i = b0; i < b1; ++i)
    acc = combine_fold(acc, kernel_value(GM_KIDX(i), colm, rowm, true, exact_cut));
  for (int i = b1; i < b2; ++i)
    acc = combine_fold(acc, kernel_value(GM_KIDX(i), colm, rowm, false, exact_cut));
#else
  for (int i = b0; i < b2; ++i)
    acc = combine_fold(acc, kernel_value(GM_KIDX(i), colm, rowm, true, exact_cut));
#endif
  return combine_finish(acc);
}

#if GM_SPLAT
flat in int v_kernel;
#endif
#if GM_RIM_LISTS
flat in ivec2 v_rim_range;  // this rim pixel's kernels: list entries [x, y)
#endif

void main() {
  ivec2 cr = global_index();
  int col = cr.x, row = cr.y;
  float colm = float(col) * u_index_mul.x;
  float rowm = float(row) * u_index_mul.y;
#if GM_SPLAT
  // This kernel's term of combine_fold: the blend adds it (sum), takes the max (max: the target
  // starts at 0, which the loop's max reaches where any kernel is cut off; the renderer splats max
  // only with weights >= 0, where that is every pixel the splat leaves out or where a value is 0)
  // or folds c (1 - acc) (prob_or).
  float v = kernel_value(v_kernel, colm, rowm, true, false);
#if GM_COMBINE == 2
  v = clamp(v, 0.0, 1.0);
#endif
  o_value = v;
#else
#if GM_RIM_LISTS
  int b0 = v_rim_range.x, b2 = v_rim_range.y, b1 = b2;  // point sampling: b1 unused
  bool skipped = b2 - b0 < u_count;
#elif GM_TILED
  ivec2 tile = ivec2(gl_FragCoord.xy) / GM_TILE;
  int t = tile.y * u_tiles_x + tile.x;
  int b0 = GM_TILE_OFFS(2 * t), b1 = GM_TILE_OFFS(2 * t + 1), b2 = GM_TILE_OFFS(2 * t + 2);
  bool skipped = b2 - b0 < u_count;
#else
  int b0 = 0, b1 = u_count_axis, b2 = u_count;
  bool skipped = false;
#endif
  o_value = mixture(colm, rowm, b0, b1, b2, skipped, GM_RIM_PASS != 0);
#endif  // GM_SPLAT
}