// test_window.cpp — window renders (MixtureRenderer::render_field with a Window): on random scenes
// (every combine rule and sampling, rotated kernels, with and without a cutoff, uniform-buffer and
// storage-buffer kernel counts, tiled and untiled, strips, reversed / offset / degenerate domains,
// cutoff rims through pixel centres) every window's field is memcmp-equal to the same slice of the
// whole field. Windows outside the grid are refused. Also the renderer's other entry points into
// its field: upload_field (a CPU field made current), and the per-scene shader variant (plain
// float32 within its derived error bound at the largest shear it accepts, extended for needles).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "core/field.hpp"
#include "core/reference.hpp"
#include "core/scene.hpp"
#include "gl/kernel_block.hpp"
#include "gl_test_env.hpp"

using namespace gm;

namespace {

using test::Rng;

// Pixels of `win` in `whole` that differ (bitwise) from `part`; -1 if the sizes do not match.
int differing_from_slice(const Field& whole, const Field& part, const Window& win) {
  if (part.width != win.cols || part.height != win.rows) return -1;
  int n = 0;
  for (int r = 0; r < win.rows; ++r)
    for (int c = 0; c < win.cols; ++c)
      n += std::memcmp(&part.at(r, c), &whole.at(win.row0 + r, win.col0 + c), sizeof(float)) != 0;
  return n;
}

Window random_window(const Scene& s, Rng& rng) {
  Window w;
  w.rows = rng.integer(1, s.height);
  w.cols = rng.integer(1, s.width);
  w.row0 = rng.integer(0, s.height - w.rows);
  w.col0 = rng.integer(0, s.width - w.cols);
  return w;
}

Scene random_scene(int index, Rng& rng) {
  Scene s;
  s.combine = Combine(index % 3);
  s.sampling = Sampling((index / 3) % 2);
  s.normalization = Normalization(rng.integer(0, 1));
  const bool rotated = rng.chance(0.5);
  const bool rot_area = rotated && s.sampling == Sampling::Area;
  if (rng.chance(0.7)) s.cutoff_sigma = rng.uniform(0.7, 4.0);
  s.width = rot_area ? rng.integer(1, 48) : rng.integer(1, 140);
  s.height = rot_area ? rng.integer(1, 40) : rng.integer(1, 110);
  const int dom = rng.integer(0, 4);
  if (dom == 1) {  // reversed
    s.domain_x = std::array<double, 2>{3.0 * s.width, -0.5};
    s.domain_y = std::array<double, 2>{2.0 * s.height, 1.0};
  } else if (dom == 2) {  // far from the origin
    s.domain_x = std::array<double, 2>{1.0e5, 1.0e5 + 2.0};
    s.domain_y = std::array<double, 2>{-3.0e4 + 1.5, -3.0e4 - 1.5};
  } else if (dom == 3) {  // degenerate: every column at x0
    s.domain_x = std::array<double, 2>{1.0, 1.0};
    s.domain_y = std::array<double, 2>{-4.0, 4.0};
  }
  const auto [x0, x1] = s.x_range();
  const auto [y0, y1] = s.y_range();
  const Grid g = Grid::of(s);
  const double ex = std::max(std::abs(x1 - x0), g.cell_w),
               ey = std::max(std::abs(y1 - y0), g.cell_h);
  // Uniform-buffer counts, storage-buffer counts (past 204).
  const int n = rot_area ? rng.integer(1, 40) : (rng.chance(0.5) ? rng.integer(1, 60) : 260);
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx = std::min(x0, x1) + rng.uniform(-0.2, 1.2) * ex;
    k.cy = std::min(y0, y1) + rng.uniform(-0.2, 1.2) * ey;
    const double scale = rng.chance(0.1) ? 0.4 : 0.08;
    k.sx = std::max(rng.uniform(0.2, 1.0) * scale * ex, 0.3 * g.cell_w);
    k.sy = std::max(rng.uniform(0.2, 1.0) * scale * ey, 0.3 * g.cell_h);
    k.angle_deg = rotated ? rng.uniform(-170, 170) : 0.0;
    k.weight = s.combine == Combine::ProbOr ? rng.uniform(0.05, 1.0) : rng.uniform(-0.8, 1.5);
    k.visible = !rng.chance(0.05);
    s.kernels.push_back(k);
  }
  return s;
}

