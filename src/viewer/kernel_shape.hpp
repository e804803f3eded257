// kernel_shape.hpp — the geometry of one kernel as the canvas shows it, in domain units: principal
// axes (sigma x/y and angle, also for kernels given as a covariance), the ellipse at k sigma, the
// two shape handles, the handle -> (sigma, angle) inverse, and picking. No ImGui, no GL: the canvas
// maps these domain points to the screen through ViewTransform.
#pragma once

#include <optional>
#include <vector>

#include "core/scene.hpp"
#include "viewer/vec2.hpp"

namespace gm::viewer {

// Principal axes of a kernel: sx along the direction at angle_deg (from +x towards +y in the
// domain's frame), sy perpendicular. For sigma-form kernels these are the kernel's own fields.
struct Axes {
  double sx = 1, sy = 1;
  double angle_deg = 0;
};
Axes kernel_axes(const Kernel& k);

// Covariance [[a, b], [b, c]] of (sx, sy, angle): R diag(sx^2, sy^2) R^T (as
// gm::kernel_covariance).
void covariance_of(const Axes& ax, double& a, double& b, double& c);
// Principal axes of an SPD covariance; angle in (-90, 90].
Axes axes_of_covariance(double a, double b, double c);

// Points of the ellipse at `k_sigma` standard deviations (Mahalanobis distance k), domain units.
std::vector<Vec2> ellipse_points(const Kernel& k, double k_sigma, int segments = 72);

// The shape handles: AxisX sits at centre + sx * u, AxisY at centre + sy * v, with u, v the unit
// principal directions. Dragging AxisX sets sx and the angle; dragging AxisY sets sy and the angle.
enum class Handle { Center, AxisX, AxisY };
Vec2 handle_position(const Kernel& k, Handle h);

// The kernel after its handle `h` is moved to domain point p. Keeps the kernel's form (sigma+angle
// or covariance). A handle dropped on the centre (|p - c| < 1e-12 times the current sigma) leaves
// the kernel unchanged. Centre moves the kernel to p. Angles are normalised into (-180, 180].
Kernel kernel_with_handle(const Kernel& k, Handle h, Vec2 p);

// `v` rounded to the decimal precision that a screen pixel of `unit` domain units justifies: to
// the nearest multiple of 10^floor(log10(unit)) (so one pixel spans 1 to 10 steps), and returned as
// the double nearest that decimal, which prints short (200.43, not 200.43280182232346).
double round_to_pixel(double v, double unit);
// A kernel as the mouse set it through handle `h`, with the numbers the drag changed rounded by
// round_to_pixel: the centre for Center; sigma x/y (`unit` the finer of the two axes) and the
// angle (to 0.1 degree) of a sigma-form kernel for AxisX / AxisY. A sigma that would round to 0
// keeps its value; covariance entries are left as computed.
Kernel round_for_screen(const Kernel& k, Handle h, Vec2 unit);

// Normalise an angle in degrees into (-180, 180].
double normalize_angle_deg(double deg);

// Mahalanobis distance squared of domain point p to kernel k's centre.
double mahalanobis2(const Kernel& k, Vec2 p);

}  // namespace gm::viewer
