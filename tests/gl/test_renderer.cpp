// test_renderer.cpp — MixtureRenderer behaviour beyond the random sweep: orientation (row 0 = y0 =
// top, in the field and in the picture), the colormap pass against gm::colorize (bit-exact), the
// timer query, 1x1, strips == one pass, UBO == SSBO path, the cutoff decision at k sigma, large
// domain offsets, long thin rotated kernels, empty / hidden kernels, size limits, and GL state
// left as found.
#include <doctest/doctest.h>
#include <glad/gl.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/field.hpp"
#include "core/reference.hpp"
#include "core/scene.hpp"
#include "error_budgets.hpp"
#include "gl_test_env.hpp"

using namespace gm;

namespace {

Kernel kernel_at(double cx, double cy, double sx, double sy, double w = 1, double angle = 0) {
  Kernel k;
  k.cx = cx, k.cy = cy, k.sx = sx, k.sy = sy, k.weight = w, k.angle_deg = angle;
  return k;
}

struct ArgMax {
  int row = -1, col = -1;
};
ArgMax argmax(const Field& f) {
  ArgMax a;
  float best = -std::numeric_limits<float>::infinity();
  for (int r = 0; r < f.height; ++r)
    for (int c = 0; c < f.width; ++c)
      if (f.at(r, c) > best) best = f.at(r, c), a = {r, c};
  return a;
}

Scene two_kernel_scene() {
  Scene s;
  s.width = 101, s.height = 61;
  s.normalization = Normalization::Peak;
  s.kernels = {kernel_at(30, 20, 9, 5, 1.0, 30), kernel_at(70, 40, 4, 12, 0.7)};
  return s;
}

}  // namespace

