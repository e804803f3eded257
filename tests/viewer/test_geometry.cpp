// test_geometry.cpp — canvas math without a window: screen <-> pixel <-> domain with letterbox,
// pan and zoom (exact to 1e-9), zoom about the cursor, kernel axes, ellipses and shape handles.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "core/kernel_math.hpp"
#include "viewer/kernel_shape.hpp"
#include "viewer/view_transform.hpp"

using gm::viewer::Handle;
using gm::viewer::Rect;
using gm::viewer::Vec2;
using gm::viewer::ViewTransform;

namespace {
void check_close(Vec2 a, Vec2 b, double tol) {
  CHECK(std::abs(a.x - b.x) <= tol);
  CHECK(std::abs(a.y - b.y) <= tol);
}
}  // namespace

TEST_CASE("view: letterbox fits the image into the canvas, centred, square pixels") {
  ViewTransform vt;
  vt.set_canvas({380, 0, 1020, 860});
  vt.set_grid(640, 480, {0, 639}, {0, 479});
  // 1020/640 = 1.59375 < 860/480: width-limited.
  CHECK(vt.scale() == doctest::Approx(1020.0 / 640));
  Rect r = vt.image_rect();
  CHECK(r.x == doctest::Approx(380));
  CHECK(r.w == doctest::Approx(1020));
  CHECK(r.y + 0.5 * r.h == doctest::Approx(430));
  // Pixel (0, 0)'s centre is half a pixel inside the top-left corner; the domain defaults to
  // pixel indices so domain == pixel.
  check_close(vt.domain_to_screen({0, 0}), {r.x + 0.5 * vt.scale(), r.y + 0.5 * vt.scale()}, 1e-9);
  check_close(vt.domain_to_screen({639, 479}),
              {r.x + r.w - 0.5 * vt.scale(), r.y + r.h - 0.5 * vt.scale()}, 1e-9);
}

TEST_CASE("view: screen -> domain -> screen is exact to 1e-9 under pan and zoom, any domain") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  for (int trial = 0; trial < 200; ++trial) {
    ViewTransform vt;
    vt.set_canvas({300 + 100 * u(rng), 20 * u(rng), 900 + 200 * u(rng), 700 + 100 * u(rng)});
    int w = 1 + int(1000 * std::abs(u(rng))), h = 1 + int(1000 * std::abs(u(rng)));
    // Reversed, offset and scaled domains.
    vt.set_grid(w, h, {-5 + u(rng), 7 * u(rng) + 10}, {100 * u(rng), -300 + u(rng)});
    vt.set_zoom_pan(std::pow(2.0, 6 * u(rng)), {300 * u(rng), 300 * u(rng)});
    for (int i = 0; i < 20; ++i) {
      Vec2 s{1400 * std::abs(u(rng)), 860 * std::abs(u(rng))};
      Vec2 d = vt.screen_to_domain(s);
      check_close(vt.domain_to_screen(d), s, 1e-9);
      Vec2 p = vt.screen_to_pixel(s);
      check_close(vt.pixel_to_screen(p), s, 1e-9);
    }
  }
}

TEST_CASE("view: zoom about the cursor keeps the domain point under it fixed") {
  ViewTransform vt;
  vt.set_canvas({380, 0, 1020, 860});
  vt.set_grid(800, 400, {-2, 2}, {1, -1});
  Vec2 cursor{900.25, 300.75};
  Vec2 before = vt.screen_to_domain(cursor);
  for (double f : {1.1, 1.1, 2.0, 0.5, 0.9, 1e-6 /* clamped */, 1e6 /* clamped */}) {
    vt.zoom_about(cursor, f);
    Vec2 after = vt.screen_to_domain(cursor);
    CHECK(std::abs(after.x - before.x) <= 1e-9);
    CHECK(std::abs(after.y - before.y) <= 1e-9);
    check_close(vt.domain_to_screen(before), cursor, 1e-9);
  }
  CHECK(vt.zoom() == ViewTransform::kMaxZoom);
  vt.fit();
  CHECK(vt.zoom() == 1);
  CHECK(vt.pan() == Vec2{});
}

TEST_CASE("view: pan moves everything by the drag, in screen pixels") {
  ViewTransform vt;
  vt.set_canvas({0, 0, 1000, 800});
  vt.set_grid(100, 100, {0, 99}, {0, 99});
  Vec2 a = vt.domain_to_screen({10, 20});
  vt.pan_by({13.5, -7.25});
  check_close(vt.domain_to_screen({10, 20}), a + Vec2{13.5, -7.25}, 1e-9);
}

