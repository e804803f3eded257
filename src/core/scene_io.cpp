// scene_io.cpp — scene JSON load/save and validation (docs/semantics.md: scenes and files).
//
// Loading runs in three steps, each with a bounded cost before anything large is built:
//   1. size and nesting depth are checked by a plain scan of the text (no recursion, so a
//      100,000-deep "[[[[..." cannot overflow the stack);
//   2. nlohmann's SAX parser builds the DOM through our handler, which keeps the key path of the
//      value being read (so "1e999" is reported as "kernels[0].sigma[1]: number out of range"),
//      rejects duplicate keys and stops as soon as "kernels" holds more than kMaxKernels entries;
//   3. the DOM is walked with a path string: unknown keys and wrong types are reported there,
//      every semantic rule is then checked once by validate() on the resulting Scene.
// Texts in the plain form skip steps 1 to 3 (scene_plain.hpp: nlohmann's SAX parser straight into
// the Scene, no DOM, the same Scene); whatever that reader does not take, errors included, runs
// through these steps.
// Fields a scene form does not use (sx/sy/angle of a covariance kernel, cov_* of a sigma kernel,
// vmin/vmax under "range": "auto") are not written and load as their defaults.
#include "scene_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>
#include <type_traits>

#include "errors.hpp"
#include "image_io.hpp"
#include "kernel_math.hpp"
#include "page_hint.hpp"
#include "scene_plain.hpp"

namespace gm {

namespace {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Message helpers

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  throw InputError((path.empty() ? std::string("scene") : path) + ": " + msg);
}

// A key path given as a base, an optional index and a suffix ("kernels", 3, ".center[0]"), joined
// only when a message needs it: a scene of 50,000 kernels passes through the checks below a
// million times.
struct KeyPath {
  static constexpr std::size_t kNoIndex = std::size_t(-1);
  KeyPath(const std::string& b, const char* s = "") : base(b), suffix(s) {}
  KeyPath(const char* b) : base(b) {}
  KeyPath(const char* b, std::size_t i, const char* s) : base(b), at(i), suffix(s) {}
  std::string str() const {
    return std::string(base) + (at == kNoIndex ? "" : "[" + std::to_string(at) + "]") + suffix;
  }
  std::string_view base;
  std::size_t at = kNoIndex;
  const char* suffix = "";
};

// Shortest round-trip text of a double ("-2", "0.1", "1e+300", "inf", "nan").
std::string num(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string quote_json(const std::string& s) {
  std::string q = json(s).dump(-1, ' ', true, json::error_handler_t::replace);
  if (q.size() > 80) q = q.substr(0, 76) + "...\"";
  return q;
}

// Control and non-ASCII bytes as \xNN, so that a message stays one line of ASCII.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// A JSON value as it appears in a message: its text when short, else its kind.
std::string describe(const json& j) {
  std::string s = j.dump(-1, ' ', true, json::error_handler_t::replace);
  if (s.size() <= 60) return s;
  if (j.is_array()) return "an array of " + std::to_string(j.size()) + " elements";
  if (j.is_object()) return "an object with " + std::to_string(j.size()) + " keys";
  return s.substr(0, 57) + "...";
}

std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

template <class E>
std::string choices(const char* (*name)(E), int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s += (i ? ", \"" : "\"") + std::string(name(E(i))) + "\"";
  return s;
}

// ---------------------------------------------------------------------------------------------
// Step 1: size and depth, by a scan that knows about strings.

void check_text_limits(const std::string& text) {
  if (static_cast<long long>(text.size()) > Limits::kMaxSceneBytes)
    fail("scene", "text is " + std::to_string(text.size()) + " bytes, over the limit of " +
                      std::to_string(Limits::kMaxSceneBytes) + " bytes (kMaxSceneBytes)");
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > Limits::kMaxJsonDepth)
        fail("scene", "JSON nested deeper than " + std::to_string(Limits::kMaxJsonDepth) +
                          " levels (kMaxJsonDepth) at byte " + std::to_string(i + 1));
    } else if (c == ']' || c == '}') {
      --depth;  // unbalanced text is the parser's to report
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Step 2: SAX handler that builds the DOM and knows the key path of the value being read.

// Bounds the DOM whatever the text holds: a kernel is at most 14 values (object, center 3,
// covariance 7, weight, visible, ...), so a scene of kMaxKernels kernels stays far below this.
constexpr long long kMaxJsonValues = 16LL * Limits::kMaxKernels + 4096;

class PathSax {
 public:
  json root;
  std::string error;  // set when a callback returned false

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(json(v)); }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t&) { return stop("scene", "binary values are not JSON"); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    Frame& f = stack_.back();
    if (f.node->contains(k)) return stop(f.path, "duplicate key " + quote_json(k));
    key_ = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    if (ex.id == 406) {  // number overflow: strtod gave +-inf (e.g. 1e999)
      std::string path = child_path();
      return stop(path.empty() ? "scene" : path,
                  "number out of range (not a finite double), got " + last_token);
    }
    // nlohmann's text is "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error while parsing value - ..."; keep what follows the location.
    std::string what = ex.what();
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    if (what.rfind("parse error", 0) == 0) {
      if (auto p = what.find(": "); p != std::string::npos) what = what.substr(p + 2);
    }
    return stop("scene",
                "invalid JSON at byte " + std::to_string(position) + ": " + printable(what));
  }