TEST_CASE("gl: orientation: row 0 of the field and of the picture is y0, the top row") {
  GM_GL_OR_SKIP();
  Scene s;
  s.width = 40, s.height = 30;
  s.normalization = Normalization::Peak;
  s.kernels = {kernel_at(3, 2, 1.5, 1.5)};  // near the top-left corner (pixel-index domain)
  R.render_field(s);
  Field f = R.read_field();
  ArgMax a = argmax(f);
  CHECK(a.row == 2);
  CHECK(a.col == 3);
  CHECK(f.at(2, 3) == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(f.at(29, 39) < 1e-30f);

  // The picture: the bright (top of the colormap) pixel is at the top-left too.
  View v;
  v.colormap = Colormap::Gray;
  R.render_colormap(v, view_range(v, f));
  Image img = R.read_image();
  REQUIRE(img.width == 40);
  REQUIRE(img.height == 30);
  CHECK(int(img.rgba[std::size_t(4 * (2 * 40 + 3))]) == 255);
  CHECK(int(img.rgba[std::size_t(4 * (29 * 40 + 39))]) == 0);

  // A reversed y domain: row 0 is still y0 (here the largest y).
  s.domain_x = std::array<double, 2>{-1, 1};
  s.domain_y = std::array<double, 2>{1, -1};
  s.kernels = {kernel_at(-0.9, 0.9, 0.1, 0.1)};
  R.render_field(s);
  a = argmax(R.read_field());
  CHECK(a.row <= 2);
  CHECK(a.col <= 2);
}

TEST_CASE("gl: colormap pass equals gm::colorize of the read-back field, bit for bit") {
  GM_GL_OR_SKIP();
  Scene s = two_kernel_scene();
  s.kernels.push_back(kernel_at(90, 5, 3, 3, -0.4));  // negative values too
  R.render_field(s);
  Field f = R.read_field();
  int cases = 0, differing = 0;
  for (Colormap cm : {Colormap::Viridis, Colormap::Magma, Colormap::Inferno, Colormap::Plasma,
                      Colormap::Cividis, Colormap::Turbo, Colormap::Gray}) {
    for (Scale sc : {Scale::Linear, Scale::Sqrt, Scale::Log}) {
      for (int range = 0; range < 4; ++range) {
        View v;
        v.colormap = cm, v.scale = sc;
        if (range == 1) v.range_auto = false, v.vmin = 0.1, v.vmax = 0.6;
        if (range == 2) v.range_auto = false, v.vmin = -0.2, v.vmax = 2.0;  // log: floor vmax*1e-6
        if (range == 3) v.range_auto = false, v.vmin = 0.5, v.vmax = 0.5;   // degenerate -> 0
        R.render_colormap(v, view_range(v, f));
        Image gpu = R.read_image();
        Image cpu = colorize(f, v);
        REQUIRE(gpu.rgba.size() == cpu.rgba.size());
        int diff = 0;
        for (std::size_t i = 0; i < gpu.rgba.size(); ++i) diff += gpu.rgba[i] != cpu.rgba[i];
        INFO("colormap " << to_string(cm) << " scale " << to_string(sc) << " range case " << range);
        CHECK(diff == 0);
        differing += diff, ++cases;
      }
    }
  }
  MESSAGE("colormap pass vs gm::colorize: " << cases << " cases, " << differing
                                            << " differing bytes");
}

TEST_CASE("gl: timer query gives a positive GPU time (none on a software rasterizer)") {
  GM_GL_OR_SKIP();
  R.render_field(two_kernel_scene());
  double ms = R.last_gpu_ms();
  const bool software = R.renderer_name().find("llvmpipe") != std::string::npos;
  if (software) CHECK_FALSE(R.timer_queries());
  if (!R.timer_queries()) {
    CHECK(ms == -1);
    MESSAGE("no timer query on " << R.renderer_name());
    return;
  }
  CHECK(ms > 0);
  CHECK(ms < 60000);
  MESSAGE("GPU time of a 101x61 field: " << ms << " ms");
}

TEST_CASE("gl: a 1x1 field reads back the value at (x0, y0)") {
  GM_GL_OR_SKIP();
  for (Sampling sm : {Sampling::Point, Sampling::Area}) {
    Scene s;
    s.width = s.height = 1;
    s.sampling = sm;
    s.domain_x = std::array<double, 2>{2.5, 2.5};
    s.domain_y = std::array<double, 2>{-1.0, -1.0};
    s.kernels = {kernel_at(2.0, -0.5, 0.8, 1.3, 2.0, 25)};
    R.render_field(s);
    Field f = R.read_field();
    REQUIRE(f.width == 1);
    REQUIRE(f.height == 1);
    FieldD ref = evaluate_reference(s).field;
    CHECK(f.at(0, 0) == doctest::Approx(ref.at(0, 0)).epsilon(1e-5));
    View v;
    R.render_colormap(v, view_range(v, f));
    Image img = R.read_image();
    CHECK(img.rgba.size() == 4);
  }
}

TEST_CASE("gl: strip rendering equals one pass, bit for bit") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  R.set_tiling(gl::Tiling::Off);  // the loop (the splat is one draw; tiles: test_tiles.cpp)
  for (Sampling sm : {Sampling::Point, Sampling::Area}) {
    Scene s = two_kernel_scene();
    s.sampling = sm;
    s.cutoff_sigma = 2.5;
    R.render_field(s);
    CHECK(R.last_strip_count() == 1);
    Field one = R.read_field();
    R.set_strip_rows(7);
    R.render_field(s);
    CHECK(R.last_strip_count() == 9);  // ceil(61 / 7)
    Field strips = R.read_field();
    R.set_strip_rows(0);
    CHECK(one.data == strips.data);
  }
}

TEST_CASE("gl: the storage-buffer path gives the same field as the uniform-buffer path") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  R.set_fetch(gl::Fetch::Blocks);
  Scene s;
  s.width = 64, s.height = 48;
  for (int i = 0; i < R.ubo_capacity(); ++i)
    s.kernels.push_back(
        kernel_at(i % 17 * 4.0, i % 13 * 4.0, 1.0 + i % 5, 2.0 + i % 3, 0.5, i * 7.0));
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
    s.combine = c;
    Scene big = s;  // same kernels plus zero-weight ones: the same value at every pixel
    for (int i = 0; i < 40; ++i) big.kernels.push_back(kernel_at(i, i, 3, 3, 0.0));
    R.render_field(s);
    CHECK_FALSE(R.last_used_ssbo());
    Field ubo = R.read_field();
    R.render_field(big);
    CHECK(R.last_used_ssbo());
    Field ssbo = R.read_field();
    INFO("combine " << to_string(c));
    CHECK(ubo.data == ssbo.data);
    R.set_fetch(gl::Fetch::Texels);  // and both equal the texel fetches
    R.render_field(big);
    CHECK(R.last_used_texels());
    CHECK_FALSE(R.last_used_ssbo());
    CHECK(R.read_field().data == ssbo.data);
    R.set_fetch(gl::Fetch::Blocks);
  }
}

