// test_tiles.cpp — tiled binning (many kernels on the GPU). The tiled loop against the
// float64 reference with 10,000 kernels (every combine rule, point and area sampling, rotated
// kernels); the tiled field bit-identical to the untiled loop on random scenes (reversed domains,
// odd sizes, 1x1, degenerate domains, kernels straddling tile and image borders, kernels wholly
// outside, negative weights, hidden kernels), with strips too; the automatic choice; the CPU
// binning itself (conservative boxes, ascending lists, the entry cap). The same for the texel
// fetches and the splat pass; the splat refused where the blend probe fails. The timing ratio
// 10,000 vs 64 kernels is printed, never asserted.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "core/field.hpp"
#include "core/kernel_math.hpp"
#include "core/reference.hpp"
#include "core/scene.hpp"
#include "error_budgets.hpp"
#include "gl/kernel_block.hpp"
#include "gl/rim_pixels.hpp"
#include "gl/tile_binning.hpp"
#include "gl_test_env.hpp"

using namespace gm;

namespace {

using test::Rng;

bool same_bits(const Field& a, const Field& b) {
  return a.width == b.width && a.height == b.height &&
         std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0;
}

int differing_pixels(const Field& a, const Field& b) {
  int n = 0;
  for (std::size_t i = 0; i < std::min(a.data.size(), b.data.size()); ++i)
    n += std::memcmp(&a.data[i], &b.data[i], sizeof(float)) != 0 ? 1 : 0;
  return n;
}

// n kernels of sigma [smin, smax] (pixel units of the default domain) spread over the image and
// `spill` of its size beyond every border.
Scene many_kernels(int w, int h, int n, double smin, double smax, bool rotated, Rng& rng,
                   double spill = 0.05) {
  Scene s;
  s.width = w, s.height = h;
  s.cutoff_sigma = 3.0;
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = rng.uniform(-spill, 1 + spill) * (w - 1);
    k.cy = rng.uniform(-spill, 1 + spill) * (h - 1);
    k.sx = rng.uniform(smin, smax), k.sy = rng.uniform(smin, smax);
    k.angle_deg = rotated && rng.chance(0.7) ? rng.uniform(-180, 180) : 0.0;
    k.weight = rng.uniform(0.2, 1.0);
    s.kernels.push_back(k);
  }
  return s;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("gl tiles: 10,000 cut-off kernels, tiled, against the float64 reference") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  Rng rng(0x7115);
  double worst[3] = {0, 0, 0};  // point, area axis-aligned, area with rotated kernels
  int scenes = 0;
  for (int mode = 0; mode < 3; ++mode) {
    for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
      // Rotated area sampling: the reference's adaptive quadrature is slow, so a smaller image
      // (same kernel density, 2,500 kernels).
      const bool rot = mode == 2;
      Scene s = rot ? many_kernels(128, 96, 2500, 1.5, 3.0, true, rng)
                    : many_kernels(256, 192, 10000, 1.5, 3.0, false, rng);
      s.combine = c;
      s.sampling = mode == 0 ? Sampling::Point : Sampling::Area;
      s.normalization = c == Combine::ProbOr ? Normalization::Peak : Normalization::Pdf;
      if (c == Combine::Max)  // a few negative kernels: max(0, ...) where they are cut off
        for (std::size_t i = 0; i < s.kernels.size(); i += 7) s.kernels[i].weight = -0.5;
      R.set_tiling(gl::Tiling::Auto);
      R.render_field(s);
      INFO("mode " << mode << " combine " << to_string(c) << " " << s.width << "x" << s.height
                   << ", " << s.kernels.size() << " kernels");
      CHECK(R.last_used_tiles());
      Field got = R.read_field();
      FieldError e = compare(got, evaluate_reference(s).field);
      INFO("max error / peak " << e.max_rel_peak);
      CHECK(e.max_rel_peak <= (mode == 0 ? test::kGpuTiledPoint : test::kGpuTiledArea));
      worst[mode] = std::max(worst[mode], e.max_rel_peak);
      ++scenes;
    }
  }
  MESSAGE("tiled vs reference (" << scenes << " scenes, 10,000 kernels at 256x192; rotated area "
                                 << "2,500 at 128x96): worst max error / peak = " << worst[0]
                                 << " (point), " << worst[1] << " (area), " << worst[2]
                                 << " (area, rotated); budgets " << test::kGpuTiledPoint
                                 << " (point), " << test::kGpuTiledArea << " (area)");
}

