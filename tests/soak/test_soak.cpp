// test_soak.cpp — soak test of the GL renderer: a few thousand random scenes through
// MixtureRenderer in ONE process, headless (EGL on Mesa llvmpipe in CI), checking that GL objects
// and memory do not grow.
//   - Scenes: 16..64 px a side, 1..600 kernels (both the uniform-buffer path, <= ubo_capacity(),
//     and the storage-buffer path, on every other renderer; the others as the renderer
//     chooses: texel fetches, tiles, the splat), every normalization / combine / sampling / cutoff
//     / shape form / visibility / colormap / scale / range, sometimes forced strips. Each scene:
//     render_field, read_field, render_colormap, read_image. Every 500 scenes the renderer is
//     destroyed and a new one is made, so its constructor/destructor are soaked too.
//   - GL objects: every name 1..kProbeIds is probed with glIsTexture / Buffer / Framebuffer /
//     Renderbuffer / Program / Shader / VertexArray / Query / Sampler / ProgramPipeline /
//     TransformFeedback, after the warm-up and at the end (renderer alive: counts must be equal),
//     and after the last renderer is gone (must be back to the count before the first one).
//   - Memory: RSS (/proc/self/statm) after the warm-up (the first 20% of scenes, rounded up to an
//     even renderer's end) and at the end;
//     growth must stay under kMaxRssGrowthMiB. Under AddressSanitizer (quarantine, shadow memory)
//     RSS is printed but not bounded, and fewer scenes run.
// Scene count and time: GM_SOAK_SCENES (default 3000; 2000 under ASan, the fewest with two
// renderers of the same fetch kind at the end of their lives to compare: a renderer links its
// programs lazily, ~180 of them over its life) and a wall-clock cap of
// GM_SOAK_SECONDS (default 60; the run stops early, still checking, if it is reached).
// Where no GL 4.5 context can be made the test is reported skipped, saying why (a failure under
// CI; tests/test_skip.hpp).
#include <doctest/doctest.h>
#include <glad/gl.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/scene_io.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"
#include "test_skip.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define GM_SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GM_SOAK_ASAN 1
#endif
#endif
#ifndef GM_SOAK_ASAN
#define GM_SOAK_ASAN 0
#endif

namespace {

using namespace gm;

constexpr unsigned kProbeIds = 16384;  // GL names probed per object kind
// Over the scenes after the warm-up. Measured +8 to +16 MiB at ~520 MiB of RSS (llvmpipe's JIT
// memory of ~180 field programs per renderer, rebuilt every 500 scenes; -49 MiB over 6,000 scenes:
// no trend), +2 to +3 MiB when a renderer linked ~100; a leak of one 64x64 float field per scene
// would add >= 31 MiB over the 2,000 scenes. Small host-side leaks are caught exactly by
// LeakSanitizer in the ASan suite.
constexpr double kMaxRssGrowthMiB = 24.0;
constexpr int kRendererLifetime = 500;  // scenes per MixtureRenderer

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  return std::max(1, std::atoi(v));
}

// Resident set after handing freed heap back to the system (malloc_trim), so that fragmentation
// from renderers torn down and rebuilt does not read as growth.
double rss_mib() {
  malloc_trim(0);
  std::ifstream in("/proc/self/statm");
  long long size = 0, resident = 0;
  in >> size >> resident;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

struct GlCounts {
  int textures = 0, buffers = 0, framebuffers = 0, renderbuffers = 0, programs = 0, shaders = 0,
      vertex_arrays = 0, queries = 0, samplers = 0, pipelines = 0, feedbacks = 0;
  int total() const {
    return textures + buffers + framebuffers + renderbuffers + programs + shaders + vertex_arrays +
           queries + samplers + pipelines + feedbacks;
  }
  bool operator==(const GlCounts&) const = default;
  std::string str() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "%d total (tex %d, buf %d, fbo %d, rbo %d, prog %d, shader %d, vao %d, query %d, "
                  "sampler %d, pipeline %d, xfb %d)",
                  total(), textures, buffers, framebuffers, renderbuffers, programs, shaders,
                  vertex_arrays, queries, samplers, pipelines, feedbacks);
    return buf;
  }
};

