// layout.hpp — sizes that depend on the screen: the window's first size (fitted to the monitor's
// work area) and the split of the window into panel, canvas and colorbar. Pure arithmetic in
// ImGui's logical pixels, tested without a window (tests/viewer/test_layout.cpp); the layout stays
// usable down to 1024 x 700 (the panel scrolls, the canvas and the colorbar stay on screen).
#pragma once

#include "viewer/view_transform.hpp"

namespace gm::viewer {

struct WindowSize {
  int width = 0, height = 0;
};

// The preferred size (0 = 1400 x 860) shrunk to fit a work area of wa_w x wa_h screen pixels
// (0 = unknown: the preferred size), leaving room for the window frame. `scale` is the monitor's
// content scale: GLFW multiplies the requested size by it on X11. Never below 640 x 480.
WindowSize initial_window_size(int preferred_w, int preferred_h, int wa_w, int wa_h, float scale);

struct CanvasLayout {
  double panel_width = 0;
  Rect canvas;    // where the image is letterboxed
  Rect colorbar;  // the bar itself (ticks and labels to its right)
};
// Panel on the left (380 logical px at scale 1, narrower on small windows), the canvas, then the
// colorbar with room for its tick labels on the right.
CanvasLayout canvas_layout(double display_w, double display_h, double ui_scale);

}  // namespace gm::viewer
