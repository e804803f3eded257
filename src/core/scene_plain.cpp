// scene_plain.cpp — the plain-form scene reader (scene_plain.hpp): a handler of nlohmann's SAX
// events that fills a Scene as they come; any event outside the plain form stops the parse
// (nullopt) and leaves the text to the general reader.
//
// Both readers take their tokens from the same nlohmann lexer, so numbers and strings arrive
// converted the same way: an integer token as number_integer (with '-') or number_unsigned, which
// the general reader stores as an integer and reads as double(v) ("-0" is the integer 0 there, so
// +0.0); other tokens as number_float, by strtod; a token past the double range (1e999) as a
// parse error. Strings arrive with their escapes decoded, as the general reader sees them.
#include "scene_plain.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "page_hint.hpp"

namespace gm {

namespace {

using json = nlohmann::json;

class PlainSax final : public nlohmann::json_sax<json> {
 public:
  PlainSax(std::string_view text, GridUse use)
      : text_(text), max_side_(use == GridUse::Whole ? Limits::kMaxSide : Limits::kMaxStreamSide) {}

  Scene scene;
  bool complete = false;  // the top-level object closed with every required key

  bool null() override { return want_ == kCutoff && value_done(); }

  bool boolean(bool v) override {
    if (want_ == kVisible)
      scene.kernels.back().visible = v;
    else if (want_ == kOutlines)
      scene.view.outlines = v;
    else
      return false;
    return value_done();
  }

  // Integer tokens: the integer slots take them within their limits, the others as doubles.
  bool number_integer(number_integer_t v) override {
    if (int lo = 0, hi = 0; integer_slot(lo, hi)) return v >= lo && v <= hi && set_integer(int(v));
    return number(static_cast<double>(v));
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (int lo = 0, hi = 0; integer_slot(lo, hi))
      return v >= number_unsigned_t(lo) && v <= number_unsigned_t(hi) && set_integer(int(v));
    return number(static_cast<double>(v));
  }
  // Fraction or exponent: never an integer slot (the general reader takes 8e2 for 800; the plain
  // form does not).
  bool number_float(number_float_t v, const string_t&) override {
    if (int lo = 0, hi = 0; integer_slot(lo, hi)) return false;
    return number(v);
  }

  bool string(string_t& s) override {
    switch (want_) {
      case kNorm:
        return enum_value(scene.normalization, parse_normalization, s);
      case kCombine:
        return enum_value(scene.combine, parse_combine, s);
      case kSampling:
        return enum_value(scene.sampling, parse_sampling, s);
      case kColormap:
        return enum_value(scene.view.colormap, parse_colormap, s);
      case kScale:
        return enum_value(scene.view.scale, parse_scale, s);
      case kRange:
        return s == "auto" && value_done();
      default:
        return false;
    }
  }

  bool binary(binary_t&) override { return false; }

  bool start_object(std::size_t) override {
    switch (want_) {
      case kRoot:
        return open(kTopObject);
      case kDomain:
        return open(kDomainObject);
      case kView:
        return open(kViewObject);
      case kKernel:
        if (scene.kernels.size() >= std::size_t(Limits::kMaxKernels)) return false;
        scene.kernels.emplace_back();
        angle_ = 0;
        return open(kKernelObject);
      default:
        return false;
    }
  }

  // A key of the object being read: known there and not seen before in it.
  bool key(string_t& k) override {
    Frame& f = frames_[depth_ - 1];
    if (f.kind > kViewObject) return false;
    const int first = kFirstKey[f.kind], end = kFirstKey[f.kind + 1];
    int w = first;
    while (w < end && kKeyNames[w - kGaussmap] != k) ++w;
    const unsigned bit = 1u << (w - first);
    if (w == end || (f.seen & bit)) return false;
    f.seen |= bit;
    want_ = Want(w);
    return true;
  }

