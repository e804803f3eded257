// test_backend_choice.cpp — the `auto` backend rule as a pure function: renderer strings that are
// software and hardware, evaluation counts against hand counts, and each branch of the rule.
#include <doctest/doctest.h>

#include <string>

#include "core/backend_choice.hpp"

namespace {

using namespace gm;

Scene scene_of(int w, int h, int n, double sigma) {
  Scene s;
  s.width = w, s.height = h;
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = (i * 37) % w, k.cy = (i * 53) % h, k.sx = k.sy = sigma;
    s.kernels.push_back(k);
  }
  return s;
}

}  // namespace

TEST_CASE("backend choice: software renderers are recognised by their GL_RENDERER strings") {
  for (const char* r : {"llvmpipe (LLVM 15.0.6, 256 bits)", "softpipe", "Software Rasterizer",
                        "Mesa swrast", "lavapipe (LLVM 15.0.6, 256 bits)",
                        "SwiftShader Device (Subzero)", "D3D12 (Microsoft Basic Render Driver)"}) {
    CAPTURE(r);
    CHECK(is_software_renderer(r));
  }
  for (const char* r :
       {"NVIDIA GeForce RTX 3080/PCIe/SSE2", "Mesa Intel(R) UHD Graphics 620 (KBL GT2)",
        "AMD Radeon RX 6800 (navi21, LLVM 15.0.6, DRM 3.49, 6.1.0-13-amd64)",  // LLVM, not pipe
        "NVIDIA H100 80GB HBM3/PCIe/SSE2", "Apple M1"}) {
    CAPTURE(r);
    CHECK(!is_software_renderer(r));
  }
}

TEST_CASE("backend choice: evaluation counts") {
  Scene s = scene_of(100, 50, 3, 2.0);
  CHECK(evaluation_count(s) == 3 * 100 * 50);  // no cutoff: every pixel per kernel
  s.kernels[1].visible = false;
  CHECK(evaluation_count(s) == 2 * 100 * 50);
  s.kernels[1].visible = true;
  // Cutoff 3, sigma 2 px: a box of 2 * 6 + 1 = 13 px a side per kernel.
  s.cutoff_sigma = 3.0;
  CHECK(evaluation_count(s) == doctest::Approx(3 * 13.0 * 13.0));
  // A kernel wider than the image is clipped to it.
  s.kernels[0].sx = s.kernels[0].sy = 1000;
  CHECK(evaluation_count(s) == doctest::Approx(100 * 50 + 2 * 13.0 * 13.0));
  // Area sampling costs four times point sampling.
  s.sampling = Sampling::Area;
  CHECK(evaluation_count(s) == doctest::Approx(4 * (100 * 50 + 2 * 13.0 * 13.0)));
  // Covariance kernels: the box follows sqrt of the diagonal (a = 16 -> 4 px, c = 4 -> 2 px).
  Scene c = scene_of(200, 200, 1, 1.0);
  c.cutoff_sigma = 2.0;
  c.kernels[0].use_covariance = true;
  c.kernels[0].cov_xx = 16, c.kernels[0].cov_xy = 1, c.kernels[0].cov_yy = 4;
  CHECK(evaluation_count(c) == doctest::Approx((2 * 8 + 1) * (2 * 4 + 1)));
}

TEST_CASE("backend choice: the rule") {
  const Scene small = scene_of(800, 400, 3, 8);       // 9.6e5 evaluations
  const Scene big = scene_of(4000, 3000, 100, 50);    // 1.2e9
  const Scene medium = scene_of(1920, 1080, 64, 60);  // 1.3e8
  REQUIRE(evaluation_count(big) >= kSmallSceneEvaluations);
  REQUIRE(evaluation_count(medium) < kSmallSceneEvaluations);
  REQUIRE(evaluation_count(medium) >= kSmallSceneEvaluationsReady);

  GlFacts hw;
  hw.device = true, hw.renderer = "NVIDIA GeForce RTX 3080/PCIe/SSE2";
  GlFacts sw;
  sw.device = true, sw.renderer = "llvmpipe (LLVM 15.0.6, 256 bits)";
  GlFacts no_device;
  GlFacts unprobed;
  unprobed.device = true;

  // 1. Small scenes take the CPU whatever the GL.
  for (const GlFacts& g : {hw, sw, no_device, unprobed}) {
    BackendChoice c = choose_backend(small, g);
    CHECK(!c.gpu);
    CHECK(!c.probe_gl);
    CHECK(c.reason.rfind("small scene (9.6e+05 kernel evaluations", 0) == 0);
  }
  // 2. Software GL: the CPU.
  BackendChoice c = choose_backend(big, sw);
  CHECK(!c.gpu);
  CHECK(c.reason ==
        "GL is software (llvmpipe (LLVM 15.0.6, 256 bits)): the CPU backend is faster "
        "on the same cores");
  // 3. No device and nothing known: the CPU, without making a context.
  c = choose_backend(big, no_device);
  CHECK(!c.gpu);
  CHECK(!c.probe_gl);
  CHECK(c.reason.find("no GPU device") == 0);
  // 4. A device, no renderer yet: ask for GL_RENDERER.
  c = choose_backend(big, unprobed);
  CHECK(c.probe_gl);
  CHECK(!c.gpu);
  // 5. Hardware GL: the shader.
  c = choose_backend(big, hw);
  CHECK(c.gpu);
  CHECK(!c.probe_gl);
  CHECK(c.reason ==
        "hardware GL (NVIDIA GeForce RTX 3080/PCIe/SSE2) and 1.2e+09 kernel evaluations");
  // With a context already made (the viewer), GL costs no start: a medium scene goes to the GPU.
  CHECK(!choose_backend(medium, hw).gpu);
  GlFacts ready = hw;
  ready.context_ready = true;
  CHECK(choose_backend(medium, ready).gpu);
  ready.renderer = sw.renderer;
  CHECK(!choose_backend(medium, ready).gpu);
}
