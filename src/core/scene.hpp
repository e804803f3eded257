// scene.hpp — the scene model of docs/semantics.md: an image grid, kernels, combine rules, view
// settings. Plain data; validation lives in scene_io (JSON) and in validate(). No GL, no I/O here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gm {

enum class Normalization { Pdf, Peak };
enum class Combine { Sum, Max, ProbOr };
enum class Sampling { Point, Area };
enum class Scale { Linear, Log, Sqrt };
enum class Colormap { Viridis, Magma, Inferno, Plasma, Cividis, Turbo, Gray };

// One kernel. Shape is either sigma + angle, or a full covariance (use_covariance).
struct Kernel {
  double cx = 0, cy = 0;        // centre, domain units
  double sx = 1, sy = 1;        // standard deviations, domain units, > 0
  double angle_deg = 0;         // rotation in the x/y frame of the domain
  bool use_covariance = false;  // true: cov_* define the shape, sx/sy/angle are ignored
  double cov_xx = 1, cov_xy = 0, cov_yy = 1;  // symmetric positive definite
  double weight = 1;                          // any finite real
  bool visible = true;                        // hidden kernels contribute nothing (viewer "hide")

  bool operator==(const Kernel&) const = default;
};

struct View {
  Colormap colormap = Colormap::Viridis;
  bool range_auto = true;  // "range": "auto" or [vmin, vmax]
  double vmin = 0, vmax = 1;
  Scale scale = Scale::Linear;
  int contour_levels = 0;  // 0 = no contour lines; else count of evenly spaced levels
  bool outlines = true;    // kernel ellipses in the viewer

  bool operator==(const View&) const = default;
};

struct Scene {
  int width = 0, height = 0;
  // Pixel-centre coordinates of first/last pixel (numpy linspace). Unset = pixel indices.
  std::optional<std::array<double, 2>> domain_x, domain_y;
  Normalization normalization = Normalization::Pdf;
  Combine combine = Combine::Sum;
  Sampling sampling = Sampling::Point;
  std::optional<double> cutoff_sigma;  // k; none = no cutoff
  std::vector<Kernel> kernels;
  View view;

  bool operator==(const Scene&) const = default;

  // Effective domain (defaults applied): [x0, x1] and [y0, y1].
  std::array<double, 2> x_range() const {
    return domain_x.value_or(std::array<double, 2>{0.0, double(width > 0 ? width - 1 : 0)});
  }
  std::array<double, 2> y_range() const {
    return domain_y.value_or(std::array<double, 2>{0.0, double(height > 0 ? height - 1 : 0)});
  }
};

// The grid of a scene: pixel centre coordinates and cell sizes (docs/semantics.md).
struct Grid {
  int width = 0, height = 0;
  double x0 = 0, y0 = 0;  // centre of pixel (row 0, col 0); row 0 is the top row
  double dx = 1, dy = 1;  // step between pixel centres (may be negative for reversed domains)
  double cell_w = 1, cell_h = 1;  // |dx|, |dy|; a size of 1 uses a cell of 1 domain unit

  static Grid of(const Scene& s);
  double x(int col) const { return x0 + col * dx; }
  double y(int row) const { return y0 + row * dy; }
};

const char* to_string(Normalization);
const char* to_string(Combine);
const char* to_string(Sampling);
const char* to_string(Scale);
const char* to_string(Colormap);
std::optional<Normalization> parse_normalization(const std::string&);
std::optional<Combine> parse_combine(const std::string&);
std::optional<Sampling> parse_sampling(const std::string&);
std::optional<Scale> parse_scale(const std::string&);
std::optional<Colormap> parse_colormap(const std::string&);

// Warnings about a valid scene, one line each (e.g. prob_or clamping a pdf that exceeds 1).
std::vector<std::string> scene_warnings(const Scene& s);

// The built-in example (the case that started it all): an isotropic kernel inside a wider one
// with sigma_x < sigma_y, combined by prob_or.
Scene seed_scene();

}  // namespace gm
