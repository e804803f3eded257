// colorbar.cpp — nice ticks and labels (see colorbar.hpp).
#include "viewer/colorbar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gm::viewer {

double nice_step(double span, int max_ticks) {
  span = std::abs(span);
  if (!(span > 0) || !std::isfinite(span)) return 1;
  double raw = span / std::max(max_ticks - 1, 1);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double m = norm <= 1 + 1e-9     ? 1
             : norm <= 2 + 1e-9   ? 2
             : norm <= 2.5 + 1e-9 ? 2.5
             : norm <= 5 + 1e-9   ? 5
                                  : 10;
  return m * mag;
}

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> out;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return out;
  if (hi < lo) std::swap(lo, hi);
  if (!(hi > lo)) {
    out.push_back(lo);
    return out;
  }
  double step = nice_step(hi - lo, max_ticks);
  double eps = step * 1e-6;
  double first = std::ceil((lo - eps) / step);
  double last = std::floor((hi + eps) / step);
  for (double i = first; i <= last && out.size() < 1000; i += 1) {
    double v = i * step;
    if (std::abs(v) < step * 1e-9) v = 0;
    out.push_back(v);
  }
  return out;
}

namespace {
// "2.5e-05" -> "2.5e-5", "1e+06" -> "1e6", "1.0e-04" -> "1e-4".
std::string tidy_exponent(std::string s) {
  auto e = s.find('e');
  if (e == std::string::npos) return s;
  std::string mant = s.substr(0, e), exp = s.substr(e + 1);
  if (mant.find('.') != std::string::npos) {  // "1.0" -> "1", "2.50" -> "2.5"
    while (!mant.empty() && mant.back() == '0') mant.pop_back();
    if (!mant.empty() && mant.back() == '.') mant.pop_back();
  }
  bool neg = !exp.empty() && exp[0] == '-';
  if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.erase(0, 1);
  while (exp.size() > 1 && exp[0] == '0') exp.erase(0, 1);
  return mant + "e" + (neg ? "-" : "") + exp;
}
}  // namespace

std::string format_tick(double value, double step) {
  char buf[64];
  if (value == 0) return "0";
  step = std::abs(step);
  if (!(step > 0)) step = std::abs(value);
  double mag = std::abs(value);
  double step_exp = std::floor(std::log10(step) + 1e-9);
  if (mag >= 1e5 || mag < 1e-3) {
    int p = int(std::max(0.0, std::floor(std::log10(mag) + 1e-9) - step_exp));
    std::snprintf(buf, sizeof buf, "%.*e", std::min(p, 12), value);
    return tidy_exponent(buf);
  }
  int decimals = int(std::max(0.0, -step_exp));
  // A step such as 2.5 * 10^k needs one more digit than its power of ten.
  double scaled = step / std::pow(10.0, step_exp);
  if (std::abs(scaled - std::round(scaled)) > 1e-6) ++decimals;
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), value);
  return buf;
}

std::vector<Tick> colorbar_ticks(ValueRange range, Scale scale, int max_ticks, double min_dt) {
  std::vector<Tick> ticks;
  double lo = range.vmin, hi = range.vmax;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  max_ticks = std::max(max_ticks, 2);
  auto add = [&](double v, const std::string& label) {
    double t = normalize_value(v, range, scale);
    if (!(t >= -1e-9 && t <= 1 + 1e-9)) return;
    ticks.push_back({v, std::clamp(t, 0.0, 1.0), label});
  };
  bool done = false;
  if (scale == Scale::Log && hi > 0) {
    double floor_lo = lo > 0 ? lo : hi * 1e-6;  // the floor normalize_value uses
    if (hi > floor_lo) {
      double k0 = std::ceil(std::log10(floor_lo) - 1e-9), k1 = std::floor(std::log10(hi) + 1e-9);
      int count = int(k1 - k0) + 1;
      if (count >= 2) {
        int stride = (count + max_ticks - 1) / max_ticks;
        // One style for the whole bar: plain decimals when every decade fits them, else 1eK.
        bool plain = k0 >= -3 && k1 <= 4;
        for (double k = k0; k <= k1; k += stride) {
          double v = std::pow(10.0, k);
          char buf[32];
          if (plain || k == 0)
            add(v, format_tick(v, v));
          else
            std::snprintf(buf, sizeof buf, "1e%d", int(k)), add(v, buf);
        }
        done = true;
      } else {
        // Less than two decades: 1, 2, 5 times powers of ten.
        std::vector<double> vals;
        for (double k = k0 - 1; k <= k1; k += 1)
          for (double m : {1.0, 2.0, 5.0}) {
            double v = m * std::pow(10.0, k);
            if (v >= floor_lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) vals.push_back(v);
          }
        if (vals.size() >= 2 && int(vals.size()) <= max_ticks) {
          for (double v : vals) add(v, format_tick(v, v));
          done = true;
        } else {
          lo = floor_lo;
        }
      }
    }
  }
  if (!done) {
    auto vals = nice_ticks(lo, hi, max_ticks);
    double step = vals.size() >= 2 ? vals[1] - vals[0] : std::abs(lo);
    for (double v : vals) add(v, format_tick(v, step));
  }
  if (min_dt > 0 && ticks.size() > 1) {
    std::vector<Tick> kept;
    for (auto& t : ticks)
      if (kept.empty() || std::abs(t.t - kept.back().t) >= min_dt) kept.push_back(std::move(t));
    ticks = std::move(kept);
  }
  return ticks;
}

}  // namespace gm::viewer
