// shot_checks.hpp — the picture measures behind the viewer's end-to-end checks: per-channel
// differences of two RGBA pictures, distinct colours in a rectangle, the most common colour's
// share. Used by tests/tools/viewer_check.cpp (the command the viewer scripts run) and self-tested
// on synthetic pictures in tests/viewer/test_shots.cpp.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "core/image_io.hpp"

namespace gm::test {

struct ShotDiff {
  int max = 0;      // largest |a - b| over the R, G, B channels (0..255)
  double mean = 0;  // mean |a - b| over every R, G, B channel
  double frac = 0;  // share of pixels with any channel differing
};

// a and b must have the same size.
inline ShotDiff diff_rgb(const Image& a, const Image& b) {
  ShotDiff d;
  const std::size_t n = std::size_t(a.width) * std::size_t(a.height);
  std::size_t differing = 0;
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bool any = false;
    for (int c = 0; c < 3; ++c) {
      const int x = std::abs(int(a.rgba[4 * i + c]) - int(b.rgba[4 * i + c]));
      d.max = std::max(d.max, x);
      sum += x;
      any = any || x != 0;
    }
    differing += any ? 1 : 0;
  }
  d.mean = n ? sum / double(3 * n) : 0;
  d.frac = n ? double(differing) / double(n) : 0;
  return d;
}

inline unsigned rgb_at(const Image& img, std::size_t i) {
  return unsigned(img.rgba[4 * i]) << 16 | unsigned(img.rgba[4 * i + 1]) << 8 | img.rgba[4 * i + 2];
}

// Distinct RGB colours in the rectangle [x0, x1) x [y0, y1), clipped to the picture.
inline std::size_t distinct_colors(const Image& img, int x0, int y0, int x1, int y1) {
  std::set<unsigned> s;
  for (int y = std::max(y0, 0); y < std::min(y1, img.height); ++y)
    for (int x = std::max(x0, 0); x < std::min(x1, img.width); ++x)
      s.insert(rgb_at(img, std::size_t(y) * std::size_t(img.width) + std::size_t(x)));
  return s.size();
}

// Share of the picture covered by its most common colour (1 for a blank picture).
inline double top_color_share(const Image& img) {
  std::map<unsigned, std::size_t> counts;
  const std::size_t n = std::size_t(img.width) * std::size_t(img.height);
  for (std::size_t i = 0; i < n; ++i) ++counts[rgb_at(img, i)];
  std::size_t top = 0;
  for (const auto& [c, k] : counts) top = std::max(top, k);
  return n ? double(top) / double(n) : 1.0;
}

// Width of the viewer's panel in a window shot: 380 px at scale 1, scaled with the window.
inline int panel_width(const Image& window) {
  return std::max(380, 380 * window.width / 1400);
}

}  // namespace gm::test
