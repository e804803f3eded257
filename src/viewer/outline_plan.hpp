// outline_plan.hpp — how many kernel outlines the canvas draws, so that a large scene stays
// readable: three ellipses per kernel for a few kernels, only the 1-sigma one for more, none past
// kMaxOutlined kernels or when more kernels are on screen than the canvas has room for (one per
// kCellPx x kCellPx pixels; zooming in brings them back), and none for a kernel whose 1-sigma
// ellipse is under kMinScreenRadius pixels on screen. The selected kernel always keeps its
// outline and handles. The panel shows `note` whenever outlines are thinned or hidden.
// No ImGui: tested in tests/viewer/test_layout.cpp.
#pragma once

#include <string>

namespace gm::viewer {

struct OutlinePlan {
  static constexpr int kAllLevels = 64;      // up to this many kernels: every level (1, 2, 3 sigma)
  static constexpr int kMaxOutlined = 2000;  // beyond: no outlines but the selected kernel's
  static constexpr double kMinScreenRadius = 3.0;  // px: smaller 1-sigma ellipses are not drawn
  static constexpr double kCellPx = 48;            // room for one outline, px on a side

  bool draw_others = true;  // outlines of kernels other than the selected one
  bool all_levels = true;   // every level, else only 1 sigma
  std::string note;         // for the panel: "" when everything is drawn

  // The plan for `kernels` kernels, `outlines_on` the view's setting, `on_screen` of them on the
  // canvas and big enough to outline, the canvas `area_px` square pixels.
  static OutlinePlan for_scene(int kernels, bool outlines_on, int on_screen, double area_px);
  // How many outlines a canvas of `area_px` square pixels has room for (at least 50).
  static int room(double area_px);
  // Whether a kernel whose 1-sigma ellipse reaches `radius_px` screen pixels gets its outline.
  static bool big_enough(double radius_px) { return radius_px >= kMinScreenRadius; }
  // After drawing: `skipped` kernels were too small on screen; adds that to the note.
  void report_small(int skipped);
};

}  // namespace gm::viewer