TEST_CASE(
    "gl tiles: tiles, texel fetches and the splat give the untiled loop's field bit for bit on "
    "random scenes") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  Rng rng(0xb17);
  int scenes = 0, tiled = 0, splats = 0, differing = 0;
  const bool llvmpipe = R.renderer_name().find("llvmpipe") != std::string::npos;
  for (int index = 0; index < 72; ++index) {
    Scene s;
    s.combine = Combine(index % 3);
    s.sampling = Sampling((index / 3) % 2);
    s.normalization = Normalization((index / 6) % 2);
    const bool rotated = (index / 12) % 2 != 0;
    const bool rot_area = rotated && s.sampling == Sampling::Area;
    s.cutoff_sigma = rng.uniform(0.7, 4.0);
    // Sizes: 1x1, odd, thin, tile multiples and not.
    const int kind = index % 6;
    if (index < 3) {
      s.width = s.height = 1;
    } else if (kind == 0) {
      s.width = rng.integer(1, 3), s.height = rng.integer(20, 70);
    } else if (kind == 1) {
      s.width = 64, s.height = 48;  // whole tiles
    } else {
      s.width = rot_area ? rng.integer(9, 40) : rng.integer(9, 130);
      s.height = rot_area ? rng.integer(7, 33) : rng.integer(7, 100);
    }
    // Domains: pixel indices, reversed, linspace, degenerate (x0 == x1: every column at x0).
    const int dom = rng.integer(0, 4);
    if (dom == 1) {
      s.domain_x = std::array<double, 2>{3.0 * s.width, -0.5};
      s.domain_y = std::array<double, 2>{2.0 * s.height, 1.0};
    } else if (dom == 2) {
      s.domain_x = std::array<double, 2>{-2.0, 2.0};
      s.domain_y = std::array<double, 2>{1.5, -1.5};
    } else if (dom == 3) {
      s.domain_x = std::array<double, 2>{1.0, 1.0};
      s.domain_y = std::array<double, 2>{-4.0, 4.0};
    }
    const auto [x0, x1] = s.x_range();
    const auto [y0, y1] = s.y_range();
    const Grid g = Grid::of(s);
    const double ex = std::max(std::abs(x1 - x0), g.cell_w),
                 ey = std::max(std::abs(y1 - y0), g.cell_h);
    const int n = rng.integer(20, rot_area ? 60 : 300);
    for (int i = 0; i < n; ++i) {
      Kernel k;
      const int where = rng.integer(0, 5);
      if (where == 0) {  // wholly outside the image
        k.cx = std::min(x0, x1) - rng.uniform(0.3, 2.0) * ex;
        k.cy = std::min(y0, y1) + rng.uniform(-1.0, 2.0) * ey;
      } else if (where == 1) {  // on a tile border (pixel-index units of the default grid)
        const int col = 8 * rng.integer(0, s.width / 8 + 1),
                  row = 8 * rng.integer(0, s.height / 8 + 1);
        k.cx = g.x(col) - 0.5 * g.dx, k.cy = g.y(row) - 0.5 * g.dy;
      } else if (where == 2) {  // straddling the image border
        k.cx = rng.chance(0.5) ? x0 : x1;
        k.cy = std::min(y0, y1) + rng.uniform(0, 1) * ey;
      } else {
        k.cx = std::min(x0, x1) + rng.uniform(-0.1, 1.1) * ex;
        k.cy = std::min(y0, y1) + rng.uniform(-0.1, 1.1) * ey;
      }
      const double scale = rng.chance(0.1) ? 0.4 : 0.06;  // mostly small, some large
      k.sx = std::max(rng.uniform(0.2, 1.0) * scale * ex, 0.3 * g.cell_w);
      k.sy = std::max(rng.uniform(0.2, 1.0) * scale * ey, 0.3 * g.cell_h);
      k.angle_deg = rotated ? rng.uniform(-170, 170) : 0.0;
      // Max with weights >= 0 in half of its scenes (those may take the splat).
      const bool positive = s.combine == Combine::Max && index % 4 < 2;
      k.weight = s.combine == Combine::ProbOr ? rng.uniform(0.05, 1.0)
                 : positive                   ? rng.uniform(0.0, 1.5)
                                              : rng.uniform(-0.8, 1.5);
      k.visible = !rng.chance(0.05);
      s.kernels.push_back(k);
    }
    std::ostringstream what;
    what << "scene #" << index << ": " << s.width << "x" << s.height << " " << to_string(s.combine)
         << " " << to_string(s.sampling) << " rotated " << rotated << " cutoff " << *s.cutoff_sigma
         << " kernels " << n << " domain " << dom;
    INFO(what.str());
    // The untiled loop reading blocks is the baseline; every other path must give its bits.
    R.set_fetch(gl::Fetch::Blocks);
    R.set_tiling(gl::Tiling::Off);
    R.render_field(s);
    CHECK_FALSE(R.last_used_tiles());
    CHECK_FALSE(R.last_used_texels());
    Field untiled = R.read_field();
    auto check_path = [&](gl::Fetch fetch, gl::Tiling tiling, const char* path) {
      R.set_fetch(fetch);
      R.set_tiling(tiling);
      R.render_field(s);
      INFO(path);
      CHECK(R.last_used_texels() == (fetch == gl::Fetch::Texels));
      if (tiling == gl::Tiling::On) CHECK(R.last_used_tiles());
      const bool splat_scene =
          s.sampling == Sampling::Point &&
          (s.combine != Combine::Max ||
           std::all_of(s.kernels.begin(), s.kernels.end(), [&](const Kernel& k) {
             return !k.visible || resolve(k, s.normalization, s.cutoff_sigma).amp >= 0;
           }));
      if (tiling == gl::Tiling::Splat) {
        // Only where the scene allows it, and (llvmpipe: always) where the blend is exact.
        CHECK((!R.last_used_splat() || splat_scene));
        if (llvmpipe) CHECK(R.last_used_splat() == splat_scene);
        splats += R.last_used_splat() ? 1 : 0;
      }
      const int diff = differing_pixels(untiled, R.read_field());
      CHECK(diff == 0);
      differing += diff;
    };
    check_path(gl::Fetch::Blocks, gl::Tiling::On, "tiles, blocks");
    tiled += R.last_used_tiles() ? 1 : 0;
    check_path(gl::Fetch::Texels, gl::Tiling::Off, "loop, texels");
    check_path(gl::Fetch::Texels, gl::Tiling::On, "tiles, texels");
    check_path(gl::Fetch::Texels, gl::Tiling::Splat, "splat, texels");
    check_path(gl::Fetch::Texels, gl::Tiling::Auto, "auto, texels");
    ++scenes;
  }
  MESSAGE("tiles, texels, splat vs the untiled loop: "
          << scenes << " random scenes (" << tiled << " tiled, " << splats << " splatted), "
          << differing << " pixels differing in any bit");
}