 private:
  struct Frame {
    json* node;
    std::string path;  // key path of this container
  };
  std::vector<Frame> stack_;
  std::string key_;
  long long values_ = 0;

  bool stop(const std::string& path, const std::string& msg) {
    error = (path.empty() ? std::string("scene") : path) + ": " + msg;
    return false;
  }

  std::string child_path() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    // Keys are the user's text: made printable so that a message stays one line.
    if (f.node->is_object())
      return f.path.empty() ? printable(key_) : f.path + "." + printable(key_);
    return index(f.path, f.node->size());
  }

  json* insert(json&& v) {
    if (++values_ > kMaxJsonValues) return nullptr;
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Frame& f = stack_.back();
    if (f.node->is_object()) return &((*f.node)[key_] = std::move(v));
    // The kernel-count limit, checked while reading so that a huge list is never built.
    if (stack_.size() == 2 && f.path == "kernels" &&
        f.node->size() >= static_cast<std::size_t>(Limits::kMaxKernels))
      return nullptr;
    f.node->push_back(std::move(v));
    return &f.node->back();
  }

  bool add(json&& v) {
    if (!insert(std::move(v))) return too_many();
    return true;
  }
  bool open(json&& v) {
    if (stack_.size() >= static_cast<std::size_t>(Limits::kMaxJsonDepth))
      return stop("scene", "JSON nested deeper than " + std::to_string(Limits::kMaxJsonDepth) +
                               " levels (kMaxJsonDepth)");
    std::string path = child_path();
    json* node = insert(std::move(v));
    if (!node) return too_many();
    stack_.push_back({node, std::move(path)});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  bool too_many() {
    if (values_ > kMaxJsonValues)
      return stop("scene", "more than " + std::to_string(kMaxJsonValues) +
                               " JSON values, more than a scene of kMaxKernels kernels holds");
    return stop("kernels", "more than " + std::to_string(Limits::kMaxKernels) +
                               " kernels, over the limit (kMaxKernels)");
  }
};

json parse_json(const std::string& text) {
  check_text_limits(text);
  PathSax sax;
  bool ok = json::sax_parse(text, &sax, json::input_format_t::json, true, false);
  if (!ok) throw InputError(sax.error.empty() ? "scene: invalid JSON" : sax.error);
  return std::move(sax.root);
}

// ---------------------------------------------------------------------------------------------
// Step 3: typed access with key paths.

void check_keys(const json& obj, const std::string& path,
                std::initializer_list<const char*> allowed) {
  for (const auto& [k, v] : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (known) continue;
    const char* best = nullptr;
    std::size_t best_d = 3;  // suggest only within two edits
    for (const char* a : allowed) {
      std::size_t d = edit_distance(k, a);
      if (d < best_d) best_d = d, best = a;
    }
    fail(path, "unknown key " + quote_json(k) +
                   (best ? " (did you mean \"" + std::string(best) + "\"?)" : std::string()));
  }
}

void expect_object(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object, got " + describe(j));
}

double get_number(const json& j, KeyPath path) {
  if (!j.is_number()) fail(path.str(), "expected a number, got " + describe(j));
  double v = j.get<double>();
  if (!std::isfinite(v)) fail(path.str(), "must be finite, got " + describe(j));
  return v;
}

