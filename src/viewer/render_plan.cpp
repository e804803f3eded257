// render_plan.cpp — field/colormap invalidation and drag previews (see render_plan.hpp).
#include "viewer/render_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

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
  row0 = std::clamp(row0, 0, f.height);
  rows = std::clamp(rows, 0, f.height - row0);
  if (row0 == 0 && rows == f.height) {  // the whole field: gm::colorize, on every core
    View fixed = v;
    fixed.range_auto = false;
    fixed.vmin = r.vmin, fixed.vmax = r.vmax;
    return colorize(f, fixed);
  }
  // A band: the same mapping (core's Colorizer) straight from the field's rows, no copy of them.
  const std::size_t n = std::size_t(f.width) * std::size_t(rows);
  Image img;
  img.width = f.width, img.height = rows;
  img.rgba.resize(4 * n);
  if (n > 0)
    Colorizer(v, r, std::size_t(f.width) * std::size_t(f.height))
        .rgba(&f.at(row0, 0), n, img.rgba.data());
  return img;
}

std::optional<MinMax<float>> finite_min_max(const Field& f) {
  // Two registers of four lanes each way (GCC vector types: minps / maxps on any x86-64). A lane
  // takes a value only where it is finite (|v| <= FLT_MAX, false for NaN).
  using V4 = float __attribute__((vector_size(16)));
  constexpr float inf = std::numeric_limits<float>::infinity();
  constexpr float big = std::numeric_limits<float>::max();
  const V4 pinf = {inf, inf, inf, inf}, ninf = -pinf, top = {big, big, big, big}, bottom = -top;
  V4 lo0 = pinf, lo1 = pinf, hi0 = ninf, hi1 = ninf;
  const float* x = f.data.data();
  const std::size_t n = f.data.size(), body = n - n % 8;
  for (std::size_t i = 0; i < body; i += 8) {
    V4 a, b;
    std::memcpy(&a, x + i, sizeof a);
    std::memcpy(&b, x + i + 4, sizeof b);
    const auto fa = (a >= bottom) & (a <= top), fb = (b >= bottom) & (b <= top);
    lo0 = fa && a < lo0 ? a : lo0, hi0 = fa && a > hi0 ? a : hi0;
    lo1 = fb && b < lo1 ? b : lo1, hi1 = fb && b > hi1 ? b : hi1;
  }
  float lo = inf, hi = -inf;
  for (int k = 0; k < 4; ++k) {
    lo = std::min({lo, lo0[k], lo1[k]});
    hi = std::max({hi, hi0[k], hi1[k]});
  }
  for (std::size_t i = body; i < n; ++i)
    if (std::isfinite(x[i])) lo = std::min(lo, x[i]), hi = std::max(hi, x[i]);
  if (lo > hi) return std::nullopt;  // no finite value
  return MinMax<float>{lo, hi};
}

ValueRange range_from_extremes(const View& v, const std::optional<MinMax<float>>& extremes) {
  Field two(2, 1);
  two.data[0] = extremes ? extremes->min : std::numeric_limits<float>::quiet_NaN();
  two.data[1] = extremes ? extremes->max : std::numeric_limits<float>::quiet_NaN();
  return view_range(v, two);
}

void RenderRate::update(const Scene& s, double ms) {
  if (!(ms > 0.5)) return;  // too short to mean anything
  double r = field_cost(s) / ms;
  double& slot = s.sampling == Sampling::Area ? area : point;
  slot = slot > 0 ? 0.5 * (slot + r) : r;
}

double RenderRate::estimate_ms(const Scene& s) const {
  double r = get(s);
  if (!(r > 0)) r = s.sampling == Sampling::Area ? first_area : first_point;
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