GlCounts count_gl_objects() {
  GlCounts c;
  for (GLuint id = 1; id <= kProbeIds; ++id) {
    c.textures += glIsTexture(id) ? 1 : 0;
    c.buffers += glIsBuffer(id) ? 1 : 0;
    c.framebuffers += glIsFramebuffer(id) ? 1 : 0;
    c.renderbuffers += glIsRenderbuffer(id) ? 1 : 0;
    c.programs += glIsProgram(id) ? 1 : 0;
    c.shaders += glIsShader(id) ? 1 : 0;
    c.vertex_arrays += glIsVertexArray(id) ? 1 : 0;
    c.queries += glIsQuery(id) ? 1 : 0;
    c.samplers += glIsSampler(id) ? 1 : 0;
    c.pipelines += glIsProgramPipeline(id) ? 1 : 0;
    c.feedbacks += glIsTransformFeedback(id) ? 1 : 0;
  }
  return c;
}

// A random valid scene: small, every setting, kernel count spanning both buffer paths.
Scene random_scene(std::mt19937_64& rng, int ubo_capacity) {
  auto uni = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Scene s;
  s.width = pick(16, 64);
  s.height = pick(16, 64);
  if (pick(0, 2) == 0) s.domain_x = std::array<double, 2>{uni(-5, 0), uni(1, 5)};
  if (pick(0, 2) == 0) s.domain_y = std::array<double, 2>{uni(1, 5), uni(-5, 0)};  // reversed
  s.normalization = Normalization(pick(0, 1));
  s.combine = Combine(pick(0, 2));
  s.sampling = Sampling(pick(0, 1));
  if (pick(0, 1) == 0) s.cutoff_sigma = uni(0.5, 4);
  int n = 0;
  switch (pick(0, 5)) {
    case 0:
      n = pick(ubo_capacity + 1, 600);
      break;  // storage-buffer path
    case 1:
      n = pick(ubo_capacity - 2, ubo_capacity + 2);
      break;  // around the switch
    default:
      n = pick(1, 40);
      break;
  }
  n = std::clamp(n, 1, 600);
  auto [x0, x1] = s.x_range();
  auto [y0, y1] = s.y_range();
  double span = std::max(std::abs(x1 - x0), std::abs(y1 - y0));
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = uni(std::min(x0, x1), std::max(x0, x1));
    k.cy = uni(std::min(y0, y1), std::max(y0, y1));
    if (pick(0, 3) == 0) {
      double a = std::pow(span * uni(0.01, 0.3), 2), c = std::pow(span * uni(0.01, 0.3), 2);
      double b = uni(-0.9, 0.9) * std::sqrt(a * c);
      k.use_covariance = true, k.cov_xx = a, k.cov_xy = b, k.cov_yy = c;
    } else {
      k.sx = span * uni(0.003, 0.3), k.sy = span * uni(0.003, 0.3);
      k.angle_deg = pick(0, 2) == 0 ? 0.0 : uni(-180, 180);
    }
    k.weight = s.combine == Combine::ProbOr ? uni(0, 1) : uni(-1, 2);
    k.visible = pick(0, 15) != 0;
    s.kernels.push_back(k);
  }
  s.view.colormap = Colormap(pick(0, 6));
  s.view.scale = Scale(pick(0, 2));
  if (pick(0, 1) == 0) {
    s.view.range_auto = false;
    s.view.vmin = uni(-0.5, 0.1);
    s.view.vmax = uni(0.2, 2);
  }
  s.view.contour_levels = pick(0, 3) == 0 ? pick(1, 10) : 0;
  validate(s);
  return s;
}

