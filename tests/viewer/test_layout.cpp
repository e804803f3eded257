// test_layout.cpp — screen-dependent decisions of the viewer, without a window: the first window
// size on small screens, the panel / canvas / colorbar split down to 1024 x 700, outline thinning
// for large scenes, rounding of what the mouse sets, the Help items, the renderer's advice, the
// canvas image's blit rectangles.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/scene_io.hpp"
#include "viewer/help_text.hpp"
#include "viewer/image_blit.hpp"
#include "viewer/kernel_shape.hpp"
#include "viewer/layout.hpp"
#include "viewer/outline_plan.hpp"
#include "viewer/render_plan.hpp"

using namespace gm::viewer;

TEST_CASE("layout: the window fits the monitor's work area") {
  WindowSize big = initial_window_size(0, 0, 2560, 1400, 1.0f);
  CHECK(big.width == 1400);
  CHECK(big.height == 860);
  WindowSize small = initial_window_size(0, 0, 1024, 768, 1.0f);  // a 1024x768 screen
  CHECK(small.width <= 1024);
  CHECK(small.height <= 768 - 40);  // room for the title bar
  CHECK(small.width >= 1000);
  CHECK(small.height >= 700);
  WindowSize hidpi = initial_window_size(0, 0, 2560, 1440, 2.0f);  // GLFW doubles it on X11
  CHECK(hidpi.width * 2 <= 2560);
  CHECK(hidpi.height * 2 <= 1440);
  WindowSize asked = initial_window_size(1024, 700, 800, 600, 1.0f);
  CHECK(asked.width == 1024);
  CHECK(asked.height == 700);
  WindowSize unknown = initial_window_size(0, 0, 0, 0, 1.0f);
  CHECK(unknown.width == 1400);
}

TEST_CASE("layout: at 1024x700 the canvas and the colorbar with its labels stay in the window") {
  for (double scale : {1.0, 1.25}) {
    CAPTURE(scale);
    CanvasLayout l = canvas_layout(1024, 700, scale);
    CHECK(l.panel_width >= 300 * scale);
    CHECK(l.canvas.x >= l.panel_width);
    CHECK(l.canvas.w >= 380);  // a usable canvas
    CHECK(l.canvas.y + l.canvas.h <= 700);
    // The bar and ~70 px of tick labels right of it.
    CHECK(l.colorbar.x + l.colorbar.w + 70 * scale <= 1024);
    CHECK(l.colorbar.y + l.colorbar.h <= 700);
    CHECK(l.colorbar.h >= 400);
  }
  CanvasLayout wide = canvas_layout(1400, 860, 1.0);
  CHECK(wide.panel_width == 380);
}

TEST_CASE("outlines: thinned past 64 kernels, hidden past 2000 or when the canvas is crowded") {
  const double area = 740.0 * 500.0;  // room for 160 outlines of 48 x 48 px
  CHECK(OutlinePlan::room(area) == 160);
  CHECK(OutlinePlan::room(100.0) == 50);
  OutlinePlan few = OutlinePlan::for_scene(2, true, 2, area);
  CHECK(few.draw_others);
  CHECK(few.all_levels);
  CHECK(few.note.empty());
  OutlinePlan mid = OutlinePlan::for_scene(500, true, 100, area);
  CHECK(mid.draw_others);
  CHECK_FALSE(mid.all_levels);
  CHECK(mid.note.find("500 kernels > 64") != std::string::npos);
  OutlinePlan crowded = OutlinePlan::for_scene(1500, true, 1400, area);
  CHECK_FALSE(crowded.draw_others);
  CHECK(crowded.note == "outlines hidden: 1400 kernels on screen > 160 (zoom in to see them)");
  OutlinePlan zoomed = OutlinePlan::for_scene(1500, true, 40, area);  // most are off screen
  CHECK(zoomed.draw_others);
  OutlinePlan many = OutlinePlan::for_scene(50000, true, 0, area);
  CHECK_FALSE(many.draw_others);
  CHECK(many.note == "outlines hidden: 50000 kernels > 2000 (the selected one is shown)");
  OutlinePlan off = OutlinePlan::for_scene(50000, false, 0, area);
  CHECK_FALSE(off.draw_others);
  CHECK(off.note.empty());
  CHECK_FALSE(OutlinePlan::big_enough(2.9));
  CHECK(OutlinePlan::big_enough(3.0));
  few.report_small(7);
  CHECK(few.note == "7 kernels under 3 px on screen not outlined (zoom in)");
  mid.report_small(1);
  CHECK(mid.note.find("; 1 kernel under 3 px") != std::string::npos);
}

TEST_CASE("rounding: what the mouse sets keeps the digits the zoom justifies") {
  // 0.0437 domain units per pixel: steps of 0.01.
  CHECK(round_to_pixel(200.43280182232346, 0.0437) == 200.43);
  CHECK(round_to_pixel(200.43280182232346, 0.5) == 200.4);
  CHECK(round_to_pixel(200.43280182232346, 1.0) == 200);
  CHECK(round_to_pixel(1234.5, 37.0) == 1230);
  CHECK(round_to_pixel(-0.000123456, 2e-6) == -0.000123);
  CHECK(round_to_pixel(5.0, 0.0) == 5.0);  // no zoom information: unchanged

  gm::Kernel k;
  k.cx = 200.43280182232346, k.cy = 99.99871234, k.sx = 12.3456789, k.sy = 0.004,
  k.angle_deg = 33.333333;
  gm::Kernel c = round_for_screen(k, Handle::Center, Vec2{0.0437, 0.0437});
  CHECK(c.cx == 200.43);
  CHECK(c.cy == 100.0);
  CHECK(c.sx == k.sx);  // a move leaves the shape alone
  gm::Kernel h = round_for_screen(k, Handle::AxisX, Vec2{0.0437, 0.2});
  CHECK(h.cx == k.cx);
  CHECK(h.sx == 12.35);
  CHECK(h.sy == 0.004);  // would round to 0: kept
  CHECK(h.angle_deg == 33.3);

  // What a saved file then holds.
  gm::Scene s = gm::seed_scene();
  s.kernels[0] = c;
  std::string text = gm::scene_to_json_text(s);
  CHECK(text.find("200.43,") != std::string::npos);
  CHECK(text.find("200.4328") == std::string::npos);
}

