// contour.hpp — contour lines for the canvas: levels evenly spaced along the colorbar (so each line
// sits on an equal colour step under linear, sqrt and log scales alike) and marching squares on the
// read-back float field, in domain units. Drawn by the viewer over the map; the field PNG itself
// stays contour-free, exactly as `gaussmap render` writes it.
#pragma once

#include <vector>

#include "core/colormap.hpp"
#include "core/field.hpp"
#include "core/scene.hpp"
#include "viewer/vec2.hpp"

namespace gm::viewer {

// The value whose colour position is t in [0, 1]: the inverse of gm::normalize_value.
double value_at_t(double t, ValueRange r, Scale s);

// `count` levels at t = i / (count + 1), i = 1..count, as field values. Empty for count <= 0 or a
// degenerate range.
std::vector<double> contour_levels(ValueRange r, Scale s, int count);

struct Segment {
  Vec2 a, b;
};

// Marching squares over the pixel-centre grid of `grid` (the field's own grid: a drag preview has
// a coarser one), sampling every `stride`-th row and column; segment ends are linearly interpolated
// along cell edges and given in domain units. Saddles are split by the cell's mean value.
std::vector<Segment> contour_segments(const Field& f, const Grid& grid, double level,
                                      int stride = 1);

}  // namespace gm::viewer