// An integer in [lo, hi]; integral floats (8e2) are accepted.
long long get_integer(const json& j, const std::string& path, long long lo, long long hi) {
  long long v = 0;
  if (j.is_number_unsigned()) {
    auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(hi))
      fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                     describe(j));
    v = static_cast<long long>(u);
  } else if (j.is_number_integer()) {
    v = j.get<std::int64_t>();
  } else if (j.is_number_float() && std::isfinite(j.get<double>()) &&
             j.get<double>() == std::trunc(j.get<double>())) {
    double d = j.get<double>();
    if (d < double(lo) || d > double(hi))
      fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                     describe(j));
    v = static_cast<long long>(d);
  } else {
    fail(path, "expected an integer, got " + describe(j));
  }
  if (v < lo || v > hi)
    fail(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", got " +
                   std::to_string(v));
  return v;
}

const std::string& get_string(const json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "expected a string, got " + describe(j));
  return j.get_ref<const std::string&>();
}

bool get_bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) fail(path, "expected true or false, got " + describe(j));
  return j.get<bool>();
}

std::array<double, 2> get_pair(const json& j, KeyPath path) {
  if (!j.is_array() || j.size() != 2)
    fail(path.str(), "expected an array of 2 numbers, got " + describe(j));
  auto element = [&](std::size_t i) {
    const json& e = j[i];
    if (e.is_number() && std::isfinite(e.get<double>())) return e.get<double>();
    return get_number(e, index(path.str(), i));  // fails, naming the element
  };
  return {element(0), element(1)};
}

template <class E>
E get_enum(const json& j, const std::string& path, std::optional<E> (*parse)(const std::string&),
           const char* (*name)(E), int count) {
  const std::string& s = get_string(j, path);
  auto e = parse(s);
  if (!e) fail(path, "must be one of " + choices(name, count) + ", got " + quote_json(s));
  return *e;
}

Kernel read_kernel(const json& j, const std::string& path) {
  expect_object(j, path);
  check_keys(j, path, {"center", "sigma", "angle_deg", "covariance", "weight", "visible"});
  Kernel k;
  if (!j.contains("center")) fail(path, "missing required key \"center\"");
  auto c = get_pair(j["center"], {path, ".center"});
  k.cx = c[0], k.cy = c[1];
  bool has_sigma = j.contains("sigma"), has_cov = j.contains("covariance");
  if (has_sigma && has_cov) fail(path, "give either \"sigma\" or \"covariance\", not both");
  if (!has_sigma && !has_cov) fail(path, "missing required key \"sigma\" (or \"covariance\")");
  if (has_sigma) {
    auto s = get_pair(j["sigma"], {path, ".sigma"});
    k.sx = s[0], k.sy = s[1];
    if (j.contains("angle_deg")) k.angle_deg = get_number(j["angle_deg"], {path, ".angle_deg"});
  } else {
    if (j.contains("angle_deg"))
      fail(path + ".angle_deg", "not allowed with \"covariance\" (rotate the covariance instead)");
    const std::string cpath = path + ".covariance";
    const json& m = j["covariance"];
    if (!m.is_array() || m.size() != 2)
      fail(cpath, "expected a 2x2 array [[a, b], [b, c]], got " + describe(m));
    auto r0 = get_pair(m[0], index(cpath, 0));
    auto r1 = get_pair(m[1], index(cpath, 1));
    if (!set_covariance(k, r0[0], r0[1], r1[0], r1[1]))
      fail(cpath, "must be symmetric (b == b), got [[" + num(r0[0]) + ", " + num(r0[1]) + "], [" +
                      num(r1[0]) + ", " + num(r1[1]) + "]]");
  }
  if (j.contains("weight")) k.weight = get_number(j["weight"], {path, ".weight"});
  if (j.contains("visible")) k.visible = get_bool(j["visible"], path + ".visible");
  return k;
}

View read_view(const json& j, const std::string& path) {
  expect_object(j, path);
  check_keys(j, path, {"colormap", "range", "scale", "contours", "outlines"});
  View v;
  if (j.contains("colormap"))
    v.colormap =
        get_enum<Colormap>(j["colormap"], path + ".colormap", parse_colormap, to_string, 7);
  if (j.contains("range")) {
    const json& r = j["range"];
    const std::string rpath = path + ".range";
    if (r.is_string()) {
      if (r.get_ref<const std::string&>() != "auto")
        fail(rpath, "expected \"auto\" or [vmin, vmax], got " + describe(r));
    } else if (r.is_array() && r.size() == 2) {
      auto p = get_pair(r, rpath);
      v.range_auto = false, v.vmin = p[0], v.vmax = p[1];
    } else {
      fail(rpath, "expected \"auto\" or [vmin, vmax], got " + describe(r));
    }
  }
  if (j.contains("scale"))
    v.scale = get_enum<Scale>(j["scale"], path + ".scale", parse_scale, to_string, 3);
  if (j.contains("contours"))
    v.contour_levels =
        int(get_integer(j["contours"], path + ".contours", 0, Limits::kMaxContourLevels));
  if (j.contains("outlines")) v.outlines = get_bool(j["outlines"], path + ".outlines");
  return v;
}

