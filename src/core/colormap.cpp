// colormap.cpp — the 256-entry colormap tables (data in colormap_data.inc, generated from
// matplotlib by docs/tools/gen_colormaps.py), the view's value range, the value -> t mapping and
// the CPU colorizer. shaders/colormap.frag must map values the same way:
//   linear: t = clamp((v - vmin) / (vmax - vmin), 0, 1)
//   sqrt:   t = sqrt(linear t)                           (matplotlib PowerNorm(0.5); v < vmin -> 0)
//   log:    floor = vmin > 0 ? vmin : vmax * 1e-6;
//           t = clamp((log10(max(v, floor)) - log10(floor)) / (log10(vmax) - log10(floor)), 0, 1)
//           (vmax <= 0 -> 0)
//   non-finite values and degenerate ranges -> 0; index = round(255 t).
// colorize() gives, value for value, the colour of that formula (normalize_value in float64, then
// lround), faster: for linear and sqrt scales a float estimate with a proven error bound gives the
// index wherever it is not within that bound of a boundary (nearly everywhere), the formula the
// rest; the log scale counts the formula's own index boundaries (found once by bisection) on large
// pictures and runs the formula per pixel on small ones. Large pictures are split over threads.
// The fast path's sqrt sits inside a proven error bound: no errno, so that it vectorizes.
#pragma GCC optimize("no-math-errno", "no-trapping-math")

#include "colormap.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include "color_thresholds.hpp"
#include "page_hint.hpp"

namespace gm {

namespace {
#include "colormap_data.inc"
}  // namespace

const ColormapTable& colormap_table(Colormap c) {
  switch (c) {
    case Colormap::Viridis:
      return kViridisTable;
    case Colormap::Magma:
      return kMagmaTable;
    case Colormap::Inferno:
      return kInfernoTable;
    case Colormap::Plasma:
      return kPlasmaTable;
    case Colormap::Cividis:
      return kCividisTable;
    case Colormap::Turbo:
      return kTurboTable;
    case Colormap::Gray:
      return kGrayTable;
  }
  return kViridisTable;
}

namespace {

// Floats in value order as unsigned integers (and back): min/max over integers vectorize without
// -ffast-math. bits_key is float_key on the float's bits, by a mask rather than a branch (it
// vectorizes); finite_bits: the float is neither infinite nor NaN.
[[gnu::always_inline]] inline std::uint32_t bits_key(std::uint32_t b) {
  return b ^ (std::uint32_t(std::int32_t(b) >> 31) | 0x80000000u);
}
[[gnu::always_inline]] inline bool finite_bits(std::uint32_t b) {
  return (b & 0x7f800000u) != 0x7f800000u;
}
[[gnu::always_inline]] inline std::uint32_t float_key(float f) {
  return bits_key(std::bit_cast<std::uint32_t>(f));
}
float key_float(std::uint32_t k) {
  return std::bit_cast<float>(k & 0x80000000u ? k & 0x7fffffffu : ~k);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GM_COLOR_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GM_COLOR_CLONES
#endif

// Keys of the least and greatest finite values of x[0, n) (lo > hi: none).
GM_COLOR_CLONES void finite_key_range(const float* x, std::size_t n, std::uint32_t& lo,
                                      std::uint32_t& hi) {
  std::uint32_t a = 0xffffffffu, b = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, x + i, 4);
    // Non-finite values count as the key 0xffffffff for the least and 0 for the greatest, by
    // masks: a select here kept GCC from vectorizing the loop.
    const std::uint32_t k = bits_key(bits), nonfinite = std::uint32_t(!finite_bits(bits));
    a = std::min(a, k | (0u - nonfinite));
    b = std::max(b, k & (nonfinite - 1u));
  }
  lo = a, hi = b;
}

// Runs f(begin, end, band) over [0, n) split into `bands` parts on as many threads.
template <class F>
void for_bands(std::size_t n, int bands, const F& f) {
  if (bands <= 1) return f(std::size_t(0), n, 0);
  std::vector<std::thread> pool;
  for (int t = 1; t < bands; ++t)
    pool.emplace_back([&, t] {
      f(n * std::size_t(t) / std::size_t(bands), n * std::size_t(t + 1) / std::size_t(bands), t);
    });
  f(0, n / std::size_t(bands), 0);
  for (std::thread& th : pool) th.join();
}

// Threads for a picture of n pixels: one below 256k (a thread start costs more than it saves).
int bands_for(std::size_t n) {
  return n < (std::size_t(1) << 18) ? 1 : std::max(1, int(std::thread::hardware_concurrency()));
}

}  // namespace