// Checks `windows` random windows (plus the whole grid, its corners and one pixel) of `s` against
// the whole render under the renderer's current tiling and strip settings. Returns the windows
// checked.
int check_windows(gl::MixtureRenderer& R, const Scene& s, Rng& rng, int windows) {
  R.render_field(s);
  const Field whole = R.read_field();
  REQUIRE(whole.width == s.width);
  std::vector<Window> wins = {Window{0, 0, s.height, s.width}, Window{0, 0, 1, 1},
                              Window{s.height - 1, s.width - 1, 1, 1}};
  for (int i = 0; i < windows; ++i) wins.push_back(random_window(s, rng));
  for (const Window& w : wins) {
    R.render_field(s, w);
    const Field part = R.read_field();
    INFO("window row0 " << w.row0 << " col0 " << w.col0 << " rows " << w.rows << " cols " << w.cols
                        << (R.last_used_tiles() ? " (tiled)" : "")
                        << (R.last_used_ssbo() ? " (ssbo)" : ""));
    CHECK(differing_from_slice(whole, part, w) == 0);
  }
  return int(wins.size());
}

}  // namespace

TEST_CASE("gl window: a window's field equals the same slice of the whole field, bit for bit") {
  GM_GL_OR_SKIP();
  test::TilingGuard guard{R};
  Rng rng(0x3d0f);
  int scenes = 0, windows = 0, tiled = 0;
  for (int index = 0; index < 48; ++index) {
    const Scene s = random_scene(index, rng);
    const gl::Tiling modes[3] = {gl::Tiling::Auto, gl::Tiling::Off, gl::Tiling::On};
    R.set_tiling(modes[index % 3]);
    R.set_strip_rows(index % 4 == 3 ? rng.integer(1, 9) : 0);
    std::ostringstream what;
    what << "scene #" << index << ": " << s.width << "x" << s.height << " " << to_string(s.combine)
         << " " << to_string(s.sampling) << " kernels " << s.kernels.size() << " cutoff "
         << (s.cutoff_sigma ? *s.cutoff_sigma : 0.0) << " tiling " << index % 3;
    INFO(what.str());
    windows += check_windows(R, s, rng, 5);
    tiled += R.last_used_tiles() ? 1 : 0;
    ++scenes;
  }
  MESSAGE(windows << " windows of " << scenes << " random scenes equal their slices (" << tiled
                  << " scenes' last window tiled)");
  CHECK(tiled > 0);
}

TEST_CASE("gl window: cutoff rims through pixel centres fall the same way in a window") {
  GM_GL_OR_SKIP();
  test::TilingGuard guard{R};
  Rng rng(0x717);
  // Pixel-index domain, centres on pixels, sigma 1 and k = 2 or 3: d == k exactly at pixel centres,
  // decided by the float64 rim pass. Many kernels so the tiled path takes part.
  for (bool many : {false, true}) {
    Scene s;
    s.width = 70, s.height = 50;
    s.cutoff_sigma = many ? 3.0 : 2.0;
    for (int i = 0; i < (many ? 300 : 12); ++i) {
      Kernel k;
      k.cx = rng.integer(0, s.width - 1), k.cy = rng.integer(0, s.height - 1);
      k.sx = k.sy = 1.0;
      k.weight = rng.uniform(0.2, 1.0);
      s.kernels.push_back(k);
    }
    for (gl::Tiling t : {gl::Tiling::Off, gl::Tiling::On}) {
      R.set_tiling(t);
      INFO("kernels " << s.kernels.size() << " tiling " << int(t));
      check_windows(R, s, rng, 8);
    }
  }
}