TEST_CASE("gl tiles: strips over tiles equal one pass, bit for bit") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  Rng rng(0x57);
  for (Sampling sm : {Sampling::Point, Sampling::Area}) {
    Scene s = many_kernels(203, 77, 3000, 1.0, 4.0, sm == Sampling::Area, rng, 0.1);
    s.sampling = sm;
    s.combine = sm == Sampling::Point ? Combine::Max : Combine::Sum;
    R.set_tiling(gl::Tiling::On);
    R.set_strip_rows(0);
    R.render_field(s);
    REQUIRE(R.last_used_tiles());
    Field one = R.read_field();
    for (int rows : {5, 8, 13}) {
      R.set_strip_rows(rows);
      R.render_field(s);
      INFO("sampling " << to_string(sm) << ", " << rows << " rows per strip");
      CHECK(R.last_used_tiles());
      CHECK(R.last_strip_count() == (77 + rows - 1) / rows);
      CHECK(same_bits(one, R.read_field()));
    }
    R.set_strip_rows(0);
    R.set_tiling(gl::Tiling::Off);
    R.render_field(s);
    CHECK(same_bits(one, R.read_field()));
  }
}

TEST_CASE("gl tiles: the automatic choice, and forcing either path") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  Rng rng(0xa070);
  Scene s = many_kernels(300, 200, 2000, 1.0, 3.0, false, rng);
  R.set_tiling(gl::Tiling::Auto);
  R.render_field(s);
  CHECK(R.last_used_tiles());  // many small cut-off kernels
  Field a = R.read_field();
  s.cutoff_sigma.reset();  // no cutoff: every kernel reaches every pixel, never tiled
  R.set_tiling(gl::Tiling::On);
  R.render_field(s);
  CHECK_FALSE(R.last_used_tiles());
  s.cutoff_sigma = 3.0;
  R.set_tiling(gl::Tiling::Off);
  R.render_field(s);
  CHECK_FALSE(R.last_used_tiles());
  CHECK(same_bits(a, R.read_field()));
  // Few small kernels: tiled, or splatted where the GL blends exactly (either way only the area
  // they reach is drawn).
  s.kernels.resize(8);
  R.set_tiling(gl::Tiling::Auto);
  R.render_field(s);
  CHECK((R.last_used_tiles() || R.last_used_splat()));
  // Few kernels covering the image: the untiled loop (uniform buffer).
  for (Kernel& k : s.kernels) k.sx = k.sy = 200.0;
  R.render_field(s);
  CHECK_FALSE(R.last_used_tiles());
  CHECK_FALSE(R.last_used_ssbo());
  // Huge cut-off kernels: every list holds every kernel; Auto keeps the untiled loop.
  Scene big = many_kernels(64, 64, 300, 200, 400, false, rng);
  R.render_field(big);
  CHECK_FALSE(R.last_used_tiles());
}

