// color_thresholds.hpp — gm::colorize's value -> colour index map (index = round(255 t)) as 255
// float thresholds, so a shader can colour a field by comparisons alone and still give exactly the
// CPU's indices (shaders/colormap.frag). No GL here: tests/core checks the thresholds against
// colorize's own mapping.
#pragma once

#include <array>

#include "core/colormap.hpp"
#include "core/scene.hpp"

namespace gm {

struct Thresholds {
  std::array<float, 255> start{};  // start[j-1]: where index j begins (see colormap.frag)
  float sign = 1;
  int nonfinite_index = 0;
};

// The colour index gm::colorize gives a float value (colormap.cpp: index = round(255 t)).
int color_index(float v, ValueRange r, Scale s);

// For the monotone map value -> index: the float at which each index 1..255 starts (with `sign`
// applied: index j is reached where sign * v >= sign * start[j-1]), found by bisection over the
// ordered float keys with the CPU's own mapping; NaN and infinities map to nonfinite_index.
Thresholds color_thresholds(ValueRange r, Scale s);

}  // namespace gm