// Links every mixture.frag variant the renderer builds lazily (fetch x storage x combine x
// sampling x cutoff x kernel shape: axis-aligned, rotated, needle = the plain, plain-rotated and
// extended paths; every field pass of the cut-off ones) and runs the colormap pass, so that a
// renderer's own program cache is full before any count is taken: from then on, any growth is a
// leak.
void prime(gl::MixtureRenderer& r, gl::Fetch fetch) {
  Scene s;
  s.width = 8, s.height = 8;
  {
    r.set_fetch(fetch);
    for (int shape = 0; shape < 3; ++shape) {
      Kernel k;
      if (shape > 0) k.angle_deg = 30.0, k.sx = 1.0, k.sy = 2.0;  // rho != 0, shear < 4
      if (shape == 2) k.sx = 0.05, k.sy = 40.0;  // shear past kPlainMaxShear: the extended path
      for (int n : {1, r.ubo_capacity() + 1})
        for (int c = 0; c < 3; ++c)
          for (int sa = 0; sa < 2; ++sa)
            for (int cut = 0; cut < 2; ++cut) {
              s.kernels.assign(std::size_t(n), k);
              // and one whose rim passes through pixel centres (4 +- 3, 4): the rim pass draws
              s.kernels.back().cx = s.kernels.back().cy = 4.0;
              s.kernels.back().sx = s.kernels.back().sy = 1.0;
              s.kernels.back().angle_deg = 0.0;
              s.combine = Combine(c);
              s.sampling = Sampling(sa);
              s.cutoff_sigma = cut ? std::optional<double>(3.0) : std::nullopt;
              // Cut-off scenes draw every field pass (loop, tiles, splat and their rim passes),
              // so that the driver's own per-state shader variants are built here too.
              for (int strip_rows : {0, 3})
                for (gl::Tiling t : {gl::Tiling::Off, gl::Tiling::On, gl::Tiling::Splat}) {
                  r.set_strip_rows(strip_rows);
                  r.set_tiling(cut ? t : gl::Tiling::Auto);
                  r.render_field(s);
                  (void)r.read_field();
                  if (!cut) break;
                }
            }
    }
  }
  r.set_tiling(gl::Tiling::Auto);
  r.set_strip_rows(0);
  r.render_colormap(s.view, ValueRange{0, 1});
  (void)r.read_image();
}

// Every other renderer reads its records from the blocks (uniform / storage buffer), the others
// take the automatic choice (texels, tiles, the splat on a software rasterizer); the renderer
// alive after the warm-up and the last one are both of the first kind (the 2nd and the 6th).
gl::Fetch fetch_of(int renderer_number) {
  return renderer_number % 2 == 0 ? gl::Fetch::Blocks : gl::Fetch::Auto;
}

}  // namespace