TEST_CASE("gl tiles: timing, 10,000 vs 64 cut-off kernels at 1024x1024 (informative)") {
  GM_GL_OR_SKIP();
  test::TilingGuard tg{R};
  Rng rng(0x10000);
  double ms[2] = {0, 0};
  std::string path[2];
  const int counts[2] = {64, 10000};
  for (int i = 0; i < 2; ++i) {
    Scene s = many_kernels(1024, 1024, counts[i], 3.0, 3.0, false, rng, 0.0);
    R.render_field(s);  // first use of the size and the variant
    (void)R.read_field();
    double best = 1e30;
    for (int rep = 0; rep < 3; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      R.render_field(s);
      (void)R.read_field();
      best = std::min(best, ms_since(t0));
    }
    CHECK((R.last_used_tiles() || R.last_used_splat()));
    path[i] = R.last_used_splat() ? "splat" : "tiles";
    ms[i] = best;
  }
  MESSAGE("1024x1024, sigma 3, cutoff 3, render + readback: 64 kernels "
          << ms[0] << " ms (" << path[0] << "), 10,000 kernels " << ms[1] << " ms (" << path[1]
          << "), ratio " << ms[1] / ms[0] << " on " << R.renderer_name());
}

TEST_CASE("tiles: CPU binning: conservative boxes, ascending lists, split, cap") {
  Rng rng(0xb1);
  for (int trial = 0; trial < 40; ++trial) {
    Scene s;
    s.width = rng.integer(1, 90), s.height = rng.integer(1, 70);
    if (trial % 3 == 1) {
      s.domain_x = std::array<double, 2>{5.0, -5.0};
      s.domain_y = std::array<double, 2>{-2.0, 7.0};
    }
    s.cutoff_sigma = rng.uniform(0.5, 3.5);
    const auto [x0, x1] = s.x_range();
    const auto [y0, y1] = s.y_range();
    const Grid g = Grid::of(s);
    for (int i = 0; i < 60; ++i) {
      Kernel k;
      k.cx = x0 + rng.uniform(-0.3, 1.3) * (x1 - x0);
      k.cy = y0 + rng.uniform(-0.3, 1.3) * (y1 - y0);
      k.sx = rng.uniform(0.3, 6.0) * std::max(g.cell_w, 1e-3);
      k.sy = rng.uniform(0.3, 6.0) * std::max(g.cell_h, 1e-3);
      k.angle_deg = rng.chance(0.5) ? rng.uniform(-90, 90) : 0.0;
      s.kernels.push_back(k);
    }
    std::vector<gl::KernelGpu> packed = gl::pack_kernels(s);
    const int axis =
        int(std::stable_partition(packed.begin(), packed.end(),
                                  [](const gl::KernelGpu& k) { return k.rho == 0.0f; }) -
            packed.begin());
    gl::TileLists lists;
    REQUIRE(gl::bin_kernels(packed, axis, *s.cutoff_sigma, gl::pixel_frame(s), s.width, s.height,
                            gl::kTileSize, std::uint64_t(1) << 30, lists));
    REQUIRE(lists.offsets.size() == std::size_t(2 * lists.tiles() + 1));
    CHECK(lists.offsets.back() == lists.indices.size());
    // Every pixel where a kernel is within its cutoff (float64) lies in a tile whose list has it.
    std::vector<Gaussian> gs;
    for (const Kernel& k : s.kernels) gs.push_back(resolve(k, s.normalization, s.cutoff_sigma));
    std::stable_partition(gs.begin(), gs.end(), [](const Gaussian& q) { return q.axis_aligned; });
    int missing = 0;
    for (int row = 0; row < s.height; ++row)
      for (int col = 0; col < s.width; ++col) {
        const int t = (row / lists.tile) * lists.tiles_x + col / lists.tile;
        const std::uint32_t* b = lists.indices.data() + lists.offsets[std::size_t(2 * t)];
        const std::uint32_t* m = lists.indices.data() + lists.offsets[std::size_t(2 * t + 1)];
        const std::uint32_t* e = lists.indices.data() + lists.offsets[std::size_t(2 * t + 2)];
        CHECK(std::is_sorted(b, m));
        CHECK(std::is_sorted(m, e));
        for (std::size_t i = 0; i < gs.size(); ++i) {
          const double x = g.dx != 0 ? g.x(col) : x0, y = g.dy != 0 ? g.y(row) : y0;
          if (gs[i].d2(x, y) <= gs[i].cutoff_d2 * (1 + 1e-4) && std::find(b, e, i) == e) ++missing;
        }
      }
    CHECK(missing == 0);
    // Split: axis-aligned indices first in every list.
    for (int t = 0; t < lists.tiles(); ++t) {
      for (std::uint32_t i = lists.offsets[std::size_t(2 * t)];
           i < lists.offsets[std::size_t(2 * t + 1)]; ++i)
        CHECK(int(lists.indices[i]) < axis);
      for (std::uint32_t i = lists.offsets[std::size_t(2 * t + 1)];
           i < lists.offsets[std::size_t(2 * t + 2)]; ++i)
        CHECK(int(lists.indices[i]) >= axis);
    }
    // The cap: one entry short of what is needed -> false, nothing kept.
    if (!lists.indices.empty()) {
      gl::TileLists capped;
      CHECK_FALSE(gl::bin_kernels(packed, axis, *s.cutoff_sigma, gl::pixel_frame(s), s.width,
                                  s.height, gl::kTileSize, lists.entries() - 1, capped));
      CHECK(capped.indices.empty());
    }
  }
}

