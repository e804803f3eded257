// colormap.cpp — the 256-entry colormap tables (data in colormap_data.inc, generated from
// matplotlib by docs/tools/gen_colormaps.py), the view's value range, the value -> t mapping and
// the CPU colorizer. shaders/colormap.frag must map values the same way:
//   linear: t = clamp((v - vmin) / (vmax - vmin), 0, 1)
//   sqrt:   t = sqrt(linear t)                           (matplotlib PowerNorm(0.5); v < vmin -> 0)
//   log:    floor = vmin > 0 ? vmin : vmax * 1e-6;
//           t = clamp((log10(max(v, floor)) - log10(floor)) / (log10(vmax) - log10(floor)), 0, 1)
//           (vmax <= 0 -> 0)
//   non-finite values and degenerate ranges -> 0; index = round(255 t).
#include "colormap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gm {

namespace {
#include "colormap_data.inc"
}  // namespace

const ColormapTable& colormap_table(Colormap c) {
  switch (c) {
    case Colormap::Viridis:
      return kViridisTable;
    case Colormap::Magma:
      return kMagmaTable;
    case Colormap::Inferno:
      return kInfernoTable;
    case Colormap::Plasma:
      return kPlasmaTable;
    case Colormap::Cividis:
      return kCividisTable;
    case Colormap::Turbo:
      return kTurboTable;
    case Colormap::Gray:
      return kGrayTable;
  }
  return kViridisTable;
}

ValueRange view_range(const View& v, const Field& f) {
  if (!v.range_auto) return {v.vmin, v.vmax};
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (float x : f.data) {
    if (!std::isfinite(x)) continue;
    lo = std::min(lo, double(x));
    hi = std::max(hi, double(x));
  }
  if (!(lo <= hi)) return {0, 1};  // empty or no finite value
  if (lo == hi) {
    // A constant field maps as if its range were one unit wide (docs/semantics.md): a positive
    // constant at the top of [c - 1, c], zero or a negative constant at the bottom of [c, c + 1]
    // (all zeros -> [0, 1]).
    if (lo > 0) return {lo - 1, lo};
    return {lo, lo + 1};
  }
  return {lo, hi};
}

double normalize_value(double value, ValueRange r, Scale s) {
  if (!std::isfinite(value) || !std::isfinite(r.vmin) || !std::isfinite(r.vmax)) return 0;
  double t = 0;
  if (s == Scale::Log) {
    if (!(r.vmax > 0)) return 0;
    double floor = r.vmin > 0 ? r.vmin : r.vmax * 1e-6;
    double lo = std::log10(floor), hi = std::log10(r.vmax);
    if (!(hi > lo)) return 0;
    t = (std::log10(std::max(value, floor)) - lo) / (hi - lo);
  } else {
    if (!(r.vmax > r.vmin)) return 0;
    t = (value - r.vmin) / (r.vmax - r.vmin);
  }
  t = std::clamp(t, 0.0, 1.0);
  if (s == Scale::Sqrt) t = std::sqrt(t);
  return std::isfinite(t) ? t : 0.0;
}

Image colorize(const Field& f, const View& v) {
  const ColormapTable& table = colormap_table(v.colormap);
  ValueRange r = view_range(v, f);
  Image img;
  img.width = f.width, img.height = f.height;
  img.rgba.resize(f.data.size() * 4);
  for (std::size_t i = 0; i < f.data.size(); ++i) {
    double t = normalize_value(f.data[i], r, v.scale);
    auto idx = static_cast<std::size_t>(std::lround(t * 255.0));
    const auto& rgb = table[std::min<std::size_t>(idx, 255)];
    img.rgba[4 * i + 0] = rgb[0];
    img.rgba[4 * i + 1] = rgb[1];
    img.rgba[4 * i + 2] = rgb[2];
    img.rgba[4 * i + 3] = 255;
  }
  return img;
}

}  // namespace gm
