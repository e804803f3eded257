// outline_plan.cpp — outline thinning rule (see outline_plan.hpp).
#include "viewer/outline_plan.hpp"

#include <algorithm>
#include <cmath>

namespace gm::viewer {

int OutlinePlan::room(double area_px) {
  return std::max(50, int(std::floor(std::max(area_px, 0.0) / (kCellPx * kCellPx))));
}

OutlinePlan OutlinePlan::for_scene(int kernels, bool outlines_on, int on_screen, double area_px) {
  OutlinePlan p;
  if (!outlines_on) {
    p.draw_others = p.all_levels = false;
    return p;
  }
  if (kernels > kMaxOutlined) {
    p.draw_others = p.all_levels = false;
    p.note = "outlines hidden: " + std::to_string(kernels) + " kernels > " +
             std::to_string(kMaxOutlined) + " (the selected one is shown)";
  } else if (on_screen > room(area_px)) {
    p.draw_others = p.all_levels = false;
    p.note = "outlines hidden: " + std::to_string(on_screen) + " kernels on screen > " +
             std::to_string(room(area_px)) + " (zoom in to see them)";
  } else if (kernels > kAllLevels) {
    p.all_levels = false;
    p.note = "outlines: 1 sigma only, " + std::to_string(kernels) + " kernels > " +
             std::to_string(kAllLevels);
  }
  return p;
}

void OutlinePlan::report_small(int skipped) {
  if (skipped <= 0) return;
  std::string s = std::to_string(skipped) + (skipped == 1 ? " kernel" : " kernels") +
                  " under 3 px on screen not outlined (zoom in)";
  note = note.empty() ? s : note + "; " + s;
}

}  // namespace gm::viewer