TEST_CASE("gl tiles: the drawn rectangles cover exactly the non-empty tiles, once each") {
  Rng rng(0x7ec7);
  int cases = 0;
  std::size_t rects = 0, tiles = 0;
  for (int index = 0; index < 40; ++index) {
    const int w = rng.integer(1, 300), h = rng.integer(1, 200);
    Scene s = many_kernels(w, h, rng.integer(0, 60), 0.5, rng.chance(0.3) ? 30.0 : 4.0, false, rng);
    const std::vector<gl::KernelGpu> packed = gl::pack_kernels(s);
    gl::TileLists lists;
    REQUIRE(gl::bin_kernels(packed, int(packed.size()), *s.cutoff_sigma, gl::pixel_frame(s), w, h,
                            4, std::uint64_t(1) << 30, lists));
    const std::vector<std::int32_t> r = gl::nonempty_rects(lists);
    REQUIRE(r.size() % 4 == 0);
    std::vector<int> covered(std::size_t(lists.tiles()), 0);
    for (std::size_t i = 0; i < r.size(); i += 4) {
      REQUIRE(0 <= r[i]);
      REQUIRE(r[i] < r[i + 1]);
      REQUIRE(r[i + 1] <= lists.tiles_x);
      REQUIRE(0 <= r[i + 2]);
      REQUIRE(r[i + 2] < r[i + 3]);
      REQUIRE(r[i + 3] <= lists.tiles_y);
      for (int y = r[i + 2]; y < r[i + 3]; ++y)
        for (int x = r[i]; x < r[i + 1]; ++x) ++covered[std::size_t(y * lists.tiles_x + x)];
    }
    int wrong = 0;
    for (std::size_t t = 0; t < covered.size(); ++t) {
      const int want = lists.offsets[2 * t + 2] > lists.offsets[2 * t] ? 1 : 0;
      wrong += covered[t] != want ? 1 : 0;
      tiles += std::size_t(want);
    }
    CHECK(wrong == 0);
    rects += r.size() / 4;
    ++cases;
  }
  MESSAGE(cases << " binnings: " << tiles << " non-empty tiles drawn as " << rects
                << " rectangles, each exactly once");
}

