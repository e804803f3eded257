// test_kernel_block.cpp — the std140/std430 kernel record of shaders/mixture.frag, checked without
// a GL context: size and offsets (also static_asserts in kernel_block.hpp), and that the packed
// float32 data reproduce the float64 kernel: hi + lo parts to ~48 bits, d2 from the pixel-relative
// whitened representation equal to gm::Gaussian::d2 at the pixel centres.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <random>

#include "core/kernel_math.hpp"
#include "core/scene.hpp"
#include "gl/kernel_block.hpp"

using namespace gm;
using gm::gl::KernelGpu;

TEST_CASE("kernel block: std140 layout of the kernel record") {
  // struct GmKernel { vec4 p0, p1, p2, p3, p4; } — five vec4: 80 bytes, 16-byte aligned members,
  // the same in std140 (uniform block) and std430 (storage block) arrays.
  CHECK(sizeof(KernelGpu) == 80);
  CHECK(offsetof(KernelGpu, ci_x) == 0);
  CHECK(offsetof(KernelGpu, cf_y) == 12);
  CHECK(offsetof(KernelGpu, w11) == 16);
  CHECK(offsetof(KernelGpu, amp) == 28);
  CHECK(offsetof(KernelGpu, cf_x_lo) == 32);
  CHECK(offsetof(KernelGpu, rho) == 44);
  CHECK(offsetof(KernelGpu, w11_lo) == 48);
  CHECK(offsetof(KernelGpu, z2_offset) == 60);
  CHECK(offsetof(KernelGpu, kx) == 64);
  CHECK(offsetof(KernelGpu, r) == 72);
  CHECK(offsetof(KernelGpu, reserved) == 76);
  CHECK(gl::kUboKernels == 204);
  CHECK(gl::kUboKernels * sizeof(KernelGpu) <= 16384);
}

TEST_CASE("kernel block: packed kernels reproduce the float64 kernel at the pixel centres") {
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> u01(0, 1);
  for (int trial = 0; trial < 200; ++trial) {
    Scene s;
    s.width = 1 + int(u01(gen) * 500), s.height = 1 + int(u01(gen) * 400);
    if (trial % 3 == 1) {
      s.domain_x = std::array<double, 2>{1e5 + u01(gen), 1e5 - 30 * u01(gen)};  // reversed, offset
      s.domain_y = std::array<double, 2>{-3.0, 3.0};
    }
    s.normalization = trial % 2 ? Normalization::Pdf : Normalization::Peak;
    s.cutoff_sigma = trial % 4 == 0 ? std::optional<double>(2.5) : std::nullopt;
    Grid grid = Grid::of(s);
    auto [x0, x1] = s.x_range();
    auto [y0, y1] = s.y_range();
    Kernel k;
    k.cx = x0 + u01(gen) * (x1 - x0), k.cy = y0 + u01(gen) * (y1 - y0);
    k.sx = 0.1 + u01(gen) * 20 * grid.cell_w, k.sy = 0.1 + u01(gen) * 20 * grid.cell_h;
    k.angle_deg = trial % 5 == 0 ? 0 : u01(gen) * 360;
    k.weight = u01(gen) * 4 - 1;
    s.kernels = {k};
    Gaussian g = resolve(k, s.normalization, s.cutoff_sigma);
    gl::PixelFrame f = gl::pixel_frame(s);
    KernelGpu p = gl::pack_kernel(g, f);
    INFO("trial " << trial);
    CHECK(p.ci_x == std::floor(p.ci_x));
    CHECK(p.ci_y == std::floor(p.ci_y));
    CHECK((p.rho == 0.0f) == g.axis_aligned);
    CHECK(p.amp == float(g.amp));
    float cut_hi = 0, cut_lo = 0;
    CHECK(gl::pack_cutoff(s, cut_hi, cut_lo) == s.cutoff_sigma.has_value());
    if (s.cutoff_sigma) CHECK(double(cut_hi) + double(cut_lo) == 6.25);
    CHECK(double(p.r) == doctest::Approx(std::sqrt(1 - g.rho * g.rho)).epsilon(1e-6));
    for (int probe = 0; probe < 20; ++probe) {
      int col = int(u01(gen) * s.width), row = int(u01(gen) * s.height);
      double want = g.d2(grid.x(col), grid.y(row));
      // The shader's double path (hi + lo) ...
      double u = double(float(col) * f.mul_x - p.ci_x) - (double(p.cf_x) + double(p.cf_x_lo));
      double v = double(float(row) * f.mul_y - p.ci_y) - (double(p.cf_y) + double(p.cf_y_lo));
      double z1 = (double(p.w11) + double(p.w11_lo)) * u;
      double z2 = (double(p.w21) + double(p.w21_lo)) * u + (double(p.w22) + double(p.w22_lo)) * v;
      double d2_exact = z1 * z1 + z2 * z2;
      // (the reference's own x - cx loses ~1e-16 * |x| at large domain offsets)
      CHECK(d2_exact == doctest::Approx(want).epsilon(1e-9).scale(1e-6));
      // ... and its float path.
      float ui = float(col) * f.mul_x - p.ci_x, vi = float(row) * f.mul_y - p.ci_y;
      float uf = ui - p.cf_x;
      float pw = p.w22 * vi, ew = std::fma(p.w22, vi, -pw);
      float z1f = p.w11 * uf;
      float z2f = (std::fma(p.w21, ui, pw) + (ew + (p.w21_lo * ui + p.w22_lo * vi))) - p.z2_offset;
      float d2f = z1f * z1f + z2f * z2f;
      // float32: u is rounded to ~3e-5 pixel far from the centre; d2 of a narrow kernel feels it.
      CHECK(double(d2f) == doctest::Approx(want).epsilon(1e-5).scale(1e-2));
    }
  }
}

TEST_CASE("kernel block: hidden kernels are not packed; a width of 1 uses x0") {
  Scene s;
  s.width = 1, s.height = 4;
  s.domain_x = std::array<double, 2>{5.0, 9.0};  // ignored past x0 for a width of 1
  Kernel a, b;
  a.cx = 5.5, a.cy = 1, b.visible = false;
  s.kernels = {a, b};
  auto packed = gl::pack_kernels(s);
  REQUIRE(packed.size() == 1);
  gl::PixelFrame f = gl::pixel_frame(s);
  CHECK(f.mul_x == 0.0f);
  CHECK(f.step_x == 1.0);
  CHECK(double(packed[0].ci_x) + double(packed[0].cf_x) == doctest::Approx(0.5));  // cx - x0
}