TEST_CASE("soak: thousands of random scenes in one process, GL objects and RSS stay flat") {
  std::unique_ptr<gl::HeadlessContext> ctx;
  try {
    ctx = gl::HeadlessContext::create();
  } catch (const std::exception& e) {
    gm::test::skip_case(std::string("no GL 4.5 context: ") + e.what());
    return;
  }
  gm::test::note_gl_case();
  const int scenes = env_int("GM_SOAK_SCENES", GM_SOAK_ASAN ? 2000 : 3000);
  const double max_seconds = env_int("GM_SOAK_SECONDS", 60);
  // The warm-up ends with an even renderer's life (a multiple of 2 kRendererLifetime where the run
  // is long enough), so that RSS is compared between renderers of the same age and fetch kind.
  int warmup = std::max(1, scenes / 5);
  int lifetimes = (warmup + kRendererLifetime - 1) / kRendererLifetime;
  lifetimes += lifetimes % 2;  // an even renderer: the kind (fetch_of) of the last of a full run
  if (lifetimes * kRendererLifetime < scenes) warmup = lifetimes * kRendererLifetime;

  auto renderer = std::make_unique<gl::MixtureRenderer>(ctx->loader());  // loads glad's GL
  // Baseline before any renderer of ours lived: destroy the first one, count, make it again.
  renderer.reset();
  glFinish();
  const GlCounts before = count_gl_objects();
  renderer = std::make_unique<gl::MixtureRenderer>(ctx->loader());
  prime(*renderer, fetch_of(1));
  const int ubo = renderer->ubo_capacity();

  std::mt19937_64 rng(20261121);
  GlCounts after_warmup;
  double rss_warm = 0, rss_peak = 0;
  int run = 0, ssbo_runs = 0, strip_runs = 0, renderers = 1;
  double pixels = 0, kernel_evals = 0;
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  for (; run < scenes; ++run) {
    if (run > warmup && elapsed() > max_seconds) break;
    if (run > 0 && run % kRendererLifetime == 0) {
      renderer.reset();
      renderer = std::make_unique<gl::MixtureRenderer>(ctx->loader());
      ++renderers;
      prime(*renderer, fetch_of(renderers));
    }
    Scene s = random_scene(rng, ubo);
    const bool strips = std::uniform_int_distribution<int>(0, 9)(rng) == 0;
    renderer->set_strip_rows(strips ? std::uniform_int_distribution<int>(1, 8)(rng) : 0);
    renderer->render_field(s);
    Field f = renderer->read_field();
    REQUIRE(f.width == s.width);
    REQUIRE(f.height == s.height);
    renderer->render_colormap(s.view, view_range(s.view, f));
    Image img = renderer->read_image();
    REQUIRE(img.rgba.size() == std::size_t(s.width) * s.height * 4);
    ssbo_runs += renderer->last_used_ssbo() ? 1 : 0;
    strip_runs += renderer->last_strip_count() > 1 ? 1 : 0;
    pixels += double(s.width) * s.height;
    kernel_evals += double(s.width) * s.height * double(s.kernels.size());
    if (run + 1 == warmup) {
      glFinish();
      after_warmup = count_gl_objects();
      rss_warm = rss_mib();
    }
    if (run >= warmup) rss_peak = std::max(rss_peak, rss_mib());
  }
  glFinish();
  const GlCounts at_end = count_gl_objects();
  const double rss_end = rss_mib();
  const GLenum gl_error = glGetError();
  renderer.reset();
  glFinish();
  const GlCounts after_all = count_gl_objects();
  const double secs = elapsed();

  std::printf(
      "soak: %d scenes in %.1f s (%.0f scenes/s) on %d renderers; %d on the storage-buffer "
      "path (ubo capacity %d), %d in strips; %.2f Mpixel, %.1f G kernel evaluations\n",
      run, secs, run / secs, renderers, ssbo_runs, ubo, strip_runs, pixels / 1e6,
      kernel_evals / 1e9);
  std::printf("soak: GL objects before any renderer: %s\n", before.str().c_str());
  std::printf("soak: GL objects after warm-up (%d scenes): %s\n", warmup,
              after_warmup.str().c_str());
  std::printf("soak: GL objects at the end: %s\n", at_end.str().c_str());
  std::printf("soak: GL objects after the last renderer: %s\n", after_all.str().c_str());
  std::printf(
      "soak: RSS after warm-up %.1f MiB, at the end %.1f MiB (growth %+.2f MiB, peak %.1f "
      "MiB; bound %.0f MiB%s)\n",
      rss_warm, rss_end, rss_end - rss_warm, rss_peak, kMaxRssGrowthMiB,
      GM_SOAK_ASAN ? ", not enforced under ASan" : "");
  std::fflush(stdout);

  CHECK(run >= warmup + 1);
  CHECK(gl_error == GLenum(GL_NO_ERROR));
  CHECK(ssbo_runs > 0);
  CHECK(ssbo_runs < run);
  // Programs: the renderer links shader variants lazily; prime() builds the ones known here, and a
  // few more may appear later without being a leak. A leak per scene or per renderer would add
  // hundreds (200+ programs per renderer, 5 renderers after the warm-up).
  GlCounts end_no_prog = at_end, warm_no_prog = after_warmup;
  end_no_prog.programs = warm_no_prog.programs = 0;
  CHECK_MESSAGE(end_no_prog == warm_no_prog,
                "GL objects grew: " << after_warmup.str() << " -> " << at_end.str());
  CHECK_MESSAGE(at_end.programs <= after_warmup.programs + 8,
                "GL programs grew: " << after_warmup.str() << " -> " << at_end.str());
  CHECK_MESSAGE(after_all == before, "GL objects left after the renderer: "
                                         << before.str() << " -> " << after_all.str());
  if (!GM_SOAK_ASAN)
    CHECK_MESSAGE(rss_end - rss_warm < kMaxRssGrowthMiB,
                  "RSS grew " << rss_end - rss_warm << " MiB after the warm-up");
}
