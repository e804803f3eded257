// colormap.hpp — perceptual colormaps as 256-entry RGB tables, and the value -> [0, 1] mapping of
// the view settings (range auto/fixed, scale linear/log/sqrt). The GL colormap pass uploads the
// same tables as a 256x1 texture, so CPU and GPU pictures agree.
#pragma once

#include <array>
#include <cstdint>

#include "field.hpp"
#include "image_io.hpp"
#include "scene.hpp"

namespace gm {

using ColormapTable = std::array<std::array<std::uint8_t, 3>, 256>;
const ColormapTable& colormap_table(Colormap c);

// The value range a view maps onto the colormap for this field.
struct ValueRange {
  double vmin = 0, vmax = 1;
};
ValueRange view_range(const View& v, const Field& f);

// Map a value to t in [0, 1] under the view's scale (linear, sqrt, log; log uses a floor of
// vmax * 1e-6 for vmin <= 0). Non-finite -> 0.
double normalize_value(double value, ValueRange r, Scale s);

// Colormapped RGBA picture of a field (alpha 255).
Image colorize(const Field& f, const View& v);

}  // namespace gm
