// color_thresholds.cpp — colour index thresholds by bisection (see color_thresholds.hpp).
#include "core/color_thresholds.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gm {

namespace {

// Float <-> a key whose unsigned order is the float order (NaNs excluded).
std::uint32_t float_key(float f) {
  auto b = std::bit_cast<std::uint32_t>(f);
  return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}
float key_float(std::uint32_t k) {
  return std::bit_cast<float>((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}

}  // namespace

int color_index(float v, ValueRange r, Scale s) {
  double t = normalize_value(double(v), r, s);
  long idx = std::lround(t * 255.0);
  return int(std::clamp(idx, 0L, 255L));
}

namespace {

// Where the formula puts the boundary between indices j - 1 and j (t = (j - 0.5) / 255), in
// float64: a guess for the bisection below, good to a few float steps where the range is sane.
// NaN where the formula has no such point.
double boundary_guess(int j, ValueRange r, Scale s) {
  const double t = (j - 0.5) / 255.0;
  if (s == Scale::Log) {
    const double floor = r.vmin > 0 ? r.vmin : r.vmax * 1e-6;
    const double lo = std::log10(floor), hi = std::log10(r.vmax);
    return std::pow(10.0, lo + t * (hi - lo));
  }
  return r.vmin + (s == Scale::Sqrt ? t * t : t) * (r.vmax - r.vmin);
}

}  // namespace

Thresholds color_thresholds(ValueRange r, Scale s) {
  Thresholds th;
  const float lowest = std::numeric_limits<float>::lowest(),
              highest = std::numeric_limits<float>::max();
  const float inf = std::numeric_limits<float>::infinity();
  th.nonfinite_index = color_index(std::numeric_limits<float>::quiet_NaN(), r, s);
  bool increasing = color_index(lowest, r, s) <= color_index(highest, r, s);
  th.sign = increasing ? 1.0f : -1.0f;
  // Work on w = sign * v, where the index is non-decreasing in w.
  auto index_w = [&](std::uint32_t key) { return color_index(th.sign * key_float(key), r, s); };
  const std::uint32_t klo = float_key(lowest), khi = float_key(highest);
  const int index_lo = index_w(klo), index_hi = index_w(khi);
  // Keys either side of the formula's own boundary bracket the search when they straddle it (a
  // dozen evaluations instead of 32); otherwise it runs over every float.
  constexpr std::uint32_t kBracket = 64;
  for (int j = 1; j <= 255; ++j) {
    float w;
    if (index_lo >= j) {
      w = -inf;
    } else if (index_hi < j) {
      w = inf;
    } else {  // smallest key with index >= j, in (klo, khi]
      std::uint32_t lo = klo, hi = khi;
      const float guess = th.sign * float(boundary_guess(j, r, s));
      if (std::isfinite(guess)) {
        const std::uint32_t g = float_key(guess);
        const std::uint32_t a = g - klo > kBracket ? g - kBracket : klo,
                            b = khi - g > kBracket ? g + kBracket : khi;
        if (index_w(a) < j && index_w(b) >= j) lo = a, hi = b;
      }
      while (hi - lo > 1) {
        std::uint32_t mid = lo + (hi - lo) / 2;
        (index_w(mid) >= j ? hi : lo) = mid;
      }
      w = key_float(hi);
    }
    th.start[std::size_t(j - 1)] =
        th.sign * w;  // stored in value units; the shader re-applies sign
  }
  return th;
}

}  // namespace gm
