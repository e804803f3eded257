// test_color_thresholds.cpp — the colour thresholds the GL colormap pass compares against
// (core/color_thresholds.hpp), checked without GL against colorize's own index mapping: for every
// scale and several ranges (reversed, log, constant), the index counted from the thresholds equals
// color_index at each threshold, one float below it, and at random values; non-finite values take
// nonfinite_index.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/color_thresholds.hpp"

using namespace gm;

namespace {

// The index colormap.frag computes: how many thresholds sign * v reaches.
int index_from(const Thresholds& th, float v) {
  if (std::isnan(v) || std::isinf(v)) return th.nonfinite_index;
  int n = 0;
  for (float t : th.start) n += th.sign * t <= th.sign * v ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("color thresholds: counting thresholds gives colorize's index") {
  std::mt19937_64 rng(7);
  const ValueRange ranges[] = {{0, 1}, {-3.5, 2e-3}, {1e-6, 10}, {5, -5}, {2, 2}};
  int checked = 0, wrong = 0;
  for (Scale s : {Scale::Linear, Scale::Sqrt, Scale::Log}) {
    for (ValueRange r : ranges) {
      const Thresholds th = color_thresholds(r, s);
      auto check = [&](float v) {
        ++checked;
        wrong += index_from(th, v) != color_index(v, r, s) ? 1 : 0;
      };
      for (float t : th.start) {
        if (!std::isfinite(t)) continue;
        check(t);
        check(std::nextafter(t, -std::numeric_limits<float>::infinity()));
        check(std::nextafter(t, std::numeric_limits<float>::infinity()));
      }
      const double lo = std::min(r.vmin, r.vmax) - 1, hi = std::max(r.vmin, r.vmax) + 1;
      std::uniform_real_distribution<double> u(lo, hi);
      for (int i = 0; i < 2000; ++i) check(float(u(rng)));
      CHECK(index_from(th, std::numeric_limits<float>::quiet_NaN()) ==
            color_index(std::numeric_limits<float>::quiet_NaN(), r, s));
    }
  }
  MESSAGE(checked << " values: " << wrong << " indices differ from colorize's");
  CHECK(wrong == 0);
}