Scene read_scene(const json& root, GridUse use) {
  if (!root.is_object())
    fail("scene", "expected a JSON object at the top level, got " + describe(root));
  check_keys(root, "",
             {"gaussmap", "width", "height", "domain", "normalization", "combine", "sampling",
              "cutoff_sigma", "kernels", "view"});
  Scene s;
  if (root.contains("gaussmap")) {
    const json& g = root["gaussmap"];
    if (!g.is_number() || g.get<double>() != 1.0)
      fail("scene", "format version \"gaussmap\": " + describe(g) +
                        " is not supported (this build reads version 1)");
  }
  for (const char* key : {"width", "height", "kernels"})
    if (!root.contains(key)) fail("scene", std::string("missing required key \"") + key + "\"");
  const int max_side = use == GridUse::Whole ? Limits::kMaxSide : Limits::kMaxStreamSide;
  s.width = int(get_integer(root["width"], "width", 1, max_side));
  s.height = int(get_integer(root["height"], "height", 1, max_side));
  if (root.contains("domain")) {
    const json& d = root["domain"];
    expect_object(d, "domain");
    check_keys(d, "domain", {"x", "y"});
    if (d.contains("x")) s.domain_x = get_pair(d["x"], "domain.x");
    if (d.contains("y")) s.domain_y = get_pair(d["y"], "domain.y");
  }
  if (root.contains("normalization"))
    s.normalization = get_enum<Normalization>(root["normalization"], "normalization",
                                              parse_normalization, to_string, 2);
  if (root.contains("combine"))
    s.combine = get_enum<Combine>(root["combine"], "combine", parse_combine, to_string, 3);
  if (root.contains("sampling"))
    s.sampling = get_enum<Sampling>(root["sampling"], "sampling", parse_sampling, to_string, 2);
  if (root.contains("cutoff_sigma") && !root["cutoff_sigma"].is_null())
    s.cutoff_sigma = get_number(root["cutoff_sigma"], "cutoff_sigma");
  const json& ks = root["kernels"];
  if (!ks.is_array()) fail("kernels", "expected an array, got " + describe(ks));
  if (ks.size() > static_cast<std::size_t>(Limits::kMaxKernels))
    fail("kernels", std::to_string(ks.size()) + " kernels, over the limit of " +
                        std::to_string(Limits::kMaxKernels) + " (kMaxKernels)");
  s.kernels.reserve(ks.size());
  for (std::size_t i = 0; i < ks.size(); ++i)
    s.kernels.push_back(read_kernel(ks[i], index("kernels", i)));
  if (root.contains("view")) s.view = read_view(root["view"], "view");
  validate(s, use);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Semantic checks shared by the loader and validate().

void check_finite(double v, KeyPath path) {
  if (!std::isfinite(v)) fail(path.str(), "must be finite, got " + num(v));
}

void check_positive(double v, KeyPath path) {
  check_finite(v, path);
  if (!(v > 0)) fail(path.str(), "must be > 0, got " + num(v));
}

void check_side(int v, const char* path, GridUse use) {
  const bool whole = use == GridUse::Whole;
  const int max_side = whole ? Limits::kMaxSide : Limits::kMaxStreamSide;
  if (v < 1 || v > max_side)
    fail(path, "must be between 1 and " + std::to_string(max_side) +
                   (whole ? " (kMaxSide), got " : " (kMaxStreamSide), got ") + std::to_string(v));
}

void check_coordinate(double v, KeyPath path) {
  if (!(std::abs(v) <= Limits::kMaxCoordinate))
    fail(path.str(),
         "must be within +-" + num(Limits::kMaxCoordinate) + " (kMaxCoordinate), got " + num(v));
}

void check_sigma(double sd, KeyPath path) {
  if (!(sd >= Limits::kMinSigma && sd <= Limits::kMaxSigma))
    fail(path.str(), "standard deviation " + num(sd) + " is outside " + num(Limits::kMinSigma) +
                         ".." + num(Limits::kMaxSigma) + " (kMinSigma..kMaxSigma)");
}

void check_domain(const std::optional<std::array<double, 2>>& d, int size, const char* path,
                  const char* size_name) {
  if (!d) return;
  const std::string p = path;
  check_finite((*d)[0], index(p, 0));
  check_finite((*d)[1], index(p, 1));
  check_coordinate((*d)[0], index(p, 0));
  check_coordinate((*d)[1], index(p, 1));
  if (size > 1 && (*d)[0] == (*d)[1])
    fail(p, std::string("first and last must differ when ") + size_name + " > 1, got [" +
                num((*d)[0]) + ", " + num((*d)[1]) + "]");
  if (!std::isfinite((*d)[1] - (*d)[0]))
    fail(p, "span last - first overflows, got [" + num((*d)[0]) + ", " + num((*d)[1]) + "]");
}

// Kernel i of the scene; its key paths ("kernels[i]...") are made only for a message.
void check_kernel(const Kernel& k, std::size_t i, Normalization norm) {
  auto path = [i](const char* suffix) { return KeyPath("kernels", i, suffix); };
  check_finite(k.cx, path(".center[0]"));
  check_finite(k.cy, path(".center[1]"));
  check_coordinate(k.cx, path(".center[0]"));
  check_coordinate(k.cy, path(".center[1]"));
  check_finite(k.weight, path(".weight"));
  const KeyPath shape_path = path(k.use_covariance ? ".covariance" : ".sigma");
  if (k.use_covariance) {
    check_finite(k.cov_xx, path(".covariance[0][0]"));
    check_finite(k.cov_xy, path(".covariance[0][1]"));
    check_finite(k.cov_yy, path(".covariance[1][1]"));
    if (!(k.cov_xx > 0) || !(k.cov_xx * k.cov_yy - k.cov_xy * k.cov_xy > 0))
      fail(shape_path.str(), "must be positive definite (a > 0 and a*c - b^2 > 0), got [[" +
                                 num(k.cov_xx) + ", " + num(k.cov_xy) + "], [" + num(k.cov_xy) +
                                 ", " + num(k.cov_yy) + "]]");
  } else {
    check_positive(k.sx, path(".sigma[0]"));
    check_positive(k.sy, path(".sigma[1]"));
    check_sigma(k.sx, path(".sigma[0]"));
    check_sigma(k.sy, path(".sigma[1]"));
    check_finite(k.angle_deg, path(".angle_deg"));
  }
  // What the evaluators compute must be finite and meaningful: catches sigma^2 under/overflow and
  // rotated kernels so thin that float64 cannot tell the covariance from a singular one
  // (det / (a c) = 1 - rho^2 below 1e-12, i.e. a sigma ratio beyond about 1e6).
  Gaussian g = resolve(k, norm, std::nullopt);
  check_sigma(std::sqrt(g.a), shape_path);  // marginal standard deviations, any form
  check_sigma(std::sqrt(g.c), shape_path);
  bool shape_ok = std::isfinite(g.a) && std::isfinite(g.c) && std::isfinite(g.det) && g.a > 0 &&
                  g.c > 0 && g.det > 1e-12 * g.a * g.c && std::isfinite(g.ia) &&
                  std::isfinite(g.ib) && std::isfinite(g.ic);
  if (!shape_ok)
    fail(shape_path.str(), "covariance is numerically degenerate in float64 (det = " + num(g.det) +
                               "); when rotated, keep sx/sy within 1e6");
  if (!(std::abs(g.amp) <= Limits::kMaxPeak))
    fail(path(".weight").str(), "peak value " + num(g.amp) + " is over " + num(Limits::kMaxPeak) +
                                    " (kMaxPeak; weight " + num(k.weight) + ", det " + num(g.det) +
                                    ")");
}

// ---------------------------------------------------------------------------------------------
// Writing

// The scene's JSON, written straight from the Scene (no DOM: a 50,000-kernel scene is 4 MB of
// text, and building nlohmann's ordered DOM for it cost about five times the writing). Numbers
// are formatted by nlohmann's own shortest round-trip routine, so the text is what
// ordered_json::dump gives. `spaced` selects ", " and ": " separators (the indented file form)
// over "," and ":" (the compact one).
class SceneWriter {
 public:
  SceneWriter(std::string& out, bool spaced)
      : out_(out), item_(spaced ? ", " : ","), colon_(spaced ? ": " : ":") {}

  void number(double v) {
    char buf[64];
    char* end = buf;
    if (!std::isfinite(v)) {
      out_ += "null";
      return;
    }
    // Integral values print as integers ("100" rather than "100.0"); both load as the same double.
    if (v == std::trunc(v) && std::abs(v) < 1e15 && !(v == 0 && std::signbit(v)))
      end = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v)).ptr;
    else
      end = nlohmann::detail::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, end);
  }
  void pair(double a, double b) {
    out_ += '[';
    number(a);
    out_ += item_;
    number(b);
    out_ += ']';
  }
  void key(const char* k) {
    out_ += '"';
    out_ += k;
    out_ += '"';
    out_ += colon_;
  }
  void string(const char* s) {  // enum names: ASCII, nothing to escape
    out_ += '"';
    out_ += s;
    out_ += '"';
  }
  void item() { out_ += item_; }
  void null() { out_ += "null"; }

  void kernel(const Kernel& k) {
    out_ += '{';
    key("center");
    pair(k.cx, k.cy);
    item();
    if (k.use_covariance) {
      key("covariance");
      out_ += '[';
      pair(k.cov_xx, k.cov_xy);
      item();
      pair(k.cov_xy, k.cov_yy);
      out_ += ']';
    } else {
      key("sigma");
      pair(k.sx, k.sy);
      item();
      key("angle_deg");
      number(k.angle_deg);
    }
    item();
    key("weight");
    number(k.weight);
    if (!k.visible) {
      item();
      key("visible");
      out_ += "false";
    }
    out_ += '}';
  }

  void domain(const Scene& s) {
    out_ += '{';
    if (s.domain_x) key("x"), pair((*s.domain_x)[0], (*s.domain_x)[1]);
    if (s.domain_x && s.domain_y) item();
    if (s.domain_y) key("y"), pair((*s.domain_y)[0], (*s.domain_y)[1]);
    out_ += '}';
  }

  void view(const View& v) {
    out_ += '{';
    key("colormap");
    string(to_string(v.colormap));
    item();
    key("range");
    if (v.range_auto)
      string("auto");
    else
      pair(v.vmin, v.vmax);
    item();
    key("scale");
    string(to_string(v.scale));
    item();
    key("contours");
    out_ += std::to_string(v.contour_levels);
    item();
    key("outlines");
    out_ += v.outlines ? "true" : "false";
    out_ += '}';
  }

 private:
  std::string& out_;
  const char* item_;
  const char* colon_;
};

