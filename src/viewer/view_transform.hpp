// view_transform.hpp — screen <-> image pixel <-> domain mapping of the canvas: the W x H field
// image letterboxed (square pixels) into the canvas rectangle, then zoomed by `zoom` about the
// canvas centre and shifted by `pan` screen pixels. Screen coordinates are ImGui's (logical pixels,
// y down).
//
// Continuous pixel coordinates: column j's centre is at col = j (so the image spans
// [-0.5, W-0.5]), row 0 is the top row. Domain: x = x0 + col*dx, y = y0 + row*dy
// (docs/semantics.md).
#pragma once

#include <array>

#include "core/scene.hpp"
#include "viewer/vec2.hpp"

namespace gm::viewer {

struct Rect {
  double x = 0, y = 0, w = 0, h = 0;  // top-left corner and size, screen pixels
};

class ViewTransform {
 public:
  static constexpr double kMinZoom = 1.0 / 64, kMaxZoom = 4096;

  void set_canvas(Rect canvas) { canvas_ = canvas; }
  // Grid of the scene: size and domain (a size of 1 or an empty range maps with a step of 1).
  void set_grid(const Scene& scene);
  void set_grid(int width, int height, std::array<double, 2> xr, std::array<double, 2> yr);

  const Rect& canvas() const { return canvas_; }
  double zoom() const { return zoom_; }
  Vec2 pan() const { return pan_; }
  void set_zoom_pan(double zoom, Vec2 pan);

  // Screen pixels per image pixel (fit scale times zoom).
  double scale() const;
  // Domain units per screen pixel along x and y (positive): the precision a mouse position has.
  Vec2 domain_per_screen_pixel() const;
  // Where the image (outer pixel edges) lands on the screen.
  Rect image_rect() const;

  Vec2 pixel_to_screen(Vec2 pixel) const;
  Vec2 screen_to_pixel(Vec2 screen) const;
  Vec2 domain_to_pixel(Vec2 domain) const;
  Vec2 pixel_to_domain(Vec2 pixel) const;
  Vec2 domain_to_screen(Vec2 domain) const { return pixel_to_screen(domain_to_pixel(domain)); }
  Vec2 screen_to_domain(Vec2 screen) const { return pixel_to_domain(screen_to_pixel(screen)); }

  // Multiply the zoom by `factor` (clamped to [kMinZoom, kMaxZoom]) keeping the point under
  // `screen_point` fixed.
  void zoom_about(Vec2 screen_point, double factor);
  void pan_by(Vec2 delta_screen) { pan_ = pan_ + delta_screen; }
  void fit() { zoom_ = 1, pan_ = {}; }

 private:
  Rect canvas_;
  int width_ = 1, height_ = 1;
  double x0_ = 0, y0_ = 0, dx_ = 1, dy_ = 1;
  double zoom_ = 1;
  Vec2 pan_;
};

}  // namespace gm::viewer