TEST_CASE("gl: the cutoff decision at k sigma agrees with the reference to the last bit") {
  GM_GL_OR_SKIP();
  // One kernel at x = 0; the pixel at x = 5 sits at distance k * sigma * (1 + delta).
  int mismatches = 0, cases = 0;
  for (double k : {3.0, 2.0, 1.7}) {
    for (double delta : {-3e-6, -1e-7, -1e-9, -1e-12, 1e-12, 1e-9, 1e-7, 3e-6}) {
      for (Sampling sm : {Sampling::Point, Sampling::Area}) {
        for (double angle : {0.0, 30.0}) {
          Scene s;
          s.width = 11, s.height = 3;
          s.sampling = sm;
          s.normalization = Normalization::Peak;
          s.cutoff_sigma = k;
          s.domain_x = std::array<double, 2>{0.0, 10.0 * 0.37};
          s.domain_y = std::array<double, 2>{-0.37, 0.37};
          double sigma = 5 * 0.37 / (k * (1 + delta));
          s.kernels = {kernel_at(0.0, 0.0, sigma, sigma, 1.0, angle)};  // isotropic: angle moot
          if (angle != 0) s.kernels[0].sy = sigma * 1.0000001;          // rotated, nearly isotropic
          R.render_field(s);
          Field f = R.read_field();
          FieldD ref = evaluate_reference(s).field;
          for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 11; ++c) {
              bool gz = f.at(r, c) == 0.0f, rz = ref.at(r, c) == 0.0;
              if (gz != rz) {
                ++mismatches;
                INFO("k " << k << " delta " << delta << " sampling " << to_string(sm) << " angle "
                          << angle << " pixel (" << r << ", " << c << ") gpu " << f.at(r, c)
                          << " ref " << ref.at(r, c));
                CHECK(gz == rz);
              }
            }
          ++cases;
        }
      }
    }
  }
  CHECK(mismatches == 0);
  MESSAGE("cutoff boundary: " << cases << " scenes, " << mismatches
                              << " pixels decided differently");
}

TEST_CASE("gl: large domain offsets cost no precision") {
  GM_GL_OR_SKIP();
  Scene s;
  s.width = 200, s.height = 150;
  s.domain_x = std::array<double, 2>{1e7, 1e7 + 199 * 0.01};
  s.domain_y = std::array<double, 2>{-3e6, -3e6 + 149 * 0.01};
  s.normalization = Normalization::Peak;
  s.kernels = {kernel_at(1e7 + 0.7531, -3e6 + 0.4211, 0.007, 0.011, 1.0, 20),
               kernel_at(1e7 + 1.5, -3e6 + 1.1, 0.2, 0.05, 0.5)};
  for (Sampling sm : {Sampling::Point, Sampling::Area}) {
    s.sampling = sm;
    R.render_field(s);
    FieldError e = compare(R.read_field(), evaluate_reference(s).field);
    const double budget = sm == Sampling::Point ? test::kGpuOffsetPoint : test::kGpuOffsetArea;
    MESSAGE("domain offset 1e7: " << std::string(to_string(sm)) << " sampling, max error / peak "
                                  << e.max_rel_peak << " (budget " << budget << ")");
    CHECK(e.max_rel_peak <= budget);
  }
}

TEST_CASE("gl: long thin rotated kernels keep float32 precision") {
  GM_GL_OR_SKIP();
  // Aspect ratios up to 3000:1 with sub-pixel widths. Point sampling: d2 is a sum of squares of
  // the whitened offset, its thin component formed with exact products; area sampling: r =
  // sqrt(1 - rho^2) from float64 (kernel_block.hpp). Without those: 5e-5 and 2e-2 of the peak.
  double worst[2] = {0, 0};
  for (Sampling sm : {Sampling::Point, Sampling::Area}) {
    for (double thin : {0.3, 1.0, 3.0}) {
      for (double thick : {30.0, 300.0, 1000.0}) {
        for (double angle : {37.0, 89.5, -60.0}) {
          Scene s;
          s.sampling = sm;
          s.width = sm == Sampling::Point ? 512 : 96, s.height = sm == Sampling::Point ? 384 : 64;
          s.normalization = Normalization::Peak;
          s.kernels = {kernel_at(s.width / 2 + 0.3, s.height / 2 - 1.9, thick, thin, 1.0, angle)};
          R.render_field(s);
          FieldError e = compare(R.read_field(), evaluate_reference(s).field);
          INFO(to_string(sm) << " sampling, sigma " << thick << " x " << thin << " at " << angle
                             << " deg");
          CHECK(e.max_rel_peak <=
                (sm == Sampling::Point ? test::kGpuNeedlePoint : test::kGpuNeedleArea));
          worst[int(sm)] = std::max(worst[int(sm)], e.max_rel_peak);
        }
      }
    }
  }
  MESSAGE("long thin rotated kernels: worst max error / peak = "
          << worst[0] << " (point, budget " << test::kGpuNeedlePoint << "), " << worst[1]
          << " (area, budget " << test::kGpuNeedleArea << ")");
}