TEST_CASE("shape: axes of sigma and covariance kernels agree with gm::kernel_covariance") {
  gm::Kernel k;
  k.sx = 30, k.sy = 10, k.angle_deg = 25;
  double a, b, c;
  gm::kernel_covariance(k, a, b, c);
  auto ax = gm::viewer::axes_of_covariance(a, b, c);
  CHECK(ax.sx == doctest::Approx(30).epsilon(1e-12));
  CHECK(ax.sy == doctest::Approx(10).epsilon(1e-12));
  CHECK(ax.angle_deg == doctest::Approx(25).epsilon(1e-12));
  double a2, b2, c2;
  gm::viewer::covariance_of(ax, a2, b2, c2);
  CHECK(a2 == doctest::Approx(a).epsilon(1e-12));
  CHECK(b2 == doctest::Approx(b).epsilon(1e-12));
  CHECK(c2 == doctest::Approx(c).epsilon(1e-12));
  // Every ellipse point at k sigma has Mahalanobis distance k.
  for (bool cov : {false, true}) {
    gm::Kernel kk = k;
    kk.cx = 5, kk.cy = -3;
    if (cov) kk.use_covariance = true, kk.cov_xx = 50, kk.cov_xy = -20, kk.cov_yy = 17;
    for (double ks : {1.0, 2.0, 3.0})
      for (auto p : gm::viewer::ellipse_points(kk, ks, 36))
        CHECK(std::sqrt(gm::viewer::mahalanobis2(kk, p)) == doctest::Approx(ks).epsilon(1e-9));
  }
}

TEST_CASE("shape: handle positions and the handle -> sigma/angle inverse") {
  gm::Kernel k;
  k.cx = 100, k.cy = 50, k.sx = 20, k.sy = 8, k.angle_deg = 30;
  Vec2 hx = gm::viewer::handle_position(k, Handle::AxisX);
  Vec2 hy = gm::viewer::handle_position(k, Handle::AxisY);
  check_close(hx, {100 + 20 * std::cos(gm::kPi / 6), 50 + 20 * std::sin(gm::kPi / 6)}, 1e-12);
  check_close(hy, {100 - 8 * std::sin(gm::kPi / 6), 50 + 8 * std::cos(gm::kPi / 6)}, 1e-12);
  // Putting a handle back where it is changes nothing (to rounding).
  gm::Kernel same = gm::viewer::kernel_with_handle(k, Handle::AxisX, hx);
  CHECK(same.sx == doctest::Approx(20).epsilon(1e-12));
  CHECK(same.angle_deg == doctest::Approx(30).epsilon(1e-12));
  same = gm::viewer::kernel_with_handle(k, Handle::AxisY, hy);
  CHECK(same.sy == doctest::Approx(8).epsilon(1e-12));
  CHECK(same.angle_deg == doctest::Approx(30).epsilon(1e-12));
  // Move the x handle to (100, 50) + (0, 40): sx = 40, angle = 90, sy unchanged.
  gm::Kernel m = gm::viewer::kernel_with_handle(k, Handle::AxisX, {100, 90});
  CHECK(m.sx == doctest::Approx(40).epsilon(1e-12));
  CHECK(m.sy == 8);
  CHECK(m.angle_deg == doctest::Approx(90).epsilon(1e-12));
  // The y handle to (100, 50) + (-10, 0): sy = 10, the y axis points along -x, angle 180 - 90 = 90.
  m = gm::viewer::kernel_with_handle(k, Handle::AxisY, {90, 50});
  CHECK(m.sy == doctest::Approx(10).epsilon(1e-12));
  CHECK(m.angle_deg == doctest::Approx(90).epsilon(1e-12));
  // Dropped on the centre: unchanged. Centre handle moves.
  CHECK(gm::viewer::kernel_with_handle(k, Handle::AxisX, {100, 50}) == k);
  m = gm::viewer::kernel_with_handle(k, Handle::Center, {1, 2});
  CHECK(m.cx == 1);
  CHECK(m.cy == 2);
  // Covariance kernels keep their form.
  gm::Kernel c = k;
  c.use_covariance = true, c.cov_xx = 40, c.cov_xy = 0, c.cov_yy = 10;
  m = gm::viewer::kernel_with_handle(c, Handle::AxisX, {100 + 3, 50 + 4});
  CHECK(m.use_covariance);
  auto ax = gm::viewer::kernel_axes(m);
  CHECK(ax.sx == doctest::Approx(5).epsilon(1e-12));
  CHECK(ax.sy == doctest::Approx(std::sqrt(10.0)).epsilon(1e-12));
  CHECK(ax.angle_deg == doctest::Approx(std::atan2(4, 3) * 180 / gm::kPi).epsilon(1e-12));
  CHECK(gm::viewer::normalize_angle_deg(-180) == 180);
  CHECK(gm::viewer::normalize_angle_deg(540) == 180);
  CHECK(gm::viewer::normalize_angle_deg(-190) == doctest::Approx(170));
}
