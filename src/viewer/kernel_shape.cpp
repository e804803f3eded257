// kernel_shape.cpp — kernel axes, ellipses and shape handles in domain units (see
// kernel_shape.hpp).
#include "viewer/kernel_shape.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/kernel_math.hpp"

namespace gm::viewer {

namespace {
constexpr double kDeg = kPi / 180.0;
}

double normalize_angle_deg(double deg) {
  if (!std::isfinite(deg)) return 0;
  double r = std::fmod(deg, 360.0);  // (-360, 360)
  if (r <= -180.0) r += 360.0;
  if (r > 180.0) r -= 360.0;
  return r;
}

void covariance_of(const Axes& ax, double& a, double& b, double& c) {
  Kernel k;
  k.sx = ax.sx, k.sy = ax.sy, k.angle_deg = ax.angle_deg;
  kernel_covariance(k, a, b, c);
}

Axes axes_of_covariance(double a, double b, double c) {
  double t = 0.5 * std::atan2(2 * b, a - c);  // (-90, 90] degrees
  double cs = std::cos(t), sn = std::sin(t);
  double sx2 = a * cs * cs + 2 * b * cs * sn + c * sn * sn;
  double sy2 = a * sn * sn - 2 * b * cs * sn + c * cs * cs;
  Axes ax;
  ax.sx = std::sqrt(std::max(sx2, 0.0));
  ax.sy = std::sqrt(std::max(sy2, 0.0));
  ax.angle_deg = t / kDeg;
  return ax;
}

Axes kernel_axes(const Kernel& k) {
  if (k.use_covariance) return axes_of_covariance(k.cov_xx, k.cov_xy, k.cov_yy);
  return {k.sx, k.sy, k.angle_deg};
}

std::vector<Vec2> ellipse_points(const Kernel& k, double k_sigma, int segments) {
  Axes ax = kernel_axes(k);
  double t = ax.angle_deg * kDeg;
  Vec2 u{std::cos(t), std::sin(t)}, v{-std::sin(t), std::cos(t)};
  Vec2 c{k.cx, k.cy};
  std::vector<Vec2> pts;
  segments = std::max(segments, 8);
  pts.reserve(std::size_t(segments));
  for (int i = 0; i < segments; ++i) {
    double phi = 2 * kPi * i / segments;
    pts.push_back(c + u * (k_sigma * ax.sx * std::cos(phi)) +
                  v * (k_sigma * ax.sy * std::sin(phi)));
  }
  return pts;
}

Vec2 handle_position(const Kernel& k, Handle h) {
  Vec2 c{k.cx, k.cy};
  if (h == Handle::Center) return c;
  Axes ax = kernel_axes(k);
  double t = ax.angle_deg * kDeg;
  if (h == Handle::AxisX) return c + Vec2{std::cos(t), std::sin(t)} * ax.sx;
  return c + Vec2{-std::sin(t), std::cos(t)} * ax.sy;
}

Kernel kernel_with_handle(const Kernel& k, Handle h, Vec2 p) {
  Kernel out = k;
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return out;
  if (h == Handle::Center) {
    out.cx = p.x, out.cy = p.y;
    return out;
  }
  Axes ax = kernel_axes(k);
  Vec2 d = p - Vec2{k.cx, k.cy};
  double r = length(d);
  if (!(r > 1e-12 * std::min(ax.sx, ax.sy))) return out;
  double dir = std::atan2(d.y, d.x) / kDeg;
  if (h == Handle::AxisX) {
    ax.sx = r;
    ax.angle_deg = normalize_angle_deg(dir);
  } else {
    ax.sy = r;
    ax.angle_deg = normalize_angle_deg(dir - 90.0);
  }
  if (k.use_covariance) {
    covariance_of(ax, out.cov_xx, out.cov_xy, out.cov_yy);
  } else {
    out.sx = ax.sx, out.sy = ax.sy, out.angle_deg = ax.angle_deg;
  }
  return out;
}

double round_to_pixel(double v, double unit) {
  if (!std::isfinite(v) || !(unit > 0) || !std::isfinite(unit)) return v;
  const int e = int(std::floor(std::log10(unit)));
  if (e >= 0) {
    const double step = std::pow(10.0, e);
    return std::round(v / step) * step;  // whole numbers: exact
  }
  if (e < -17) return v;  // finer than a double's decimal digits
  // Through text: the double nearest the decimal, which to_chars then prints as that decimal.
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", -e, v);
  return std::strtod(buf, nullptr);
}

Kernel round_for_screen(const Kernel& k, Handle h, Vec2 unit) {
  Kernel out = k;
  if (h == Handle::Center) {
    out.cx = round_to_pixel(k.cx, unit.x);
    out.cy = round_to_pixel(k.cy, unit.y);
    return out;
  }
  if (k.use_covariance) return out;
  const double u = std::min(unit.x, unit.y);
  for (double* s : {&out.sx, &out.sy}) {
    double r = round_to_pixel(*s, u);
    if (r > 0) *s = r;
  }
  out.angle_deg = normalize_angle_deg(round_to_pixel(k.angle_deg, 0.1));
  return out;
}

double mahalanobis2(const Kernel& k, Vec2 p) {
  double a, b, c;
  kernel_covariance(k, a, b, c);
  double det = a * c - b * b;
  if (!(det > 0)) return std::numeric_limits<double>::infinity();
  double ux = p.x - k.cx, uy = p.y - k.cy;
  return (c * ux * ux - 2 * b * ux * uy + a * uy * uy) / det;
}

}  // namespace gm::viewer
