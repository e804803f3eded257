// scene_plain.cpp — the plain-form scene reader (scene_plain.hpp): one pass over the text, a
// Scene built as it goes; any surprise gives up (nullopt) and leaves the text to the general
// reader.
//
// Numbers: a token of JSON's grammar, converted by std::from_chars (correctly rounded, as the
// strtod behind nlohmann). An integer token is what nlohmann stores as an integer and the general
// reader converts to double: the same value, except "-0", which is the integer 0 there (+0.0).
// Tokens that do not convert cleanly (past the double range, subnormal) give up.
#include "scene_plain.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "page_hint.hpp"

namespace gm {

namespace {

class PlainReader {
 public:
  PlainReader(std::string_view text, GridUse use)
      : p_(text.data()),
        end_(text.data() + text.size()),
        max_side_(use == GridUse::Whole ? Limits::kMaxSide : Limits::kMaxStreamSide) {}

  std::optional<Scene> scene() {
    static constexpr std::string_view kKeys[] = {
        "gaussmap", "width",    "height",       "domain",  "normalization",
        "combine",  "sampling", "cutoff_sigma", "kernels", "view"};
    Scene s;
    unsigned seen = 0;
    if (!object(kKeys, seen, [&](int key) { return top_value(key, s); })) return std::nullopt;
    ws();
    if (p_ != end_) return std::nullopt;
    constexpr unsigned kRequired = (1u << kWidth) | (1u << kHeight) | (1u << kKernels);
    if ((seen & kRequired) != kRequired) return std::nullopt;
    return s;
  }

 private:
  enum TopKey {
    kGaussmap,
    kWidth,
    kHeight,
    kDomain,
    kNorm,
    kCombine,
    kSampling,
    kCutoff,
    kKernels,
    kView
  };

  const char* p_;
  const char* end_;
  int max_side_;

  bool top_value(int key, Scene& s) {
    double v = 0;
    switch (key) {
      case kGaussmap:
        return number(v) && v == 1.0;
      case kWidth:
        return integer(s.width, 1, max_side_);
      case kHeight:
        return integer(s.height, 1, max_side_);
      case kDomain:
        return domain(s);
      case kNorm:
        return enum_value(s.normalization, parse_normalization);
      case kCombine:
        return enum_value(s.combine, parse_combine);
      case kSampling:
        return enum_value(s.sampling, parse_sampling);
      case kCutoff:
        if (literal("null")) return true;
        if (!number(v)) return false;
        s.cutoff_sigma = v;
        return true;
      case kKernels:
        return kernels(s);
      case kView:
        return view(s.view);
    }
    return false;
  }

  // --- tokens

  void ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool eat(char c) {
    ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool literal(std::string_view word) {
    ws();
    if (std::size_t(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }
  // A string of printable ASCII with no escapes.
  bool string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* s = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(s, std::size_t(p_ - s));
        ++p_;
        return true;
      }
      if (c < 0x20 || c >= 0x80 || c == '\\') return false;
      ++p_;
    }
    return false;
  }
  bool key(std::string_view& k) { return string(k) && eat(':'); }
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  bool digits() {
    if (p_ == end_ || !digit(*p_)) return false;
    while (p_ != end_ && digit(*p_)) ++p_;
    return true;
  }
  // A number token; `integral`: no fraction and no exponent.
  bool number(double& v, bool* integral = nullptr) {
    ws();
    const char* s = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ != end_ && *p_ == '0')
      ++p_;
    else if (!digits())
      return false;
    bool whole = true;
    if (p_ != end_ && *p_ == '.') {
      ++p_, whole = false;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_, whole = false;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    const auto [q, ec] = std::from_chars(s, p_, v);
    if (ec != std::errc() || q != p_ || !std::isfinite(v)) return false;
    if (whole && v == 0) v = 0.0;  // "-0" is the integer 0
    if (integral) *integral = whole;
    return true;
  }
  bool integer(int& out, int lo, int hi) {
    double v = 0;
    bool whole = false;
    if (!number(v, &whole) || !whole || v < lo || v > hi) return false;
    out = int(v);
    return true;
  }
  bool boolean(bool& out) {
    if (literal("true")) return out = true, true;
    if (literal("false")) return out = false, true;
    return false;
  }
  template <class E>
  bool enum_value(E& out, std::optional<E> (*parse)(const std::string&)) {
    std::string_view s;
    if (!string(s)) return false;
    const std::optional<E> e = parse(std::string(s));
    if (!e) return false;
    out = *e;
    return true;
  }
  bool pair(double& a, double& b) {
    return eat('[') && number(a) && eat(',') && number(b) && eat(']');
  }

