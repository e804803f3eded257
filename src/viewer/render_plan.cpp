// render_plan.cpp — field/colormap invalidation and drag previews (see render_plan.hpp).
#include "viewer/render_plan.hpp"

#include <algorithm>
#include <cmath>

namespace gm::viewer {

bool same_field_inputs(const Scene& a, const Scene& b) {
  return a.width == b.width && a.height == b.height && a.domain_x == b.domain_x &&
         a.domain_y == b.domain_y && a.normalization == b.normalization && a.combine == b.combine &&
         a.sampling == b.sampling && a.cutoff_sigma == b.cutoff_sigma && a.kernels == b.kernels;
}

double field_cost(const Scene& s) {
  double n = 0;
  for (const auto& k : s.kernels) n += k.visible ? 1 : 0;
  return double(s.width) * double(s.height) * std::max(n, 1.0);
}

Scene preview_scene(const Scene& s, int factor) {
  Scene p = s;
  if (factor <= 1) return p;
  p.domain_x = s.x_range();
  p.domain_y = s.y_range();
  p.width = std::max(1, s.width / factor);
  p.height = std::max(1, s.height / factor);
  // A size of 1 uses x0 / y0: keep the centre of the domain instead.
  if (p.width == 1)
    p.domain_x = std::array<double, 2>{0.5 * (s.x_range()[0] + s.x_range()[1]),
                                       0.5 * (s.x_range()[0] + s.x_range()[1])};
  if (p.height == 1)
    p.domain_y = std::array<double, 2>{0.5 * (s.y_range()[0] + s.y_range()[1]),
                                       0.5 * (s.y_range()[0] + s.y_range()[1])};
  return p;
}

int preview_factor(const Scene& s, double budget) {
  double cost = field_cost(s);
  if (!(budget > 0) || cost <= budget) return 1;
  int f = int(std::ceil(std::sqrt(cost / budget)));
  return std::clamp(f, 1, 16);
}

Scene band_scene(const Scene& s, int row0, int rows) {
  Grid g = Grid::of(s);
  Scene b = s;
  b.domain_x = s.x_range();
  b.height = rows;
  b.domain_y = std::array<double, 2>{g.y(row0), g.y(row0 + rows - 1)};
  return b;
}

Image colorize_rows(const Field& f, const View& v, ValueRange r, int row0, int rows) {
  const ColormapTable& table = colormap_table(v.colormap);
  Image img;
  rows = std::clamp(rows, 0, std::max(f.height - row0, 0));
  img.width = f.width, img.height = rows;
  img.rgba.resize(std::size_t(f.width) * std::size_t(rows) * 4);
  std::size_t o = 0;
  for (int row = row0; row < row0 + rows; ++row)
    for (int col = 0; col < f.width; ++col, o += 4) {
      double t = normalize_value(f.at(row, col), r, v.scale);
      auto idx = std::min<std::size_t>(static_cast<std::size_t>(std::lround(t * 255.0)), 255);
      img.rgba[o] = table[idx][0], img.rgba[o + 1] = table[idx][1], img.rgba[o + 2] = table[idx][2];
      img.rgba[o + 3] = 255;
    }
  return img;
}

void RenderRate::update(const Scene& s, double ms) {
  if (!(ms > 0.5)) return;  // too short to mean anything
  double r = field_cost(s) / ms;
  double& slot = s.sampling == Sampling::Area ? area : point;
  slot = slot > 0 ? 0.5 * (slot + r) : r;
}

double RenderRate::estimate_ms(const Scene& s) const {
  double r = get(s);
  // First guesses, about a software rasterizer on two cores (Mesa llvmpipe): point ~7e4
  // kernel-pixels/ms; area sampling is an order of magnitude or two slower.
  if (!(r > 0)) r = s.sampling == Sampling::Area ? 2e3 : 7e4;
  return field_cost(s) / r;
}

std::string advice_for_viewer(const std::string& renderer_message) {
  static const std::string kOption = "--backend cpu";
  std::string m = renderer_message;
  auto at = m.find(kOption);
  if (at == std::string::npos || m.find("gaussmap render", 0) != std::string::npos) return m;
  return m.replace(at, kOption.size(), "`gaussmap render --backend cpu` (the viewer needs GL)");
}

}  // namespace gm::viewer
