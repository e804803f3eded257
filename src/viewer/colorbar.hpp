// colorbar.hpp — tick values and labels for the colorbar, in the field's units. Tick positions come
// from gm::normalize_value, the same value -> [0, 1] mapping the colormap pass applies, so labels
// sit where their colours are under every scale (linear, sqrt, log). No ImGui here.
#pragma once

#include <string>
#include <vector>

#include "core/colormap.hpp"
#include "core/scene.hpp"

namespace gm::viewer {

struct Tick {
  double value = 0;  // field units
  double t = 0;      // position along the bar, 0 = vmin end, 1 = vmax end
  std::string label;
};

// A "nice" step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into at most about
// `max_ticks`.
double nice_step(double span, int max_ticks);
// The multiples of nice_step(hi - lo, max_ticks) inside [lo, hi] (inclusive, with a tolerance of a
// millionth of a step); values within 1e-9 steps of zero are exactly 0.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// Shortest plain label that tells ticks `step` apart: "0.25", "1200", "2.5e-05" -> "2.5e-5".
std::string format_tick(double value, double step);

// Ticks for a colorbar of `range` under `scale`: linear and sqrt get nice ticks in value space;
// log gets decades (with 2 and 5 in between when the range spans less than two decades), starting
// at the log floor that normalize_value uses. Ticks closer than `min_dt` to the previous kept
// tick are dropped.
std::vector<Tick> colorbar_ticks(ValueRange range, Scale scale, int max_ticks, double min_dt = 0);

}  // namespace gm::viewer