  // --- objects

  // An object whose keys are among `names`, each at most once: read(i) reads the value of
  // names[i]. `seen` gets one bit per key read.
  template <std::size_t N, class Read>
  bool object(const std::string_view (&names)[N], unsigned& seen, Read&& read) {
    static_assert(N <= 32);
    if (!eat('{')) return false;
    if (eat('}')) return true;
    do {
      std::string_view k;
      if (!key(k)) return false;
      std::size_t i = 0;
      while (i < N && names[i] != k) ++i;
      if (i == N || (seen & (1u << i))) return false;
      seen |= 1u << i;
      if (!read(int(i))) return false;
    } while (eat(','));
    return eat('}');
  }

  bool domain(Scene& s) {
    static constexpr std::string_view kKeys[] = {"x", "y"};
    unsigned seen = 0;
    return object(kKeys, seen, [&](int key) {
      std::array<double, 2> d{};
      if (!pair(d[0], d[1])) return false;
      (key == 0 ? s.domain_x : s.domain_y) = d;
      return true;
    });
  }

  bool kernels(Scene& s) {
    if (!eat('[')) return false;
    if (eat(']')) return true;
    // Room for every kernel at once: each opens with a '{', so their count bounds the list (the
    // growth by doubling faulted in and copied twice the list's memory).
    const auto braces = std::count(p_, end_, '{');
    s.kernels.reserve(std::size_t(std::min<std::ptrdiff_t>(braces, Limits::kMaxKernels)));
    prepare_output_pages(s.kernels.data(), s.kernels.capacity() * sizeof(Kernel));
    do {
      if (s.kernels.size() >= std::size_t(Limits::kMaxKernels)) return false;
      if (!kernel(s.kernels.emplace_back())) return false;
    } while (eat(','));
    return eat(']');
  }

  bool kernel(Kernel& k) {
    enum { kCenter, kSigma, kAngle, kCovariance, kWeight, kVisible };
    static constexpr std::string_view kKeys[] = {"center",     "sigma",  "angle_deg",
                                                 "covariance", "weight", "visible"};
    unsigned seen = 0;
    double angle = 0, c[2][2] = {};
    const bool read = object(kKeys, seen, [&](int key) {
      switch (key) {
        case kCenter:
          return pair(k.cx, k.cy);
        case kSigma:
          return pair(k.sx, k.sy);
        case kAngle:
          return number(angle);
        case kCovariance:
          return eat('[') && pair(c[0][0], c[0][1]) && eat(',') && pair(c[1][0], c[1][1]) &&
                 eat(']');
        case kWeight:
          return number(k.weight);
        default:
          return boolean(k.visible);
      }
    });
    if (!read) return false;
    const bool sigma = seen & (1u << kSigma), cov = seen & (1u << kCovariance);
    if (!(seen & (1u << kCenter)) || sigma == cov) return false;
    if (sigma) {
      if (seen & (1u << kAngle)) k.angle_deg = angle;
      return true;
    }
    if (seen & (1u << kAngle)) return false;
    // As the general reader: symmetric within 1e-12 of the largest entry, b the mean of the two.
    const double b01 = c[0][1], b10 = c[1][0];
    const double scale =
        std::max({std::abs(c[0][0]), std::abs(c[1][1]), std::abs(b01), std::abs(b10)});
    if (std::abs(b01 - b10) > 1e-12 * scale) return false;
    k.use_covariance = true;
    k.sx = 1, k.sy = 1, k.angle_deg = 0;
    k.cov_xx = c[0][0], k.cov_yy = c[1][1];
    k.cov_xy = b01 == b10 ? b01 : b01 + (b10 - b01) / 2;
    return true;
  }

  bool view(View& v) {
    enum { kColormap, kRange, kScale, kContours, kOutlines };
    static constexpr std::string_view kKeys[] = {"colormap", "range", "scale", "contours",
                                                 "outlines"};
    unsigned seen = 0;
    return object(kKeys, seen, [&](int key) {
      switch (key) {
        case kColormap:
          return enum_value(v.colormap, parse_colormap);
        case kRange:
          if (literal("\"auto\"")) return true;
          v.range_auto = false;
          return pair(v.vmin, v.vmax);
        case kScale:
          return enum_value(v.scale, parse_scale);
        case kContours:
          return integer(v.contour_levels, 0, Limits::kMaxContourLevels);
        default:
          return boolean(v.outlines);
      }
    });
  }
};

}  // namespace

std::optional<Scene> read_plain_scene(std::string_view text, GridUse use) {
  return PlainReader(text, use).scene();
}

}  // namespace gm