TEST_CASE("gl window: windows outside the grid or empty are refused") {
  GM_GL_OR_SKIP();
  Scene s;
  s.width = 20, s.height = 10;
  s.kernels.push_back(Kernel{});
  for (Window w : {Window{0, 0, 0, 5}, Window{0, 0, 5, 0}, Window{-1, 0, 2, 2}, Window{0, -1, 2, 2},
                   Window{9, 0, 2, 2}, Window{0, 19, 2, 2}, Window{0, 0, 11, 20}}) {
    INFO("row0 " << w.row0 << " col0 " << w.col0 << " rows " << w.rows << " cols " << w.cols);
    CHECK_THROWS_AS(R.render_field(s, w), InputError);
  }
  CHECK_NOTHROW(R.render_field(s, Window{9, 19, 1, 1}));
}

TEST_CASE("gl upload_field: an uploaded field reads back and colours like a rendered one") {
  GM_GL_OR_SKIP();
  Scene s = seed_scene();
  s.width = 97, s.height = 61;
  R.render_field(s);
  const Field rendered = R.read_field();
  R.render_colormap(s.view, ValueRange{0, 1});
  const Image colours = R.read_image();
  Field other(s.width, s.height);  // something else in between
  R.upload_field(other);
  R.upload_field(rendered);
  const Field back = R.read_field();
  REQUIRE(back.width == rendered.width);
  REQUIRE(back.height == rendered.height);
  CHECK(std::memcmp(back.data.data(), rendered.data.data(), back.data.size() * sizeof(float)) == 0);
  R.render_colormap(s.view, ValueRange{0, 1});
  CHECK(R.read_image().rgba == colours.rgba);
}

TEST_CASE("gl variants: plain float32 up to the shear bound, extended past it, within the bound") {
  GM_GL_OR_SKIP();
  test::TilingGuard guard{R};
  Rng rng(0x5ea);
  // Kernels of shear |rho| / sqrt(1 - rho^2) just under kPlainMaxShear (aspect ratio 8:1 at 45
  // degrees: shear (64 - 1) / 16 = 3.94), sigma 1.5..12 px, centres anywhere in a wide image far
  // from the domain origin: the plain path's worst case. docs/semantics.md derives its bound:
  // (17 + 6 s) eps / e of the kernel's peak from the offsets, plus exp's own rounding.
  double worst_plain = 0;
  for (int scene = 0; scene < 6; ++scene) {
    Scene s;
    s.width = 400, s.height = 90;
    s.normalization = Normalization::Peak;
    s.domain_x = std::array<double, 2>{3000.0, 3399.0};
    s.domain_y = std::array<double, 2>{-500.0, -411.0};
    for (int i = 0; i < 5; ++i) {
      Kernel k;
      k.cx = rng.uniform(3000, 3399), k.cy = rng.uniform(-500, -411);
      k.sy = rng.uniform(1.5, 12.0), k.sx = 7.9 * k.sy;
      k.angle_deg = rng.chance(0.5) ? 45.0 : -45.0;
      s.kernels.push_back(k);
    }
    R.render_field(s);
    CHECK_FALSE(R.last_used_extended());
    const double e = compare(R.read_field(), evaluate_reference(s).field).max_rel_peak;
    worst_plain = std::max(worst_plain, e);
  }
  const double eps = std::ldexp(1.0, -24);
  const double bound = (17 + 6 * gl::kPlainMaxShear) * eps / std::exp(1.0);
  MESSAGE("plain path at shear 3.94, far-off domain: worst max error / peak = "
          << worst_plain << " (offset bound " << bound << " + exp rounding)");
  CHECK(worst_plain <= bound + 8 * eps);
  // Needles: the extended path.
  Scene n;
  n.width = 200, n.height = 150;
  Kernel k;
  k.cx = 100, k.cy = 75, k.sx = 60, k.sy = 0.5, k.angle_deg = 30;
  n.kernels.push_back(k);
  R.render_field(n);
  CHECK(R.last_used_extended());
  // Axis-aligned: plain.
  n.kernels[0].angle_deg = 0;
  R.render_field(n);
  CHECK_FALSE(R.last_used_extended());
}