ValueRange view_range(const View& v, const Field& f) {
  if (!v.range_auto) return {v.vmin, v.vmax};
  const int bands = bands_for(f.data.size());
  std::vector<std::uint32_t> los(static_cast<std::size_t>(bands)), his(los);
  for_bands(f.data.size(), bands, [&](std::size_t a, std::size_t b, int t) {
    finite_key_range(f.data.data() + a, b - a, los[std::size_t(t)], his[std::size_t(t)]);
  });
  const std::uint32_t klo = *std::min_element(los.begin(), los.end()),
                      khi = *std::max_element(his.begin(), his.end());
  if (klo > khi) return {0, 1};  // empty or no finite value
  const double lo = key_float(klo), hi = key_float(khi);
  if (lo == hi) {
    // A constant field maps as if its range were one unit wide (docs/semantics.md): a positive
    // constant at the top of [c - 1, c], zero or a negative constant at the bottom of [c, c + 1]
    // (all zeros -> [0, 1]).
    if (lo > 0) return {lo - 1, lo};
    return {lo, lo + 1};
  }
  return {lo, hi};
}

double normalize_value(double value, ValueRange r, Scale s) {
  if (!std::isfinite(value) || !std::isfinite(r.vmin) || !std::isfinite(r.vmax)) return 0;
  double t = 0;
  if (s == Scale::Log) {
    if (!(r.vmax > 0)) return 0;
    double floor = r.vmin > 0 ? r.vmin : r.vmax * 1e-6;
    double lo = std::log10(floor), hi = std::log10(r.vmax);
    if (!(hi > lo)) return 0;
    t = (std::log10(std::max(value, floor)) - lo) / (hi - lo);
  } else {
    if (!(r.vmax > r.vmin)) return 0;
    t = (value - r.vmin) / (r.vmax - r.vmin);
  }
  t = std::clamp(t, 0.0, 1.0);
  if (s == Scale::Sqrt) t = std::sqrt(t);
  return std::isfinite(t) ? t : 0.0;
}

namespace {

// The colormap index of a value: the formula itself (float64), the oracle of the fast path.
int index_of(float value, ValueRange r, Scale s) {
  const double t = normalize_value(value, r, s);
  return int(std::min<long>(std::lround(t * 255.0), 255));
}

// The index from float arithmetic for the linear and sqrt scales, where it is provably the
// formula's: s = 255 t + 0.5 from t ~ a v + b in float; the float64 formula's index is floor(S)
// for its own S, and |s - S| stays below a bound m from the float rounding (4 units of 2^-24 on
// |a v| + |b| + 1; its square root for sqrt, as |sqrt(x) - sqrt(y)| <= sqrt(|x - y|)), so where
// s is more than m from an integer, floor(s) is that index. Elsewhere -1: take the formula.
// Branch-free, so that it vectorizes.
struct FastIndex {
  float a = 0, b = 0;  // t before the scale ~ a v + b
  bool sqrt_scale = false;
  bool usable = false;