TEST_CASE("gl splat: a GL whose blend does not fold as the loop does never takes the splat") {
  GM_GL_OR_SKIP();
  ::setenv("GAUSSMAP_GL_SIMULATE", "inexact-blend", 1);
  std::unique_ptr<gl::MixtureRenderer> inexact;
  try {
    inexact = std::make_unique<gl::MixtureRenderer>(test::gl_env().context->loader());
  } catch (...) {
    ::unsetenv("GAUSSMAP_GL_SIMULATE");
    throw;
  }
  ::unsetenv("GAUSSMAP_GL_SIMULATE");
  test::TilingGuard tg{R};
  // The splat needs the texel fetch, which Auto takes on software GL only: forced, so that the
  // probe runs on every GL (on a hardware GPU Auto would never offer the splat at all).
  inexact->set_fetch(gl::Fetch::Texels);
  R.set_fetch(gl::Fetch::Texels);
  Scene s;  // a few wide cut-off kernels on a large picture: Auto's cost model picks the splat
  s.width = 640, s.height = 480;
  s.cutoff_sigma = 3.0;
  s.combine = Combine::ProbOr;
  s.normalization = Normalization::Peak;
  for (int i = 0; i < 3; ++i) {
    Kernel k;
    k.cx = 200 + 90 * i, k.cy = 150 + 70 * i, k.sx = 30, k.sy = 45, k.weight = 0.4 + 0.2 * i;
    s.kernels.push_back(k);
  }
  const bool llvmpipe = R.renderer_name().find("llvmpipe") != std::string::npos;
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
    s.combine = c;
    R.set_tiling(gl::Tiling::Off);
    R.render_field(s);
    const Field loop = R.read_field();
    for (gl::Tiling t : {gl::Tiling::Auto, gl::Tiling::Splat}) {
      INFO(to_string(c) << (t == gl::Tiling::Auto ? ", auto" : ", splat forced"));
      inexact->set_tiling(t);
      inexact->render_field(s);
      CHECK_FALSE(inexact->last_used_splat());
      CHECK(same_bits(inexact->read_field(), loop));
      R.set_tiling(t);  // the real probe on this GL: llvmpipe blends exactly
      R.render_field(s);
      if (llvmpipe) CHECK(R.last_used_splat());
      CHECK(same_bits(R.read_field(), loop));
    }
  }
  // Max with a negative weight: a pixel outside every box would get the cleared 0, the loop's
  // max over negative values there is below it: never splatted, same bits.
  s.combine = Combine::Max;
  s.cutoff_sigma = 50.0;  // every box covers the picture, no kernel is cut off anywhere
  for (Kernel& k : s.kernels) k.weight = -k.weight;
  R.set_tiling(gl::Tiling::Off);
  R.render_field(s);
  const Field loop = R.read_field();
  R.set_tiling(gl::Tiling::Splat);
  R.render_field(s);
  CHECK_FALSE(R.last_used_splat());
  CHECK(same_bits(R.read_field(), loop));
}

