// layout.cpp — first window size and the panel / canvas / colorbar split (see layout.hpp).
#include "viewer/layout.hpp"

#include <algorithm>

namespace gm::viewer {

WindowSize initial_window_size(int preferred_w, int preferred_h, int wa_w, int wa_h, float scale) {
  WindowSize s{preferred_w > 0 ? preferred_w : 1400, preferred_h > 0 ? preferred_h : 860};
  if (preferred_w > 0 && preferred_h > 0) return s;  // asked for: as given
  if (wa_w <= 0 || wa_h <= 0) return s;
  const double sc = std::max(1.0, double(scale));
  // Frame: a few pixels at the sides, a title bar on top.
  const int room_w = int((wa_w - 16) / sc), room_h = int((wa_h - 48) / sc);
  s.width = std::max(640, std::min(s.width, room_w));
  s.height = std::max(480, std::min(s.height, room_h));
  return s;
}

CanvasLayout canvas_layout(double display_w, double display_h, double ui_scale) {
  const double s = ui_scale;
  CanvasLayout l;
  // 380 px is comfortable; below a 1120 px window the panel takes a third, but not under 300.
  l.panel_width = std::clamp(display_w * 0.34, 300 * s, 380 * s);
  const double margin = 12 * s, cb_area = 118 * s;
  const double x0 = l.panel_width + margin, y0 = margin;
  const double w = std::max(display_w - x0 - margin - cb_area, 64.0);
  const double h = std::max(display_h - 2 * margin, 64.0);
  l.canvas = {x0, y0, w, h};
  l.colorbar = {x0 + w + 20 * s, y0 + 34 * s, 16 * s, std::max(h - 68 * s, 48.0)};
  return l;
}

}  // namespace gm::viewer
