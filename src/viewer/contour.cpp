// contour.cpp — contour levels and marching squares (see contour.hpp).
#include "viewer/contour.hpp"

#include <algorithm>
#include <cmath>

namespace gm::viewer {

double value_at_t(double t, ValueRange r, Scale s) {
  t = std::clamp(t, 0.0, 1.0);
  if (s == Scale::Log) {
    if (!(r.vmax > 0)) return r.vmin;
    double floor = r.vmin > 0 ? r.vmin : r.vmax * 1e-6;
    double lo = std::log10(floor), hi = std::log10(r.vmax);
    return std::pow(10.0, lo + t * (hi - lo));
  }
  if (s == Scale::Sqrt) t = t * t;
  return r.vmin + t * (r.vmax - r.vmin);
}

std::vector<double> contour_levels(ValueRange r, Scale s, int count) {
  std::vector<double> out;
  if (count <= 0 || !std::isfinite(r.vmin) || !std::isfinite(r.vmax)) return out;
  if (s == Scale::Log ? !(r.vmax > 0) : !(r.vmax > r.vmin)) return out;
  for (int i = 1; i <= count; ++i) out.push_back(value_at_t(double(i) / (count + 1), r, s));
  return out;
}

std::vector<Segment> contour_segments(const Field& f, const Grid& grid, double level, int stride) {
  std::vector<Segment> out;
  stride = std::max(stride, 1);
  if (f.width < 2 || f.height < 2 || !std::isfinite(level)) return out;
  auto domain = [&](double col, double row) {
    return Vec2{grid.x0 + col * grid.dx, grid.y0 + row * grid.dy};
  };
  // Where along [a, b] the level is crossed (0..1).
  auto cross = [&](double va, double vb) {
    double d = vb - va;
    return d != 0 ? std::clamp((level - va) / d, 0.0, 1.0) : 0.5;
  };
  for (int r = 0; r < f.height - 1; r += stride) {
    int r1 = std::min(r + stride, f.height - 1);
    for (int c = 0; c < f.width - 1; c += stride) {
      int c1 = std::min(c + stride, f.width - 1);
      double v00 = f.at(r, c), v01 = f.at(r, c1), v11 = f.at(r1, c1), v10 = f.at(r1, c);
      if (!std::isfinite(v00) || !std::isfinite(v01) || !std::isfinite(v11) || !std::isfinite(v10))
        continue;
      int idx = (v00 >= level ? 1 : 0) | (v01 >= level ? 2 : 0) | (v11 >= level ? 4 : 0) |
                (v10 >= level ? 8 : 0);
      if (idx == 0 || idx == 15) continue;
      // Edge crossing points in pixel coordinates: top (00-01), right (01-11), bottom (10-11), left
      // (00-10).
      double cw = c1 - c, rh = r1 - r;
      Vec2 top{c + cw * cross(v00, v01), double(r)};
      Vec2 right{double(c1), r + rh * cross(v01, v11)};
      Vec2 bottom{c + cw * cross(v10, v11), double(r1)};
      Vec2 left{double(c), r + rh * cross(v00, v10)};
      auto emit = [&](Vec2 a, Vec2 b) { out.push_back({domain(a.x, a.y), domain(b.x, b.y)}); };
      switch (idx) {
        case 1:
        case 14:
          emit(left, top);
          break;
        case 2:
        case 13:
          emit(top, right);
          break;
        case 3:
        case 12:
          emit(left, right);
          break;
        case 4:
        case 11:
          emit(right, bottom);
          break;
        case 6:
        case 9:
          emit(top, bottom);
          break;
        case 7:
        case 8:
          emit(left, bottom);
          break;
        case 5:
        case 10: {
          bool centre_high = 0.25 * (v00 + v01 + v11 + v10) >= level;
          // idx 5: corners 00 and 11 high.
          if ((idx == 5) == centre_high) {
            emit(left, bottom);
            emit(top, right);
          } else {
            emit(left, top);
            emit(right, bottom);
          }
          break;
        }
        default:
          break;
      }
    }
  }
  return out;
}

}  // namespace gm::viewer