  FastIndex(ValueRange r, Scale s) : sqrt_scale(s == Scale::Sqrt) {
    if (s == Scale::Log) return;
    if (!(r.vmax > r.vmin) || !std::isfinite(r.vmin) || !std::isfinite(r.vmax)) {
      usable = true;  // the formula maps every value to 0: a = b = 0 gives that
      return;
    }
    a = float(1.0 / (r.vmax - r.vmin)), b = float(-r.vmin / (r.vmax - r.vmin));
    usable = std::isfinite(a) && std::isfinite(b) && std::isfinite(r.vmax - r.vmin);
  }
};

template <bool Sqrt>
[[gnu::always_inline]] inline void estimate_indices_t(const FastIndex& F, const float* __restrict x,
                                                      std::size_t n, std::int32_t* __restrict idx) {
  const float a = F.a, b = F.b;
  for (std::size_t i = 0; i < n; ++i) {
    const float v0 = x[i];
    const bool finite = std::fabs(v0) <= std::numeric_limits<float>::max();
    const float v = finite ? v0 : 0.0f;
    const float av = a * v;
    float t = av + b;
    t = t > 0.0f ? t : 0.0f;
    t = t < 1.0f ? t : 1.0f;
    float e = (std::fabs(av) + std::fabs(b) + 1.0f) * 2.4e-7f;
    if constexpr (Sqrt) t = __builtin_sqrtf(t), e = __builtin_sqrtf(e);
    const float sv = t * 255.0f + 0.5f, m = 255.0f * e + 4e-5f;
    const float fl = __builtin_floorf(sv), frac = sv - fl;
    const bool sure = frac > m && frac < 1.0f - m;
    idx[i] = !finite ? 0 : sure ? int(fl) : -1;
  }
}
GM_COLOR_CLONES void estimate_indices(const FastIndex& F, const float* x, std::size_t n,
                                      std::int32_t* idx) {
  if (F.sqrt_scale)
    estimate_indices_t<true>(F, x, n, idx);
  else
    estimate_indices_t<false>(F, x, n, idx);
}

// The log scale has no cheap float estimate with a bound. On large pictures its 255 index
// boundaries are found once, by bisection with the formula itself (color_thresholds.hpp, what the
// shader colours by too), and each pixel's index is the number of boundaries at or below it.
// That count comes from a table over the boundaries' span in float-key order (float_key: the
// order of the values as unsigned integers): a bucket of keys holds at most `probes` boundaries,
// its entry counts those below it, and the pixel compares itself with the next `probes` ones.
// For a log scale the keys are nearly uniform in log(value), so one probe does; the bisection
// over all 256 took 8 dependent loads a pixel.
struct StepIndex {
  static constexpr int kMaxBuckets = 1 << 14;
  static constexpr int kMaxProbes = 8;
  // Keys of sign * boundary (a zero counted as +0), ascending; past the last, keys no finite
  // value reaches, so that a probe may run past the end.
  std::array<std::uint32_t, 255 + kMaxProbes> keys{};
  std::vector<std::int32_t> below;  // per bucket: the boundaries whose key is below its first
  std::uint32_t base = 0;           // key of the first bucket: of the first finite boundary
  int shift = 0, probes = 0;        // bucket width 2^shift keys; 0 probes: no bucket table
  float wmin = 0;                   // the first finite boundary (sign * value)...
  std::int32_t first = 0;           // ...and the index of every value below it
  float sign = 1;
  std::int32_t nonfinite = 0;