TEST_CASE("rim pixels: the list equals a scan of every pixel with the reference's own d2") {
  // GL-free. rim_pixels solves each row's band columns from the quadratic and checks only those
  // (with a margin for the roots' rounding); a scan of every pixel is the independent answer.
  Rng rng(0x51a);
  int listed = 0, scenes = 0;
  for (int trial = 0; trial < 160; ++trial) {
    Scene s;
    s.width = rng.integer(1, 90), s.height = rng.integer(1, 70);
    const int dom = trial % 4;  // pixel indices, reversed, far offset with tiny steps, degenerate
    if (dom == 1) {
      s.domain_x = std::array<double, 2>{2.0 * s.width, -3.0};
      s.domain_y = std::array<double, 2>{1.5 * s.height, 0.5};
    } else if (dom == 2) {
      s.domain_x = std::array<double, 2>{1e7, 1e7 + 1e-3 * s.width};
      s.domain_y = std::array<double, 2>{-1e7 - 2e-3 * s.height, -1e7};
    } else if (dom == 3) {
      s.domain_x = std::array<double, 2>{4.0, 4.0};
    }
    s.cutoff_sigma = trial % 2 == 0 ? double(1 + trial % 3) : rng.uniform(0.5, 4.0);
    const Grid g = Grid::of(s);
    const double ex = std::max(std::abs(g.dx) * s.width, g.cell_w),
                 ey = std::max(std::abs(g.dy) * s.height, g.cell_h);
    std::vector<Gaussian> gs;
    for (int i = 0, n = rng.integer(1, 12); i < n; ++i) {
      Kernel k;
      // Half of the kernels on pixel centres with whole-pixel sigmas: rims through pixel centres.
      const bool exact = rng.chance(0.5);
      k.cx = exact ? g.x(rng.integer(0, s.width - 1)) : g.x(0) + rng.uniform(-0.2, 1.2) * ex;
      k.cy = exact ? g.y(rng.integer(0, s.height - 1)) : g.y(0) + rng.uniform(-0.2, 1.2) * ey;
      k.sx = exact ? rng.integer(1, 6) * std::max(std::abs(g.dx), g.cell_w)
                   : rng.uniform(0.02, 0.4) * ex;
      k.sy = exact ? rng.integer(1, 6) * std::max(std::abs(g.dy), g.cell_h)
                   : rng.uniform(0.02, 0.4) * ey;
      k.angle_deg = rng.chance(0.5) ? 0.0 : rng.uniform(-180, 180);
      gs.push_back(resolve(k, s.normalization, s.cutoff_sigma));
    }
    Window win{0, 0, s.height, s.width};
    if (trial % 5 == 4 && s.width > 4 && s.height > 4)
      win = Window{s.height / 3, s.width / 4, s.height / 2, s.width / 2};
    std::vector<std::int32_t> got;
    REQUIRE(gl::rim_pixels(gs, g, *s.cutoff_sigma, win, std::size_t(s.width) * s.height, got));
    std::vector<std::int32_t> want;
    for (int row = win.row0; row < win.row0 + win.rows; ++row)
      for (int col = win.col0; col < win.col0 + win.cols; ++col)
        for (const Gaussian& q : gs)
          if (std::abs(q.d2(g.x(col), g.y(row)) - q.cutoff_d2) <=
              gl::kRimListTolerance * q.cutoff_d2) {
            want.insert(want.end(), {col, row});
            break;
          }
    INFO("trial " << trial << ": " << s.width << "x" << s.height << " domain " << dom);
    CHECK(got == want);
    listed += int(want.size() / 2);
    ++scenes;
  }
  MESSAGE(scenes << " scenes: " << listed << " rim pixels, every one listed, none extra");
  CHECK(listed > 100);
}
