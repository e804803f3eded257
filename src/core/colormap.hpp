// colormap.hpp — perceptual colormaps as 256-entry RGB tables, and the value -> [0, 1] mapping of
// the view settings (range auto/fixed, scale linear/log/sqrt). The GL colormap pass uploads the
// same tables as a 256x1 texture, so CPU and GPU pictures agree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

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

// The colours of one view over one range, set up once and applied to any run of values: what
// colorize does to each pixel, for a caller that makes the picture's rows itself (the PNG
// writer's bands). Exactly the formula's colour: index round(255 t) of normalize_value.
class Colorizer {
 public:
  // `pixels`: the picture's size, which decides whether the log scale's boundary table pays.
  Colorizer(const View& v, ValueRange r, std::size_t pixels);
  ~Colorizer();
  Colorizer(const Colorizer&) = delete;
  Colorizer& operator=(const Colorizer&) = delete;

  void rgba(const float* x, std::size_t n, std::uint8_t* out) const;  // 4 bytes a value, alpha 255
  void rgb(const float* x, std::size_t n, std::uint8_t* out) const;   // 3 bytes a value

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Colormapped RGBA picture of a field (alpha 255), on every core.
Image colorize(const Field& f, const View& v);

}  // namespace gm
