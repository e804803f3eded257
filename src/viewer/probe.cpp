// probe.cpp — hover readout: field value and top contributing kernels (see probe.hpp).
#include "viewer/probe.hpp"

#include <algorithm>
#include <cmath>

#include "core/kernel_math.hpp"
#include "core/reference.hpp"

namespace gm::viewer {

bool pixel_of(const Scene& scene, Vec2 p, int& col, int& row) {
  Grid g = Grid::of(scene);
  double dx = g.dx != 0 ? g.dx : 1.0, dy = g.dy != 0 ? g.dy : 1.0;
  double fc = std::round((p.x - g.x0) / dx), fr = std::round((p.y - g.y0) / dy);
  if (!(fc >= 0 && fc < g.width && fr >= 0 && fr < g.height)) return false;
  col = int(fc), row = int(fr);
  return true;
}

ProbeResult probe(const Scene& scene, const Field* field, Vec2 p, int max_top, int exact_limit) {
  ProbeResult r;
  r.domain = p;
  if (!pixel_of(scene, p, r.col, r.row)) return r;
  r.inside = true;
  Grid g = Grid::of(scene);
  double x = g.x(r.col), y = g.y(r.row);
  r.pixel_center = {x, y};
  if (field && field->width == scene.width && field->height == scene.height) {
    r.has_field = true;
    r.field_value = field->at(r.row, r.col);
  }
  std::vector<Contribution> all;
  int n = int(scene.kernels.size());
  bool exact_all = n <= exact_limit;
  double acc = combine_init(scene.combine);
  for (int i = 0; i < n; ++i) {
    const Kernel& k = scene.kernels[std::size_t(i)];
    if (!k.visible) continue;
    Gaussian gk = resolve(k, scene.normalization, scene.cutoff_sigma);
    double v;
    if (exact_all) {
      v = reference_kernel_value(gk, scene.sampling, x, y, g.cell_w, g.cell_h);
      acc = combine_fold(scene.combine, acc, v);
    } else {
      double d2 = gk.d2(x, y);
      v = d2 > gk.cutoff_d2 ? 0.0 : gk.amp * std::exp(-0.5 * d2);
    }
    if (v != 0) all.push_back({i, v});
  }
  if (exact_all) {
    r.has_reference = true;
    r.reference_value = combine_finish(scene.combine, acc);
  }
  auto by_mag = [](const Contribution& a, const Contribution& b) {
    return std::abs(a.value) > std::abs(b.value);
  };
  std::size_t keep = std::min(all.size(), std::size_t(std::max(max_top, 0)) * (exact_all ? 1 : 4));
  std::partial_sort(all.begin(), all.begin() + keep, all.end(), by_mag);
  all.resize(keep);
  if (!exact_all) {
    for (auto& c : all) {
      Gaussian gk =
          resolve(scene.kernels[std::size_t(c.index)], scene.normalization, scene.cutoff_sigma);
      c.value = reference_kernel_value(gk, scene.sampling, x, y, g.cell_w, g.cell_h);
    }
    std::sort(all.begin(), all.end(), by_mag);
    if (all.size() > std::size_t(std::max(max_top, 0))) all.resize(std::size_t(max_top));
  }
  r.top = std::move(all);
  return r;
}

}  // namespace gm::viewer
