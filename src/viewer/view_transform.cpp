// view_transform.cpp — letterbox, pan and zoom of the canvas (see view_transform.hpp).
#include "viewer/view_transform.hpp"

#include <algorithm>
#include <cmath>

namespace gm::viewer {

void ViewTransform::set_grid(const Scene& scene) {
  set_grid(scene.width, scene.height, scene.x_range(), scene.y_range());
}

void ViewTransform::set_grid(int width, int height, std::array<double, 2> xr,
                             std::array<double, 2> yr) {
  width_ = std::max(width, 1);
  height_ = std::max(height, 1);
  x0_ = xr[0], y0_ = yr[0];
  dx_ = width_ > 1 ? (xr[1] - xr[0]) / (width_ - 1) : 0.0;
  dy_ = height_ > 1 ? (yr[1] - yr[0]) / (height_ - 1) : 0.0;
  if (!(dx_ != 0) || !std::isfinite(dx_)) dx_ = 1;
  if (!(dy_ != 0) || !std::isfinite(dy_)) dy_ = 1;
}

void ViewTransform::set_zoom_pan(double zoom, Vec2 pan) {
  zoom_ = std::clamp(zoom, kMinZoom, kMaxZoom);
  pan_ = pan;
}

double ViewTransform::scale() const {
  double fit = std::min(canvas_.w / width_, canvas_.h / height_);
  if (!(fit > 0)) fit = 1;
  return fit * zoom_;
}

Rect ViewTransform::image_rect() const {
  double s = scale();
  double w = width_ * s, h = height_ * s;
  return {canvas_.x + 0.5 * canvas_.w - 0.5 * w + pan_.x,
          canvas_.y + 0.5 * canvas_.h - 0.5 * h + pan_.y, w, h};
}

Vec2 ViewTransform::pixel_to_screen(Vec2 p) const {
  Rect r = image_rect();
  double s = scale();
  return {r.x + (p.x + 0.5) * s, r.y + (p.y + 0.5) * s};
}

Vec2 ViewTransform::screen_to_pixel(Vec2 q) const {
  Rect r = image_rect();
  double s = scale();
  return {(q.x - r.x) / s - 0.5, (q.y - r.y) / s - 0.5};
}

Vec2 ViewTransform::domain_to_pixel(Vec2 d) const {
  return {(d.x - x0_) / dx_, (d.y - y0_) / dy_};
}

Vec2 ViewTransform::domain_per_screen_pixel() const {
  double s = scale();
  return {std::abs(dx_) / s, std::abs(dy_) / s};
}

Vec2 ViewTransform::pixel_to_domain(Vec2 p) const {
  return {x0_ + p.x * dx_, y0_ + p.y * dy_};
}

void ViewTransform::zoom_about(Vec2 q, double factor) {
  if (!(factor > 0) || !std::isfinite(factor)) return;
  double z1 = std::clamp(zoom_ * factor, kMinZoom, kMaxZoom);
  double f = z1 / zoom_;
  // The image's top-left corner T satisfies q - T' = (q - T) * f; T = C - size/2 + pan with C the
  // canvas centre and size proportional to zoom, so pan' = q - C - (q - C - pan) * f.
  Vec2 c{canvas_.x + 0.5 * canvas_.w, canvas_.y + 0.5 * canvas_.h};
  pan_ = (q - c) - (q - c - pan_) * f;
  zoom_ = z1;
}

}  // namespace gm::viewer