TEST_CASE("gl: no kernels, hidden kernels: every combine rule gives 0") {
  GM_GL_OR_SKIP();
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
    for (bool hidden : {false, true}) {
      Scene s;
      s.width = 9, s.height = 5;
      s.combine = c;
      if (hidden) {
        s.kernels = {kernel_at(4, 2, 2, 2)};
        s.kernels[0].visible = false;
      }
      R.render_field(s);
      Field f = R.read_field();
      INFO("combine " << to_string(c) << " hidden " << hidden);
      CHECK(min_max(f).min == 0.0f);
      CHECK(min_max(f).max == 0.0f);
    }
  }
  // max over only negative kernels, and a cut-off kernel's 0 taking part in max.
  Scene s;
  s.width = 21, s.height = 1;
  s.combine = Combine::Max;
  s.normalization = Normalization::Peak;
  s.cutoff_sigma = 2;
  s.kernels = {kernel_at(10, 0, 2, 2, -1)};
  R.render_field(s);
  FieldError e = compare(R.read_field(), evaluate_reference(s).field);
  CHECK(e.max_abs <= 1e-6);
}

TEST_CASE("gl: sizes past the GL limits fail with an InputError naming the limit") {
  GM_GL_OR_SKIP();
  GLint max_tex = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_tex);
  Scene s;
  s.width = max_tex + 1, s.height = 1;
  try {
    R.render_field(s);
    FAIL("no error for width " << s.width);
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("GL_MAX_TEXTURE_SIZE") != std::string::npos);
  }
  s.width = 0;
  CHECK_THROWS_AS(R.render_field(s), InputError);
}

