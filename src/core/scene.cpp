// scene.cpp — enum names, the grid of a scene, and the built-in seed scene.
#include "scene.hpp"

#include <cmath>
#include <sstream>

#include "kernel_math.hpp"

namespace gm {

namespace {
template <class E, std::size_t N>
std::optional<E> lookup(const char* const (&names)[N], const std::string& s) {
  for (std::size_t i = 0; i < N; ++i)
    if (s == names[i]) return static_cast<E>(i);
  return std::nullopt;
}
const char* const kNormalizationNames[] = {"pdf", "peak"};
const char* const kCombineNames[] = {"sum", "max", "prob_or"};
const char* const kSamplingNames[] = {"point", "area"};
const char* const kScaleNames[] = {"linear", "log", "sqrt"};
const char* const kColormapNames[] = {"viridis", "magma", "inferno", "plasma",
                                      "cividis", "turbo", "gray"};
}  // namespace

const char* to_string(Normalization v) {
  return kNormalizationNames[int(v)];
}
const char* to_string(Combine v) {
  return kCombineNames[int(v)];
}
const char* to_string(Sampling v) {
  return kSamplingNames[int(v)];
}
const char* to_string(Scale v) {
  return kScaleNames[int(v)];
}
const char* to_string(Colormap v) {
  return kColormapNames[int(v)];
}
std::optional<Normalization> parse_normalization(const std::string& s) {
  return lookup<Normalization>(kNormalizationNames, s);
}
std::optional<Combine> parse_combine(const std::string& s) {
  return lookup<Combine>(kCombineNames, s);
}
std::optional<Sampling> parse_sampling(const std::string& s) {
  return lookup<Sampling>(kSamplingNames, s);
}
std::optional<Scale> parse_scale(const std::string& s) {
  return lookup<Scale>(kScaleNames, s);
}
std::optional<Colormap> parse_colormap(const std::string& s) {
  return lookup<Colormap>(kColormapNames, s);
}

Grid Grid::of(const Scene& s) {
  Grid g;
  g.width = s.width, g.height = s.height;
  auto [x0, x1] = s.x_range();
  auto [y0, y1] = s.y_range();
  g.x0 = x0, g.y0 = y0;
  // linspace: a size of 1 uses x0 / y0 and, for area sampling, a cell of 1 domain unit.
  g.dx = s.width > 1 ? (x1 - x0) / (s.width - 1) : 0.0;
  g.dy = s.height > 1 ? (y1 - y0) / (s.height - 1) : 0.0;
  g.cell_w = s.width > 1 ? std::abs(g.dx) : 1.0;
  g.cell_h = s.height > 1 ? std::abs(g.dy) : 1.0;
  return g;
}

std::vector<std::string> scene_warnings(const Scene& s) {
  std::vector<std::string> out;
  if (s.combine != Combine::ProbOr) return out;
  for (std::size_t i = 0; i < s.kernels.size(); ++i) {
    const Kernel& k = s.kernels[i];
    if (!k.visible) continue;
    double amp = resolve(k, s.normalization, s.cutoff_sigma).amp;
    if (amp > 1.0 || amp < 0.0) {
      std::ostringstream m;
      m << "kernels[" << i << "]: peaks at " << amp
        << ", outside [0, 1]; prob_or clamps its values to [0, 1]";
      out.push_back(m.str());
    }
  }
  return out;
}

Scene seed_scene() {
  Scene s;
  s.width = 640, s.height = 480;
  s.normalization = Normalization::Peak;
  s.combine = Combine::ProbOr;
  s.cutoff_sigma = 3.0;
  Kernel outer;  // wide, sigma_x < sigma_y
  outer.cx = 320, outer.cy = 240, outer.sx = 45, outer.sy = 75, outer.weight = 0.6;
  Kernel inner;  // isotropic, inside the outer one
  inner.cx = 335, inner.cy = 215, inner.sx = 18, inner.sy = 18, inner.weight = 0.9;
  s.kernels = {outer, inner};
  return s;
}

}  // namespace gm