  StepIndex(ValueRange r, Scale s) {
    const Thresholds th = color_thresholds(r, s);
    sign = th.sign, nonfinite = th.nonfinite_index;
    for (std::size_t j = 0; j < 255; ++j) keys[j] = float_key(th.sign * th.start[j] + 0.0f);
    std::fill(keys.begin() + 255, keys.end(), 0xffffffffu);
    // The finite boundaries (keys in order: -inf below every finite value, +inf above).
    const float inf = std::numeric_limits<float>::infinity();
    std::size_t last = 255;
    while (std::size_t(first) < 255 && keys[std::size_t(first)] == float_key(-inf)) ++first;
    while (last > std::size_t(first) && keys[last - 1] == float_key(inf)) --last;
    if (std::size_t(first) == last) {  // no finite boundary: every finite value has index `first`
      below.assign(1, first);
      wmin = inf, base = float_key(inf), shift = 0, probes = 1;
      return;
    }
    wmin = th.sign * th.start[std::size_t(first)] + 0.0f;
    base = keys[std::size_t(first)];
    const std::uint32_t span = keys[last - 1] - base;
    shift = std::max(0, int(std::bit_width(span)) - int(std::bit_width(unsigned(kMaxBuckets))) + 1);
    for (;; --shift) {
      const std::size_t buckets = std::size_t(span >> shift) + 1;
      below.assign(buckets, 0);
      int most = 0, run = 0;
      for (std::size_t j = std::size_t(first), prev = buckets; j < last; ++j) {
        const std::size_t bucket = (keys[j] - base) >> shift;
        run = bucket == prev ? run + 1 : 1, prev = bucket;
        most = std::max(most, run);
      }
      for (std::size_t b = 0, j = 0; b < buckets; ++b) {
        const std::uint64_t start = std::uint64_t(base) + (std::uint64_t(b) << shift);
        while (j < 255 && keys[j] < start) ++j;
        below[b] = std::int32_t(j);
      }
      probes = most <= 1 ? 1 : most <= 2 ? 2 : most <= 4 ? 4 : most <= kMaxProbes ? 8 : 0;
      if (probes > 0 || shift == 0 || buckets * 2 > std::size_t(kMaxBuckets) * 4) break;
    }
  }
};
// Below this many pixels the formula per pixel costs less than finding the boundaries.
constexpr std::size_t kStepIndexPixels = 1 << 15;

// Written for GCC's vectorizer (gathers for the two lookups): values below the first finite
// boundary are clamped up to it before their key is taken and given `first` after, as a
// saturating key subtraction kept the loop scalar.
template <int Probes>
[[gnu::always_inline]] inline void step_indices_t(const StepIndex& S, const float* __restrict x,
                                                  std::size_t n, std::int32_t* __restrict idx) {
  const std::uint32_t* __restrict keys = S.keys.data();
  const std::int32_t* __restrict below = S.below.data();
  const std::uint32_t base = S.base, last = std::uint32_t(S.below.size() - 1);
  const int shift = S.shift;
  const float sign = S.sign, wmin = S.wmin;
  const std::int32_t first = S.first, nonfinite = S.nonfinite;
  for (std::size_t i = 0; i < n; ++i) {
    const bool finite = std::fabs(x[i]) <= std::numeric_limits<float>::max();
    const float w = sign * (finite ? x[i] : 0.0f) + 0.0f;  // + 0: a zero counts as +0
    const std::uint32_t k = float_key(w > wmin ? w : wmin);
    const std::uint32_t d = std::min((k - base) >> shift, last);
    const std::int32_t at = below[std::int32_t(d)];
    std::int32_t pos = at;
    for (int p = 0; p < Probes; ++p) pos += keys[at + p] <= k ? 1 : 0;
    pos = w < wmin ? first : pos;
    idx[i] = finite ? pos : nonfinite;
  }
}

// Boundaries packed closer than the table resolves (a range a few floats wide): the count by
// bisection over all of them.
[[gnu::always_inline]] inline void step_indices_bisect(const StepIndex& S, const float* x,
                                                       std::size_t n, std::int32_t* idx) {
  for (std::size_t i = 0; i < n; ++i) {
    const bool finite = std::fabs(x[i]) <= std::numeric_limits<float>::max();
    const std::uint32_t k = float_key(S.sign * (finite ? x[i] : 0.0f) + 0.0f);
    const auto* at = std::upper_bound(S.keys.begin(), S.keys.begin() + 255, k);
    idx[i] = finite ? std::int32_t(at - S.keys.begin()) : S.nonfinite;
  }
}

// Whether every value of x[0, n) is finite and below the first finite boundary (index `first`).
[[gnu::always_inline]] inline bool all_below(const StepIndex& S, const float* __restrict x,
                                             std::size_t n) {
  const float sign = S.sign, wmin = S.wmin;
  unsigned other = 0;
  for (std::size_t i = 0; i < n; ++i)
    other |= unsigned(!(std::fabs(x[i]) <= std::numeric_limits<float>::max()) |
                      !(sign * x[i] + 0.0f < wmin));
  return other == 0;
}

// Runs of 64 values all below the first boundary get their index without a lookup: on a log
// scale that is the background of a heat map (values under the floor), most of a picture of
// separated points, where the gathers of the lookups cost the most.
GM_COLOR_CLONES void step_indices(const StepIndex& S, const float* x, std::size_t n,
                                  std::int32_t* idx) {
  constexpr std::size_t kRun = 64;
  for (std::size_t c = 0; c < n; c += kRun) {
    const std::size_t m = std::min(kRun, n - c);
    if (all_below(S, x + c, m)) {
      std::fill_n(idx + c, m, S.first);
      continue;
    }
    switch (S.probes) {
      case 1:
        step_indices_t<1>(S, x + c, m, idx + c);
        break;
      case 2:
        step_indices_t<2>(S, x + c, m, idx + c);
        break;
      case 4:
        step_indices_t<4>(S, x + c, m, idx + c);
        break;
      case 8:
        step_indices_t<8>(S, x + c, m, idx + c);
        break;
      default:
        step_indices_bisect(S, x + c, m, idx + c);
    }
  }
}

GM_COLOR_CLONES void write_rgba(const std::uint32_t* words, const std::int32_t* idx, std::size_t n,
                                std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = words[idx[i]];
}

GM_COLOR_CLONES void write_rgb(const std::uint32_t* words, const std::int32_t* idx, std::size_t n,
                               std::uint8_t* out) {
  // Four bytes stored a pixel, three kept: the last pixel's fourth byte would pass the row's end.
  std::size_t i = 0;
  for (; i + 1 < n; ++i) std::memcpy(out + 3 * i, &words[idx[i]], 4);
  for (; i < n; ++i) std::memcpy(out + 3 * i, &words[idx[i]], 3);
}

}  // namespace