TEST_CASE("gl: the passes leave the caller's GL state as they found it") {
  GM_GL_OR_SKIP();
  // A framebuffer of the caller's, a viewport, blending and a scissor, as ImGui would leave them.
  GLuint tex = 0, fbo = 0;
  glCreateTextures(GL_TEXTURE_2D, 1, &tex);
  glTextureStorage2D(tex, 1, GL_RGBA8, 8, 8);
  glCreateFramebuffers(1, &fbo);
  glNamedFramebufferTexture(fbo, GL_COLOR_ATTACHMENT0, tex, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, fbo);
  glViewport(1, 2, 3, 4);
  glScissor(2, 3, 4, 5);
  glEnable(GL_BLEND);
  glEnable(GL_SCISSOR_TEST);
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ZERO);
  glBlendEquationSeparate(GL_FUNC_REVERSE_SUBTRACT, GL_MAX);
  GLuint caller_tb = 0;  // a buffer texture of the caller's on unit 4 (the tile lists' unit)
  glCreateTextures(GL_TEXTURE_BUFFER, 1, &caller_tb);
  glActiveTexture(GL_TEXTURE4);
  glBindTexture(GL_TEXTURE_BUFFER, caller_tb);
  glActiveTexture(GL_TEXTURE1);
  glBindTexture(GL_TEXTURE_2D, tex);

  Scene s = two_kernel_scene();
  R.render_field(s);
  {
    test::TilingGuard tg{R};  // the splat pass blends, the tiled one binds the list textures
    Scene cut = s;
    cut.cutoff_sigma = 2.0;
    for (gl::Tiling t : {gl::Tiling::Splat, gl::Tiling::On}) {
      R.set_tiling(t);
      R.render_field(cut);
    }
  }
  View v;
  R.render_colormap(v, view_range(v, R.read_field()));
  (void)R.read_image();

  GLint draw = 0, read = 0, vp[4] = {}, sc[4] = {}, active = 0, bound = 0, prog = -1;
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw);
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read);
  glGetIntegerv(GL_VIEWPORT, vp);
  glGetIntegerv(GL_SCISSOR_BOX, sc);
  glGetIntegerv(GL_ACTIVE_TEXTURE, &active);
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &bound);
  glGetIntegerv(GL_CURRENT_PROGRAM, &prog);
  CHECK(GLuint(draw) == fbo);
  CHECK(GLuint(read) == fbo);
  CHECK(vp[0] == 1);
  CHECK(vp[3] == 4);
  CHECK(sc[0] == 2);
  CHECK(sc[3] == 5);
  CHECK(glIsEnabled(GL_BLEND) == GL_TRUE);
  CHECK(glIsEnabled(GL_SCISSOR_TEST) == GL_TRUE);
  CHECK(active == GL_TEXTURE1);
  CHECK(GLuint(bound) == tex);
  CHECK(prog == 0);
  GLint blend[6] = {};
  glGetIntegerv(GL_BLEND_SRC_RGB, &blend[0]);
  glGetIntegerv(GL_BLEND_DST_RGB, &blend[1]);
  glGetIntegerv(GL_BLEND_SRC_ALPHA, &blend[2]);
  glGetIntegerv(GL_BLEND_DST_ALPHA, &blend[3]);
  glGetIntegerv(GL_BLEND_EQUATION_RGB, &blend[4]);
  glGetIntegerv(GL_BLEND_EQUATION_ALPHA, &blend[5]);
  CHECK(blend[0] == GL_SRC_ALPHA);
  CHECK(blend[1] == GL_ONE_MINUS_SRC_ALPHA);
  CHECK(blend[2] == GL_ONE);
  CHECK(blend[3] == GL_ZERO);
  CHECK(blend[4] == GL_FUNC_REVERSE_SUBTRACT);
  CHECK(blend[5] == GL_MAX);
  GLint tb = 0;
  glActiveTexture(GL_TEXTURE4);
  glGetIntegerv(GL_TEXTURE_BINDING_BUFFER, &tb);
  CHECK(GLuint(tb) == caller_tb);
  glBindTexture(GL_TEXTURE_BUFFER, 0);
  glDeleteTextures(1, &caller_tb);
  glActiveTexture(GL_TEXTURE1);
  glBlendFunc(GL_ONE, GL_ZERO);
  glBlendEquation(GL_FUNC_ADD);
  CHECK(glGetError() == GL_NO_ERROR);

  glBindTexture(GL_TEXTURE_2D, 0);
  glActiveTexture(GL_TEXTURE0);
  glDisable(GL_BLEND);
  glDisable(GL_SCISSOR_TEST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDeleteFramebuffers(1, &fbo);
  glDeleteTextures(1, &tex);
}

TEST_CASE("gl: a fresh renderer has no field; renderers move") {
  GM_GL_OR_SKIP();
  gl::MixtureRenderer fresh(::gm::test::gl_env().context->loader());
  CHECK_THROWS_AS((void)fresh.read_field(), GlError);
  CHECK_THROWS_AS((void)fresh.read_image(), GlError);
  CHECK_THROWS_AS(fresh.render_colormap(View{}, ValueRange{0, 1}), GlError);
  CHECK(fresh.last_gpu_ms() == -1);
  CHECK(fresh.field_texture() == 0);
  gl::MixtureRenderer moved(std::move(fresh));
  Scene s = two_kernel_scene();
  moved.render_field(s);
  FieldError e = compare(moved.read_field(), evaluate_reference(s).field);
  MESSAGE("moved renderer: max error / peak " << e.max_rel_peak << " (budget "
                                              << test::kGpuFixedScenes << ")");
  CHECK(e.max_rel_peak <= test::kGpuFixedScenes);
  CHECK(moved.field_texture() != 0);
}

TEST_CASE("gl: the headless context reports its platform and renderer") {
  GM_GL_OR_SKIP();
  std::string platform = ::gm::test::gl_env().context->platform();
  CHECK((platform == "surfaceless" || platform == "device"));
  CHECK(R.ubo_capacity() == 204);
  MESSAGE("headless GL: platform " << platform << ", renderer " << R.renderer_name()
                                   << ", uniform-block capacity " << R.ubo_capacity()
                                   << " kernels");
}