// The top-level members in file order, each written by `member(key, write_value)`;
// `kernels(write_list)` stands for the kernel list.
template <class Member>
void scene_members(const Scene& s, SceneWriter& w, Member&& member) {
  member("gaussmap", [&] { w.number(1); });
  member("width", [&] { w.number(s.width); });
  member("height", [&] { w.number(s.height); });
  if (s.domain_x || s.domain_y) member("domain", [&] { w.domain(s); });
  member("normalization", [&] { w.string(to_string(s.normalization)); });
  member("combine", [&] { w.string(to_string(s.combine)); });
  member("sampling", [&] { w.string(to_string(s.sampling)); });
  member("cutoff_sigma", [&] {
    if (s.cutoff_sigma)
      w.number(*s.cutoff_sigma);
    else
      w.null();
  });
  member("kernels", nullptr);
  member("view", [&] { w.view(s.view); });
}

}  // namespace

Scene scene_from_json_text(const std::string& text, GridUse use) {
  // The plain form without a DOM first (scene_plain.hpp); every other text, valid or not, goes
  // through the general reader, the only one that words messages.
  if (static_cast<long long>(text.size()) <= Limits::kMaxSceneBytes) {
    if (std::optional<Scene> s = read_plain_scene(text, use)) {
      validate(*s, use);
      return std::move(*s);
    }
  }
  return scene_from_json_text_general(text, use);
}