struct Colorizer::Impl {
  Impl(const View& v, ValueRange range, std::size_t pixels)
      : r(range), scale(v.scale), fast(range, v.scale) {
    const ColormapTable& table = colormap_table(v.colormap);
    for (int k = 0; k < 256; ++k) {  // RGBA words of the table, alpha 255
      const std::uint8_t px[4] = {table[std::size_t(k)][0], table[std::size_t(k)][1],
                                  table[std::size_t(k)][2], 255};
      std::memcpy(&words[k], px, 4);
    }
    if (!fast.usable && pixels >= kStepIndexPixels) stepped.emplace(range, v.scale);
  }

  // The colormap indices of x[0, n), n <= kChunk.
  void indices(const float* x, std::size_t n, std::int32_t* idx) const {
    if (fast.usable) {
      estimate_indices(fast, x, n, idx);
      for (std::size_t i = 0; i < n; ++i)
        if (idx[i] < 0) idx[i] = index_of(x[i], r, scale);
    } else if (stepped) {
      step_indices(*stepped, x, n, idx);
    } else {
      for (std::size_t i = 0; i < n; ++i) idx[i] = index_of(x[i], r, scale);
    }
  }

  // f(x, n, idx, offset) over chunks of x[0, n) with their indices.
  template <class F>
  void chunks(const float* x, std::size_t n, const F& f) const {
    std::int32_t idx[kChunk];
    for (std::size_t c = 0; c < n; c += kChunk) {
      const std::size_t m = std::min(kChunk, n - c);
      indices(x + c, m, idx);
      f(idx, m, c);
    }
  }

  static constexpr std::size_t kChunk = 4096;
  ValueRange r;
  Scale scale;
  FastIndex fast;
  std::optional<StepIndex> stepped;
  std::uint32_t words[256];
};

Colorizer::Colorizer(const View& v, ValueRange r, std::size_t pixels)
    : impl_(std::make_unique<Impl>(v, r, pixels)) {}
Colorizer::~Colorizer() = default;

void Colorizer::rgba(const float* x, std::size_t n, std::uint8_t* out) const {
  impl_->chunks(x, n, [&](const std::int32_t* idx, std::size_t m, std::size_t c) {
    std::uint32_t px[Impl::kChunk];
    write_rgba(impl_->words, idx, m, px);
    std::memcpy(out + 4 * c, px, 4 * m);
  });
}

void Colorizer::rgb(const float* x, std::size_t n, std::uint8_t* out) const {
  impl_->chunks(x, n, [&](const std::int32_t* idx, std::size_t m, std::size_t c) {
    write_rgb(impl_->words, idx, m, out + 3 * c);
  });
}

Image colorize(const Field& f, const View& v) {
  const Colorizer colors(v, view_range(v, f), f.data.size());
  Image img;
  img.width = f.width, img.height = f.height;
  resize_output(img.rgba, f.data.size() * 4);
  for_bands(f.data.size(), bands_for(f.data.size()), [&](std::size_t a, std::size_t b, int) {
    colors.rgba(f.data.data() + a, b - a, img.rgba.data() + 4 * a);
  });
  return img;
}

}  // namespace gm