  bool end_object() override {
    const Frame f = frames_[--depth_];
    if (f.kind == kTopObject) {
      constexpr unsigned kRequired = (1u << (kWidth - kGaussmap)) | (1u << (kHeight - kGaussmap)) |
                                     (1u << (kKernels - kGaussmap));
      complete = (f.seen & kRequired) == kRequired;
      return complete;
    }
    if (f.kind == kKernelObject && !kernel_done(scene.kernels.back(), f.seen)) return false;
    return value_done();
  }

  bool start_array(std::size_t) override {
    switch (want_) {
      case kKernels: {
        // Room for every kernel at once: each opens with a '{', so their count bounds the list
        // (the growth by doubling faulted in and copied twice the list's memory).
        const auto braces = std::count(text_.begin(), text_.end(), '{');
        scene.kernels.reserve(std::size_t(std::min<std::ptrdiff_t>(braces, Limits::kMaxKernels)));
        prepare_output_pages(scene.kernels.data(), scene.kernels.capacity() * sizeof(Kernel));
        return open(kKernelList);
      }
      case kCovariance:
        rows_ = 0;
        return open(kMatrix);
      case kCenter:
      case kSigma:
      case kDomainX:
      case kDomainY:
      case kRange:
      case kRow:
        pair_for_ = want_, pair_n_ = 0;
        return open(kPair);
      default:
        return false;
    }
  }

