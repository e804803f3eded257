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
  for (int j = 1; j <= 255; ++j) {
    float w;
    if (index_w(klo) >= j) {
      w = -inf;
    } else if (index_w(khi) < j) {
      w = inf;
    } else {  // smallest key with index >= j, in (klo, khi]
      std::uint32_t lo = klo, hi = khi;
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