TEST_CASE("help: one bullet per item, no continued lines; Ctrl+Q is listed") {
  bool quit = false;
  for (const char* item : help_items()) {
    CAPTURE(item);
    REQUIRE(item[0] != '\0');
    CHECK(item[0] != ' ');  // a continuation of the previous item
    CHECK_FALSE((item[0] >= 'a' && item[0] <= 'z' && std::strncmp(item, "or ", 3) == 0));
    quit = quit || std::strstr(item, "Ctrl+Q") != nullptr;
  }
  CHECK(quit);
}

TEST_CASE("renderer advice: the viewer names the command that has --backend cpu") {
  std::string m = advice_for_viewer(
      "render size 20000x3000 exceeds GL_MAX_TEXTURE_SIZE = 16384 of this GL (llvmpipe); use "
      "--backend cpu");
  CHECK(m.find("`gaussmap render --backend cpu`") != std::string::npos);
  CHECK(advice_for_viewer("no GL") == "no GL");
}

TEST_CASE(
    "image blit: whole texels onto rounded pixel edges, rows flipped, clipped to the canvas") {
  auto rects = [](const BlitRects& b) {
    return std::vector<int>{b.src[0], b.src[1], b.src[2], b.src[3],
                            b.dst[0], b.dst[1], b.dst[2], b.dst[3]};
  };
  const Rect everything{-1e6, -1e6, 2e6, 2e6};
  // 1:1 at (10, 20) in a 200 px tall framebuffer: texel row 0 (the top) lands at GL y 180.
  BlitRects one = plan_blit(100, 50, Rect{10, 20, 100, 50}, everything, 200);
  REQUIRE_FALSE(one.empty);
  CHECK(rects(one) == std::vector<int>{0, 0, 100, 50, 10, 180, 110, 130});
  // 1920x1080 minified into a canvas: every texel, the edges rounded to the nearest pixel.
  BlitRects fit = plan_blit(1920, 1080, Rect{392.25, 12.6, 1000.5, 562.8}, everything, 860);
  CHECK(rects(fit) == std::vector<int>{0, 0, 1920, 1080, 392, 860 - 13, 1393, 860 - 575});
  // Zoomed in to 40 px a texel and clipped to a 400 x 300 canvas at the origin: only the texels
  // that reach into it, whole (the top one overhangs by 20 px: the scissor trims it).
  BlitRects zoom = plan_blit(100, 50, Rect{-1000, -500, 4000, 2000}, Rect{0, 0, 400, 300}, 300);
  CHECK(rects(zoom) == std::vector<int>{25, 12, 35, 20, 0, 320, 400, 0});
  // Independently: the texel under each pixel centre of the canvas is the texel the blit maps
  // there (nearest, linear from dst to src), for a few placements.
  for (Rect dst : {Rect{-37.3, 5.2, 911.7, 413.9}, Rect{12.5, -80.25, 2400, 1350}}) {
    const Rect clip{0, 0, 640, 360};
    const int sw = 320, sh = 180, fb_h = 360;
    BlitRects b = plan_blit(sw, sh, dst, clip, fb_h);
    REQUIRE_FALSE(b.empty);
    int bad = 0;
    for (int y = 0; y < 360; y += 7)
      for (int x = 0; x < 640; x += 5) {
        const double cx = x + 0.5, cy = y + 0.5;  // top-down pixel centre
        if (cx < dst.x || cx >= dst.x + dst.w || cy < dst.y || cy >= dst.y + dst.h) continue;
        const int want_c = int(std::floor((cx - dst.x) / (dst.w / sw)));
        const int want_r = int(std::floor((cy - dst.y) / (dst.h / sh)));
        const double gy = fb_h - cy;  // GL y of the centre
        const int got_c =
            b.src[0] +
            int(std::floor((cx - b.dst[0]) * (b.src[2] - b.src[0]) / double(b.dst[2] - b.dst[0])));
        const int got_r =
            b.src[1] +
            int(std::floor((gy - b.dst[1]) * (b.src[3] - b.src[1]) / double(b.dst[3] - b.dst[1])));
        // Rounding the edges to whole pixels moves a boundary by at most half a pixel.
        bad += std::abs(got_c - want_c) > 1 || std::abs(got_r - want_r) > 1;
        bad += got_c < 0 || got_c >= sw || got_r < 0 || got_r >= sh;
      }
    CHECK(bad == 0);
  }
  // Nothing visible.
  CHECK(plan_blit(100, 50, Rect{500, 500, 100, 50}, Rect{0, 0, 400, 300}, 300).empty);
  CHECK(plan_blit(0, 50, Rect{0, 0, 100, 50}, everything, 300).empty);
}
