// outline_plan.cpp — outline thinning rule (see outline_plan.hpp).
#include "viewer/outline_plan.hpp"

namespace gm::viewer {

OutlinePlan OutlinePlan::for_scene(int kernels, bool outlines_on) {
  OutlinePlan p;
  if (!outlines_on) {
    p.draw_others = p.all_levels = false;
    return p;
  }
  if (kernels > kMaxOutlined) {
    p.draw_others = p.all_levels = false;
    p.note = "outlines hidden: " + std::to_string(kernels) + " kernels > " +
             std::to_string(kMaxOutlined) + " (the selected one is shown)";
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
