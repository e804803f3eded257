// vec2.hpp — a plain double 2-vector for the viewer's math (screen pixels or domain units; the
// variable names say which). ImGui's ImVec2 is float and stays in the UI code.
#pragma once

#include <cmath>

namespace gm::viewer {

struct Vec2 {
  double x = 0, y = 0;
  friend Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
  friend Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
  friend Vec2 operator*(Vec2 a, double s) { return {a.x * s, a.y * s}; }
  friend Vec2 operator*(double s, Vec2 a) { return {a.x * s, a.y * s}; }
  friend bool operator==(Vec2 a, Vec2 b) { return a.x == b.x && a.y == b.y; }
};
inline double length(Vec2 a) {
  return std::hypot(a.x, a.y);
}

}  // namespace gm::viewer