  bool end_array() override {
    const FrameKind kind = frames_[--depth_].kind;
    if (kind == kPair && !pair_done()) return false;
    if (kind == kMatrix && rows_ != 2) return false;
    return value_done();
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // What the next value is for: a key of the object being read, or an element of the array.
  enum Want : int {
    kNone,  // between members: only a key or the end of the object comes
    kRoot,
    kEnd,  // after the top-level object
    // keys of the top-level object (the order of kKeyNames)
    kGaussmap,
    kWidth,
    kHeight,
    kDomain,
    kNorm,
    kCombine,
    kSampling,
    kCutoff,
    kKernels,
    kView,
    // keys of "domain"
    kDomainX,
    kDomainY,
    // keys of a kernel
    kCenter,
    kSigma,
    kAngle,
    kCovariance,
    kWeight,
    kVisible,
    // keys of "view"
    kColormap,
    kRange,
    kScale,
    kContours,
    kOutlines,
    // array elements
    kKernel,    // of "kernels"
    kRow,       // of "covariance": a pair
    kPairElem,  // of a pair: a number
  };
  // The keys, in the order of their slots from kGaussmap on.
  static constexpr std::string_view kKeyNames[] = {
      "gaussmap",   "width",    "height",       "domain",   "normalization",
      "combine",    "sampling", "cutoff_sigma", "kernels",  "view",
      "x",          "y",        "center",       "sigma",    "angle_deg",
      "covariance", "weight",   "visible",      "colormap", "range",
      "scale",      "contours", "outlines"};

  enum FrameKind {
    kTopObject,
    kDomainObject,
    kKernelObject,
    kViewObject,
    kKernelList,
    kMatrix,
    kPair
  };
  // The slots of each object's keys: kFirstKey[kind] up to kFirstKey[kind + 1].
  static constexpr Want kFirstKey[] = {kGaussmap, kDomainX, kCenter, kColormap, kKernel};
  static_assert(std::size(kKeyNames) == kKernel - kGaussmap);
  struct Frame {
    FrameKind kind;
    unsigned seen;  // objects: one bit per key read, in the key list's order
  };

  std::string_view text_;
  int max_side_;
  Want want_ = kRoot;
  // Open containers: the plain form nests at most top, kernels, kernel, covariance, row.
  std::array<Frame, 5> frames_{};
  int depth_ = 0;
  double pair_[2] = {};
  int pair_n_ = 0;
  Want pair_for_ = kNone;  // the slot the pair being read fills
  double cov_[2][2] = {};
  int rows_ = 0;
  double angle_ = 0;  // of the kernel being read, kept until its form is known

  bool open(FrameKind kind) {
    frames_[depth_++] = {kind, 0};
    want_ = kind == kKernelList ? kKernel
            : kind == kMatrix   ? kRow
            : kind == kPair     ? kPairElem
                                : kNone;
    return true;
  }

  // A value is complete: what comes next is what the enclosing container holds.
  bool value_done() {
    if (depth_ == 0) {
      want_ = kEnd;
      return true;
    }
    switch (frames_[depth_ - 1].kind) {
      case kKernelList:
        want_ = kKernel;
        break;
      case kMatrix:
        want_ = kRow;
        break;
      case kPair:
        want_ = kPairElem;
        break;
      default:
        want_ = kNone;
    }
    return true;
  }

  bool integer_slot(int& lo, int& hi) const {
    if (want_ == kWidth || want_ == kHeight) return lo = 1, hi = max_side_, true;
    if (want_ == kContours) return lo = 0, hi = Limits::kMaxContourLevels, true;
    return false;
  }
  bool set_integer(int v) {
    (want_ == kWidth    ? scene.width
     : want_ == kHeight ? scene.height
                        : scene.view.contour_levels) = v;
    return value_done();
  }

  // A number in a slot that is not an integer's, as the general reader's get<double>() gives it.
  bool number(double v) {
    switch (want_) {
      case kGaussmap:
        if (v != 1.0) return false;
        break;
      case kCutoff:
        scene.cutoff_sigma = v;
        break;
      case kAngle:
        angle_ = v;
        break;
      case kWeight:
        scene.kernels.back().weight = v;
        break;
      case kPairElem:
        if (pair_n_ == 2) return false;
        pair_[pair_n_++] = v;
        return true;
      default:
        return false;
    }
    return value_done();
  }

  template <class E>
  bool enum_value(E& out, std::optional<E> (*parse)(const std::string&), const std::string& s) {
    const std::optional<E> e = parse(s);
    if (!e) return false;
    out = *e;
    return value_done();
  }

  bool pair_done() {
    if (pair_n_ != 2) return false;
    const double a = pair_[0], b = pair_[1];
    switch (pair_for_) {
      case kCenter:
        scene.kernels.back().cx = a, scene.kernels.back().cy = b;
        break;
      case kSigma:
        scene.kernels.back().sx = a, scene.kernels.back().sy = b;
        break;
      case kDomainX:
        scene.domain_x = std::array<double, 2>{a, b};
        break;
      case kDomainY:
        scene.domain_y = std::array<double, 2>{a, b};
        break;
      case kRange:
        scene.view.range_auto = false, scene.view.vmin = a, scene.view.vmax = b;
        break;
      default:  // kRow
        if (rows_ == 2) return false;
        cov_[rows_][0] = a, cov_[rows_][1] = b;
        ++rows_;
    }
    return true;
  }

  // The kernel's keys are read: its form (sigma, or covariance) as the general reader decides it.
  bool kernel_done(Kernel& k, unsigned seen) const {
    auto has = [seen](Want key) { return (seen & (1u << (key - kCenter))) != 0; };
    const bool sigma = has(kSigma), cov = has(kCovariance);
    if (!has(kCenter) || sigma == cov) return false;
    if (sigma) {
      if (has(kAngle)) k.angle_deg = angle_;
      return true;
    }
    if (has(kAngle)) return false;
    return set_covariance(k, cov_[0][0], cov_[0][1], cov_[1][0], cov_[1][1]);
  }
};

}  // namespace

std::optional<Scene> read_plain_scene(std::string_view text, GridUse use) {
  PlainSax sax(text, use);
  // Strict (nothing but blanks after the object), no comments: as the general reader parses.
  if (!json::sax_parse(text, &sax, json::input_format_t::json, true, false) || !sax.complete)
    return std::nullopt;
  return std::move(sax.scene);
}

}  // namespace gm