Scene scene_from_json_text_general(const std::string& text, GridUse use) {
  return read_scene(parse_json(text), use);
}

namespace {
constexpr const char* kPngKind = "a PNG image";

// The first `n` bytes of a file ("" when it cannot be read: read_file then says why).
std::string read_head(const std::string& path, std::size_t n) {
  std::ifstream f(path, std::ios::binary);
  std::string out(n, '\0');
  if (!f) return {};
  f.read(out.data(), std::streamsize(n));
  out.resize(std::size_t(std::max<std::streamsize>(f.gcount(), 0)));
  return out;
}
}  // namespace

std::string non_scene_kind(std::string_view bytes) {
  auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
  if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return bytes.empty() ? "an empty file" : "a file of only whitespace";
  // A scene is a JSON object: its first non-blank byte is '{'. Everything else is looked at
  // more closely; text that merely is not a scene is left to the JSON parser's message.
  struct Magic {
    std::string_view bytes;
    const char* kind;
  };
  static constexpr Magic kMagic[] = {
      {"\x89PNG\r\n\x1a\n", kPngKind},
      {"\x93NUMPY", "a NumPy array (.npy)"},
      {"\xff\xd8\xff", "a JPEG image"},
      {"GIF87a", "a GIF image"},
      {"GIF89a", "a GIF image"},
      {"II*\0", "a TIFF image"},
      {"MM\0*", "a TIFF image"},
      {"\x1f\x8b", "gzip-compressed data"},
      {"PK\x03\x04", "a zip archive (or .npz, .docx, ...)"},
      {"PK\x05\x06", "an empty zip archive"},
      {"BZh", "bzip2-compressed data"},
      {"\xfd"
       "7zXZ\0",
       "xz-compressed data"},
      {"(\xb5/\xfd", "zstd-compressed data"},
      {"%PDF-", "a PDF document"},
      {"\x7f"
       "ELF",
       "an executable (ELF)"},
      {"\x89HDF\r\n\x1a\n", "an HDF5 file"},
      {"\xff\xfe", "UTF-16 text (save the scene as UTF-8)"},
      {"\xfe\xff", "UTF-16 text (save the scene as UTF-8)"},
  };
  for (const Magic& m : kMagic)
    if (starts(m.bytes)) return m.kind;
  std::size_t first = bytes.find_first_not_of(" \t\r\n");
  if (bytes[first] == '{') return "";
  // Binary: control bytes (other than blanks) in the first 4 KiB.
  std::string_view head = bytes.substr(0, 4096);
  std::size_t control = 0;
  for (unsigned char c : head)
    control += (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f;
  if (control > 0) return "binary data";
  return "";
}

Scene load_scene(const std::string& path, GridUse use) {
  // Every message names the file: "PATH: key.path: what" (read_file's own messages already do).
  auto in_file = [&](const std::string& msg) {
    return msg.find(path) == std::string::npos ? path + ": " + msg : msg;
  };
  const char* expected = "; expected a scene .json (a JSON object) or a PNG written by gaussmap";
  try {
    bool png_name = path.size() >= 4 && (path.compare(path.size() - 4, 4, ".png") == 0 ||
                                         path.compare(path.size() - 4, 4, ".PNG") == 0);
    if (png_name || non_scene_kind(read_head(path, 8)) == kPngKind) {
      std::string head = read_head(path, 4096);
      if (non_scene_kind(head) != kPngKind) {
        // Named .png but not one. read_file reports a missing / unreadable file.
        std::string kind = non_scene_kind(read_file(path, Limits::kMaxSceneBytes));
        throw InputError("png: not a PNG file (" +
                         (kind.empty() ? std::string("it holds text") : "it is " + kind) + ")");
      }
      std::optional<std::string> text = read_png_scene(path);
      if (!text)
        throw InputError("a PNG image that carries no gaussmap scene (no \"gaussmap\" tEXt chunk)" +
                         std::string(expected));
      return scene_from_json_text(*text, use);
    }
    std::string bytes = read_file(path, Limits::kMaxSceneBytes);
    std::string kind = non_scene_kind(bytes);
    if (!kind.empty()) throw InputError("this is " + kind + ", not a scene" + expected);
    return scene_from_json_text(bytes, use);
  } catch (const InputError& e) {
    throw InputError(in_file(e.what()));
  }
}

std::string scene_to_json_text(const Scene& scene, int indent) {
  std::string out;
  out.reserve(128 + 112 * scene.kernels.size());  // a kernel takes 75 to 110 bytes
  prepare_output_pages(out.data(), out.capacity());
  const bool lines = indent >= 0;
  SceneWriter w(out, lines);
  // Top-level keys one per line, each kernel on its own line, small objects inline.
  const std::string pad(lines ? static_cast<std::size_t>(indent) : 0, ' ');
  bool first = true;
  out += lines ? "{\n" : "{";
  auto member = [&](const char* key, auto&& write_value) {
    if (!first) out += lines ? ",\n" : ",";
    first = false;
    out += pad;
    w.key(key);
    if constexpr (std::is_null_pointer_v<std::decay_t<decltype(write_value)>>) {
      out += '[';
      if (lines && !scene.kernels.empty()) out += '\n';
      for (std::size_t i = 0; i < scene.kernels.size(); ++i) {
        if (lines) out += pad + pad;
        w.kernel(scene.kernels[i]);
        if (i + 1 < scene.kernels.size())
          out += lines ? ",\n" : ",";
        else if (lines)
          out += '\n';
      }
      if (lines && !scene.kernels.empty()) out += pad;
      out += ']';
    } else {
      write_value();
    }
  };
  scene_members(scene, w, member);
  out += lines ? "\n}\n" : "}";
  return out;
}

void save_scene(const Scene& scene, const std::string& path) {
  write_file_atomic(path, scene_to_json_text(scene));
}

bool set_covariance(Kernel& k, double a, double b01, double b10, double c) {
  const double scale = std::max({std::abs(a), std::abs(c), std::abs(b01), std::abs(b10)});
  if (std::abs(b01 - b10) > 1e-12 * scale) return false;
  k.use_covariance = true;
  k.sx = 1, k.sy = 1, k.angle_deg = 0;
  k.cov_xx = a, k.cov_yy = c;
  k.cov_xy = b01 == b10 ? b01 : b01 + (b10 - b01) / 2;
  return true;
}

void check_window_pixels(long long rows, long long cols, const std::string& what) {
  long long pixels = rows * cols;
  if (pixels > Limits::kMaxPixels)
    fail(what, std::to_string(cols) + " x " + std::to_string(rows) + " = " +
                   std::to_string(pixels) + " pixels, over the limit of " +
                   std::to_string(Limits::kMaxPixels) + " (kMaxPixels)");
}

void validate(const Scene& s, GridUse use) {
  check_side(s.width, "width", use);
  check_side(s.height, "height", use);
  if (use == GridUse::Whole) check_window_pixels(s.height, s.width, "width");
  check_domain(s.domain_x, s.width, "domain.x", "width");
  check_domain(s.domain_y, s.height, "domain.y", "height");
  if (int(s.normalization) < 0 || int(s.normalization) > 1)
    fail("normalization", "invalid value " + std::to_string(int(s.normalization)));
  if (int(s.combine) < 0 || int(s.combine) > 2)
    fail("combine", "invalid value " + std::to_string(int(s.combine)));
  if (int(s.sampling) < 0 || int(s.sampling) > 1)
    fail("sampling", "invalid value " + std::to_string(int(s.sampling)));
  if (s.cutoff_sigma) check_positive(*s.cutoff_sigma, "cutoff_sigma");
  if (s.kernels.size() > static_cast<std::size_t>(Limits::kMaxKernels))
    fail("kernels", std::to_string(s.kernels.size()) + " kernels, over the limit of " +
                        std::to_string(Limits::kMaxKernels) + " (kMaxKernels)");
  for (std::size_t i = 0; i < s.kernels.size(); ++i) check_kernel(s.kernels[i], i, s.normalization);
  const View& v = s.view;
  if (int(v.colormap) < 0 || int(v.colormap) > 6)
    fail("view.colormap", "invalid value " + std::to_string(int(v.colormap)));
  if (int(v.scale) < 0 || int(v.scale) > 2)
    fail("view.scale", "invalid value " + std::to_string(int(v.scale)));
  if (!v.range_auto) {
    check_finite(v.vmin, "view.range[0]");
    check_finite(v.vmax, "view.range[1]");
    if (!(v.vmin < v.vmax))
      fail("view.range", "must have vmin < vmax, got [" + num(v.vmin) + ", " + num(v.vmax) + "]");
    if (v.scale == Scale::Log && !(v.vmax > 0))
      fail("view.range",
           "log scale needs vmax > 0, got [" + num(v.vmin) + ", " + num(v.vmax) + "]");
  }
  if (v.contour_levels < 0 || v.contour_levels > Limits::kMaxContourLevels)
    fail("view.contours", "must be between 0 and " + std::to_string(Limits::kMaxContourLevels) +
                              ", got " + std::to_string(v.contour_levels));
}

}  // namespace gm
