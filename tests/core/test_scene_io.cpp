// test_scene_io.cpp — scene JSON: round trips of random scenes through every key, the defaults,
// and every invalid case of docs/semantics.md ("Files") (table-driven: each must give an InputError
// whose one-line message names the key path), the limits (depth, kernel count, size), validate() on
// in-memory scenes, load/save through files, and the plain-form fast reader held to the general
// one (same scene bit for bit, same message) on random and mangled texts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "core/scene.hpp"
#include "core/scene_io.hpp"
#include "core/scene_plain.hpp"

namespace {

using namespace gm;

// The message of the InputError that `f` throws ("" when none; fails the test on other throws).
template <class F>
std::string input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("expected InputError, got another exception: " << e.what());
  } catch (...) {
    FAIL("expected InputError, got a non-std exception");
  }
  return "";
}

std::string load_error(const std::string& text) {
  return input_error_of([&] { (void)scene_from_json_text(text); });
}

// Random doubles with full 53-bit mantissas over a wide range of magnitudes.
struct Rng {
  std::mt19937_64 gen;
  explicit Rng(std::uint64_t seed) : gen(seed) {}
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(gen);
  }
  int integer(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen); }
  bool coin() { return integer(0, 1) == 1; }
  double positive(int emin, int emax) { return std::ldexp(uniform(0.5, 1.0), integer(emin, emax)); }
  double any(int emin, int emax) { return coin() ? positive(emin, emax) : -positive(emin, emax); }
  double raw_finite() {  // any finite bit pattern, denormals included
    while (true) {
      std::uint64_t bits = gen();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      if (std::isfinite(d)) return d;
    }
  }
};

Scene random_scene(Rng& r) {
  Scene s;
  s.width = r.integer(1, 3000);
  s.height = r.integer(1, 3000);
  if (r.coin()) {
    double a = r.any(-20, 20), b = r.any(-20, 20);
    if (a == b) b = a + 1;
    s.domain_x = std::array<double, 2>{a, b};
  }
  if (r.coin()) {
    double a = r.any(-20, 20), b = r.any(-20, 20);
    if (a == b) b = a + 1;
    s.domain_y = std::array<double, 2>{a, b};
  }
  s.normalization = static_cast<Normalization>(r.integer(0, 1));
  s.combine = static_cast<Combine>(r.integer(0, 2));
  s.sampling = static_cast<Sampling>(r.integer(0, 1));
  if (r.coin()) s.cutoff_sigma = r.positive(-3, 5);
  int n = r.integer(0, 8);
  for (int i = 0; i < n; ++i) {
    Kernel k;
    k.cx =
        r.integer(0, 5) == 0 ? std::fmod(r.raw_finite(), Limits::kMaxCoordinate) : r.any(-10, 12);
    k.cy = r.any(-10, 12);
    if (r.coin()) {
      k.use_covariance = true;
      k.cov_xx = r.positive(-10, 10);
      k.cov_yy = r.positive(-10, 10);
      k.cov_xy = r.uniform(-0.95, 0.95) * std::sqrt(k.cov_xx * k.cov_yy);
    } else {
      k.sx = r.positive(-10, 10);
      k.sy = k.sx * r.positive(-8, 8);
      k.angle_deg = r.coin() ? double(r.integer(-360, 360)) : r.any(-5, 12);
    }
    k.weight = r.integer(0, 3) == 0 ? 1.0 : r.any(-30, 30);
    k.visible = r.integer(0, 3) != 0;
    s.kernels.push_back(k);
  }
  s.view.colormap = static_cast<Colormap>(r.integer(0, 6));
  s.view.scale = static_cast<Scale>(r.integer(0, 2));
  if (r.coin()) {
    s.view.range_auto = false;
    s.view.vmin = s.view.scale == Scale::Log && r.coin() ? r.positive(-20, 0) : r.any(-20, 0);
    s.view.vmax = r.positive(1, 20);
  }
  s.view.contour_levels = r.integer(0, 64);
  s.view.outlines = r.coin();
  return s;
}

bool is_one_line_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c == '\n' || c == '\r' || c >= 0x80) return false;
  return true;
}

std::filesystem::path make_temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gm-scene-io-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

const char* const kMinimal = R"({"width": 10, "height": 10, "kernels": []})";

// A scene with one valid kernel plus `extra` top-level text (", ..." members).
std::string scene_with(const std::string& extra) {
  return R"({"width": 10, "height": 8, "kernels": [{"center": [1, 2], "sigma": [1, 1]}])" + extra +
         "}";
}
// A scene whose only kernel is `kernel`.
std::string scene_kernel(const std::string& kernel) {
  return R"({"width": 10, "height": 8, "kernels": [)" + kernel + "]}";
}

}  // namespace

TEST_CASE("scene JSON: random scenes round-trip exactly through every key") {
  Rng r(20261121);
  int checked = 0;
  for (int i = 0; i < 400; ++i) {
    Scene s = random_scene(r);
    REQUIRE_NOTHROW(validate(s));
    for (int indent : {2, -1, 0, 4}) {
      std::string text = scene_to_json_text(s, indent);
      Scene back = scene_from_json_text(text);
      if (!(back == s)) {
        INFO("scene text: " << text);
        INFO("again: " << scene_to_json_text(back, indent));
        CHECK(back == s);
      }
      if (indent < 0) CHECK(is_one_line_ascii(text));
      ++checked;
    }
  }
  CHECK(checked == 1600);
}

TEST_CASE("scene JSON: doubles of every bit pattern survive save/load") {
  Rng r(7);
  Scene s;
  s.width = 4, s.height = 4;
  for (int i = 0; i < 2000; ++i) {
    Kernel k;
    // Any bit pattern within the coordinate and peak limits (fmod keeps mantissas and denormals).
    k.cx = std::fmod(r.raw_finite(), Limits::kMaxCoordinate);
    k.cy = std::fmod(r.raw_finite(), Limits::kMaxCoordinate);
    k.weight = r.any(-1000, 95);
    s.kernels.push_back(k);
  }
  Scene back = scene_from_json_text(scene_to_json_text(s));
  REQUIRE(back.kernels.size() == s.kernels.size());
  for (std::size_t i = 0; i < s.kernels.size(); ++i) {
    CHECK(back.kernels[i].cx == s.kernels[i].cx);
    CHECK(back.kernels[i].cy == s.kernels[i].cy);
    CHECK(back.kernels[i].weight == s.kernels[i].weight);
  }
}

TEST_CASE("scene JSON: canonical form") {
  Scene s = seed_scene();
  s.kernels[1].visible = false;
  Kernel c;
  c.use_covariance = true, c.cov_xx = 64, c.cov_xy = 0.5, c.cov_yy = 32, c.cx = 300, c.cy = 100;
  s.kernels.push_back(c);
  std::string text = scene_to_json_text(s);
  CHECK(text.find("\"gaussmap\": 1") != std::string::npos);
  CHECK(text.find("\"cutoff_sigma\": 3") != std::string::npos);
  CHECK(text.find("\"domain\"") == std::string::npos);  // unset domain is not written
  CHECK(text.find("\"covariance\": [[64, 0.5], [0.5, 32]]") != std::string::npos);
  CHECK(text.find("\"visible\": false") != std::string::npos);
  // visible is written only when false: once, for kernel 1.
  CHECK(text.find("\"visible\"") == text.rfind("\"visible\""));
  CHECK(text.find("\"range\": \"auto\"") != std::string::npos);
  CHECK(scene_from_json_text(text) == s);

  Scene n;
  n.width = 3, n.height = 2;
  CHECK(scene_to_json_text(n).find("\"cutoff_sigma\": null") != std::string::npos);
  CHECK(scene_from_json_text(scene_to_json_text(n)) == n);
}

TEST_CASE("scene JSON: defaults and the documented example") {
  Scene s = scene_from_json_text(kMinimal);
  CHECK(s.width == 10);
  CHECK(s.height == 10);
  CHECK(!s.domain_x);
  CHECK(!s.domain_y);
  CHECK(s.normalization == Normalization::Pdf);
  CHECK(s.combine == Combine::Sum);
  CHECK(s.sampling == Sampling::Point);
  CHECK(!s.cutoff_sigma);
  CHECK(s.kernels.empty());
  CHECK(s.view == View{});

  const char* design = R"({
    "gaussmap": 1,
    "width": 800, "height": 400,
    "domain": {"x": [0, 799], "y": [0, 399]},
    "normalization": "pdf",
    "combine": "sum",
    "sampling": "point",
    "cutoff_sigma": null,
    "kernels": [
      {"center": [100, 100], "sigma": [8, 8], "angle_deg": 0, "weight": 1},
      {"center": [300, 100], "covariance": [[64, 0], [0, 64]]}
    ],
    "view": {"colormap": "viridis", "range": "auto", "scale": "linear"}
  })";
  Scene d = scene_from_json_text(design);
  CHECK(d.width == 800);
  CHECK(d.domain_x == std::array<double, 2>{0, 799});
  REQUIRE(d.kernels.size() == 2);
  CHECK(!d.kernels[0].use_covariance);
  CHECK(d.kernels[0].sx == 8);
  CHECK(d.kernels[1].use_covariance);
  CHECK(d.kernels[1].cov_xx == 64);
  CHECK(d.kernels[1].cov_xy == 0);
  CHECK(d.kernels[1].weight == 1);
  CHECK(d.kernels[1].visible);

  // Integral floats are integers; a reversed domain is allowed; one pixel may use x0 == x1.
  Scene e = scene_from_json_text(
      R"({"width": 8e0, "height": 1, "domain": {"x": [5, -5], "y": [2, 2]}, "kernels": []})");
  CHECK(e.width == 8);
  CHECK(e.domain_x == std::array<double, 2>{5, -5});
  // Covariance symmetric within 1e-12 relative is accepted (the mean is kept).
  Scene f = scene_from_json_text(
      scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0.5], [0.5000000000001, 1]]})"));
  CHECK(f.kernels[0].cov_xy == doctest::Approx(0.5).epsilon(1e-12));
}

struct BadCase {
  const char* what;
  std::string text;
  std::string expect;  // a substring of the message: the key path and what is wrong
};

TEST_CASE("scene JSON: every invalid input is one InputError naming the key path") {
  std::string deep_array(100000, '[');
  std::string deep_object;
  for (int i = 0; i < 50000; ++i) deep_object += "{\"a\":";
  std::string deep_in_string =
      R"({"width": 10, "height": 10, "kernels": [], "x": ")" + std::string(1000, '[') + "\"}";
  std::string many_kernels = R"({"width": 10, "height": 10, "kernels": [)";
  for (int i = 0; i <= Limits::kMaxKernels; ++i) many_kernels += i ? ",0" : "0";
  many_kernels += "]}";
  // Not a kernel list but a flat array of many values elsewhere: the DOM stays bounded.
  std::string many_values = R"({"width": 10, "height": 10, "kernels": [], "x": [0)";
  for (int i = 0; i < 16 * Limits::kMaxKernels + 4096; ++i) many_values += ",0";
  many_values += "]}";

  const std::vector<BadCase> cases = {
      // Not JSON at all.
      {"empty text", "", "scene: invalid JSON at byte 1: "},
      {"only spaces", "   \n ", "scene: invalid JSON at byte"},
      {"not JSON", "not json", "scene: invalid JSON at byte 2: "},
      {"truncated", R"({"width": 10, "height": 10, "kernels": [)", "scene: invalid JSON at byte"},
      {"trailing garbage", std::string(kMinimal) + " x", "scene: invalid JSON at byte"},
      {"NaN literal", scene_with(R"(, "cutoff_sigma": NaN)"), "scene: invalid JSON"},
      {"bad UTF-8", scene_with(", \"view\": {\"colormap\": \"\xff\"}"), "scene: invalid JSON"},
      {"comment", std::string("// hi\n") + kMinimal, "scene: invalid JSON"},
      {"100000-deep array", deep_array, "scene: JSON nested deeper than 64 levels"},
      {"50000-deep object", deep_object, "scene: JSON nested deeper than 64 levels"},
      {"top-level array", "[]", "scene: expected a JSON object at the top level, got []"},
      {"top-level number", "3", "scene: expected a JSON object"},
      // Top level keys.
      {"unknown top key", scene_with(R"(, "foo": 1)"), "scene: unknown key \"foo\""},
      {"unknown top key typo", scene_with(R"(, "widht": 1)"), "(did you mean \"width\"?)"},
      {"unknown key in string", deep_in_string, "scene: unknown key \"x\""},
      {"duplicate key", R"({"width": 10, "width": 10, "height": 10, "kernels": []})",
       "scene: duplicate key \"width\""},
      {"missing width", R"({"height": 10, "kernels": []})",
       "scene: missing required key \"width\""},
      {"missing height", R"({"width": 10, "kernels": []})", "missing required key \"height\""},
      {"missing kernels", R"({"width": 10, "height": 10})", "missing required key \"kernels\""},
      {"gaussmap 2", scene_with(R"(, "gaussmap": 2)"),
       "format version \"gaussmap\": 2 is not supported"},
      {"gaussmap string", scene_with(R"(, "gaussmap": "1")"),
       "format version \"gaussmap\": \"1\" is not supported"},
      {"width string", R"({"width": "abc", "height": 10, "kernels": []})",
       "width: expected an integer, got \"abc\""},
      {"width bool", R"({"width": true, "height": 10, "kernels": []})",
       "width: expected an integer, got true"},
      {"width fraction", R"({"width": 1.5, "height": 10, "kernels": []})",
       "width: expected an integer, got 1.5"},
      {"width 0", R"({"width": 0, "height": 10, "kernels": []})",
       "width: must be between 1 and 32768, got 0"},
      {"width negative", R"({"width": -3, "height": 10, "kernels": []})",
       "width: must be between 1 and 32768, got -3"},
      {"width 10^9", R"({"width": 1000000000, "height": 10, "kernels": []})",
       "width: must be between 1 and 32768, got 1000000000"},
      {"width 2^64", R"({"width": 18446744073709551615, "height": 10, "kernels": []})",
       "width: must be between 1 and 32768"},
      {"width 1e30", R"({"width": 1e30, "height": 10, "kernels": []})",
       "width: must be between 1 and 32768"},
      {"width 1e999", R"({"width": 1e999, "height": 10, "kernels": []})",
       "width: number out of range (not a finite double), got 1e999"},
      {"height 33000", R"({"width": 10, "height": 33000, "kernels": []})",
       "height: must be between 1 and 32768, got 33000"},
      {"too many pixels", R"({"width": 32768, "height": 32768, "kernels": []})",
       "32768 x 32768 = 1073741824 pixels, over the limit of 67108864 (kMaxPixels)"},
      // Domain.
      {"domain not object", scene_with(R"(, "domain": [0, 1])"), "domain: expected an object"},
      {"domain unknown key", scene_with(R"(, "domain": {"z": [0, 1]})"),
       "domain: unknown key \"z\""},
      {"domain.x one number", scene_with(R"(, "domain": {"x": [0]})"),
       "domain.x: expected an array of 2 numbers, got [0]"},
      {"domain.x string", scene_with(R"(, "domain": {"x": ["a", 1]})"),
       "domain.x[0]: expected a number, got \"a\""},
      {"domain.y overflow", scene_with(R"(, "domain": {"y": [0, -1e999]})"),
       "domain.y[1]: number out of range"},
      {"domain.x empty", scene_with(R"(, "domain": {"x": [5, 5]})"),
       "domain.x: first and last must differ when width > 1, got [5, 5]"},
      {"domain.y empty", scene_with(R"(, "domain": {"y": [0, 0]})"),
       "domain.y: first and last must differ when height > 1"},
      {"domain beyond the coordinate limit", scene_with(R"(, "domain": {"x": [-1e308, 1e308]})"),
       "domain.x[0]: must be within +-1e+15 (kMaxCoordinate)"},
      {"domain beyond float32 (fuzz finding)", scene_with(R"(, "domain": {"x": [1.2e44, 1]})"),
       "domain.x[0]: must be within +-1e+15 (kMaxCoordinate), got 1.2e+44"},
      {"centre beyond the coordinate limit",
       scene_kernel(R"({"center": [1e39, 0], "sigma": [1, 1]})"),
       "kernels[0].center[0]: must be within +-1e+15"},
      // Enums.
      {"normalization", scene_with(R"(, "normalization": "max")"),
       "normalization: must be one of \"pdf\", \"peak\", got \"max\""},
      {"combine", scene_with(R"(, "combine": "add")"),
       "combine: must be one of \"sum\", \"max\", \"prob_or\", got \"add\""},
      {"sampling number", scene_with(R"(, "sampling": 3)"), "sampling: expected a string, got 3"},
      {"cutoff 0", scene_with(R"(, "cutoff_sigma": 0)"), "cutoff_sigma: must be > 0, got 0"},
      {"cutoff negative", scene_with(R"(, "cutoff_sigma": -3)"),
       "cutoff_sigma: must be > 0, got -3"},
      {"cutoff string", scene_with(R"(, "cutoff_sigma": "3")"),
       "cutoff_sigma: expected a number, got \"3\""},
      {"cutoff 1e999", scene_with(R"(, "cutoff_sigma": 1e999)"),
       "cutoff_sigma: number out of range"},
      // Kernels.
      {"kernels object", R"({"width": 10, "height": 10, "kernels": {}})",
       "kernels: expected an array, got {}"},
      {"too many kernels", many_kernels, "kernels: more than 200000 kernels"},
      {"odd key in a path", scene_with(", \"a\\nb\\u00e9\": {\"y\": 1, \"y\": 2}"),
       "a\\x0ab\\xc3\\xa9: duplicate key \"y\""},
      {"too many values", many_values, "scene: more than 3204096 JSON values"},
      {"kernel not object", scene_kernel("[1, 2]"), "kernels[0]: expected an object, got [1,2]"},
      {"kernel unknown key", scene_kernel(R"({"center": [0, 0], "sigmaa": [1, 1]})"),
       "kernels[0]: unknown key \"sigmaa\" (did you mean \"sigma\"?)"},
      {"kernel duplicate key",
       scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "sigma": [2, 2]})"),
       "kernels[0]: duplicate key \"sigma\""},
      {"kernel no center", scene_kernel(R"({"sigma": [1, 1]})"),
       "kernels[0]: missing required key \"center\""},
      {"kernel no shape", scene_kernel(R"({"center": [0, 0]})"),
       "kernels[0]: missing required key \"sigma\" (or \"covariance\")"},
      {"sigma and covariance",
       scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "covariance": [[1, 0], [0, 1]]})"),
       "kernels[0]: give either \"sigma\" or \"covariance\", not both"},
      {"center string", scene_kernel(R"({"center": "middle", "sigma": [1, 1]})"),
       "kernels[0].center: expected an array of 2 numbers, got \"middle\""},
      {"center 3 numbers", scene_kernel(R"({"center": [0, 0, 0], "sigma": [1, 1]})"),
       "kernels[0].center: expected an array of 2 numbers, got [0,0,0]"},
      {"center null", scene_kernel(R"({"center": [null, 0], "sigma": [1, 1]})"),
       "kernels[0].center[0]: expected a number, got null"},
      {"sigma negative", scene_kernel(R"({"center": [0, 0], "sigma": [1, -2]})"),
       "kernels[0].sigma[1]: must be > 0, got -2"},
      {"sigma zero", scene_kernel(R"({"center": [0, 0], "sigma": [0, 1]})"),
       "kernels[0].sigma[0]: must be > 0, got 0"},
      {"sigma 1e999", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1e999]})"),
       "kernels[0].sigma[1]: number out of range (not a finite double), got 1e999"},
      {"sigma -1e999", scene_kernel(R"({"center": [0, 0], "sigma": [-1e999, 1]})"),
       "kernels[0].sigma[0]: number out of range"},
      {"sigma underflows", scene_kernel(R"({"center": [0, 0], "sigma": [1e-200, 1]})"),
       "kernels[0].sigma[0]: standard deviation 1e-200 is outside 1e-15..1e+15 "
       "(kMinSigma..kMaxSigma)"},
      {"sigma overflows", scene_kernel(R"({"center": [0, 0], "sigma": [1e200, 1]})"),
       "kernels[0].sigma[0]: standard deviation 1e+200 is outside"},
      {"pdf peak beyond float32 (fuzz finding)",
       scene_kernel(R"({"center": [0, 0], "sigma": [1e-14, 1e-14], "weight": 1e5})"),
       "kernels[0].weight: peak value 1.59"},
      {"sigma too thin rotated",
       scene_kernel(R"({"center": [0, 0], "sigma": [1, 1e-9], "angle_deg": 45})"),
       "kernels[0].sigma: covariance is numerically degenerate"},
      {"sigma string", scene_kernel(R"({"center": [0, 0], "sigma": ["1", 1]})"),
       "kernels[0].sigma[0]: expected a number, got \"1\""},
      {"sigma scalar", scene_kernel(R"({"center": [0, 0], "sigma": 3})"),
       "kernels[0].sigma: expected an array of 2 numbers, got 3"},
      {"angle string", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "angle_deg": "45"})"),
       "kernels[0].angle_deg: expected a number, got \"45\""},
      {"angle 1e999", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "angle_deg": 1e999})"),
       "kernels[0].angle_deg: number out of range"},
      {"angle with covariance",
       scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0], [0, 1]], "angle_deg": 10})"),
       "kernels[0].angle_deg: not allowed with \"covariance\""},
      {"covariance not SPD", scene_kernel(R"({"center": [0, 0], "covariance": [[1, 2], [2, 1]]})"),
       "kernels[0].covariance: must be positive definite (a > 0 and a*c - b^2 > 0), got [[1, 2], "
       "[2, 1]]"},
      {"covariance negative",
       scene_kernel(R"({"center": [0, 0], "covariance": [[-1, 0], [0, -1]]})"),
       "kernels[0].covariance: must be positive definite"},
      {"covariance singular", scene_kernel(R"({"center": [0, 0], "covariance": [[1, 1], [1, 1]]})"),
       "kernels[0].covariance: must be positive definite"},
      {"covariance not symmetric",
       scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0.5], [0.4, 1]]})"),
       "kernels[0].covariance: must be symmetric (b == b), got [[1, 0.5], [0.4, 1]]"},
      {"covariance 1 row", scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0]]})"),
       "kernels[0].covariance: expected a 2x2 array [[a, b], [b, c]], got [[1,0]]"},
      {"covariance flat", scene_kernel(R"({"center": [0, 0], "covariance": [1, 0, 0, 1]})"),
       "kernels[0].covariance: expected a 2x2 array"},
      {"covariance short row", scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0], [0]]})"),
       "kernels[0].covariance[1]: expected an array of 2 numbers, got [0]"},
      {"covariance 1e999",
       scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0], [0, 1e999]]})"),
       "kernels[0].covariance[1][1]: number out of range"},
      {"weight string", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": "1"})"),
       "kernels[0].weight: expected a number, got \"1\""},
      {"weight 1e999", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": 1e999})"),
       "kernels[0].weight: number out of range"},
      {"weight overflows pdf",
       scene_kernel(R"({"center": [0, 0], "sigma": [1e-7, 1e-7], "weight": 1e300})"),
       "kernels[0].weight: peak value inf is over 1e+30 (kMaxPeak"},
      {"visible number", scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "visible": 1})"),
       "kernels[0].visible: expected true or false, got 1"},
      {"second kernel",
       R"({"width": 10, "height": 10, "kernels": [{"center": [0, 0], "sigma": [1, 1]},
          {"center": [0, 0], "sigma": [-1, 1]}]})",
       "kernels[1].sigma[0]: must be > 0, got -1"},
      // View.
      {"view not object", scene_with(R"(, "view": "viridis")"),
       "view: expected an object, got \"viridis\""},
      {"view unknown key", scene_with(R"(, "view": {"colour": "red"})"),
       "view: unknown key \"colour\""},
      {"bad colormap", scene_with(R"(, "view": {"colormap": "jet"})"),
       "view.colormap: must be one of \"viridis\", \"magma\", \"inferno\", \"plasma\", "
       "\"cividis\", \"turbo\", \"gray\", got \"jet\""},
      {"range equal", scene_with(R"(, "view": {"range": [1, 1]})"),
       "view.range: must have vmin < vmax, got [1, 1]"},
      {"range reversed", scene_with(R"(, "view": {"range": [2, 1]})"),
       "view.range: must have vmin < vmax, got [2, 1]"},
      {"range word", scene_with(R"(, "view": {"range": "fixed"})"),
       "view.range: expected \"auto\" or [vmin, vmax], got \"fixed\""},
      {"range 3 numbers", scene_with(R"(, "view": {"range": [0, 1, 2]})"),
       "view.range: expected \"auto\" or [vmin, vmax]"},
      {"range 1e999", scene_with(R"(, "view": {"range": [0, 1e999]})"),
       "view.range[1]: number out of range"},
      {"range string element", scene_with(R"(, "view": {"range": [0, "1"]})"),
       "view.range[1]: expected a number"},
      {"log range negative", scene_with(R"(, "view": {"range": [-2, -1], "scale": "log"})"),
       "view.range: log scale needs vmax > 0, got [-2, -1]"},
      {"bad scale", scene_with(R"(, "view": {"scale": "exp"})"),
       "view.scale: must be one of \"linear\", \"log\", \"sqrt\", got \"exp\""},
      {"contours 65", scene_with(R"(, "view": {"contours": 65})"),
       "view.contours: must be between 0 and 64, got 65"},
      {"contours negative", scene_with(R"(, "view": {"contours": -1})"),
       "view.contours: must be between 0 and 64, got -1"},
      {"contours fraction", scene_with(R"(, "view": {"contours": 2.5})"),
       "view.contours: expected an integer, got 2.5"},
      {"outlines string", scene_with(R"(, "view": {"outlines": "yes"})"),
       "view.outlines: expected true or false, got \"yes\""},
  };
  for (const BadCase& c : cases) {
    std::string what = c.what;
    CAPTURE(what);
    std::string msg = load_error(c.text);
    CHECK_MESSAGE(msg.find(c.expect) != std::string::npos, "message: " << msg);
    CHECK_MESSAGE(is_one_line_ascii(msg), "message: " << msg);
  }
  // Every valid variant of the texts above loads (the table tests what it means to).
  CHECK_NOTHROW((void)scene_from_json_text(scene_with(R"(, "view": {"range": [-2, -1]})")));
  CHECK_NOTHROW((void)scene_from_json_text(
      scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0.5], [0.5, 1]]})")));
}

TEST_CASE("scene JSON: size limit is checked before parsing") {
  std::string big(static_cast<std::size_t>(Limits::kMaxSceneBytes) + 1, ' ');
  std::string msg = load_error(big);
  CHECK(msg.find("67108865 bytes, over the limit of 67108864 bytes (kMaxSceneBytes)") !=
        std::string::npos);
}

TEST_CASE("scene JSON: the kernel-count limit is exact") {
  std::string text = R"({"width": 10, "height": 10, "kernels": [)";
  for (int i = 0; i < Limits::kMaxKernels; ++i)
    text += i ? R"(,{"center":[0,0],"sigma":[1,1]})" : R"({"center":[0,0],"sigma":[1,1]})";
  text += "]}";
  Scene s = scene_from_json_text(text);
  CHECK(s.kernels.size() == std::size_t(Limits::kMaxKernels));
  s.kernels.push_back(Kernel{});
  CHECK(input_error_of([&] { validate(s); }).find("kernels: 200001 kernels, over the limit") !=
        std::string::npos);
}

TEST_CASE("validate: in-memory scenes get the same path-style messages") {
  Scene s = seed_scene();
  CHECK_NOTHROW(validate(s));

  auto msg_after = [](auto edit) {
    Scene t = seed_scene();
    t.kernels.resize(4, t.kernels[0]);
    edit(t);
    return input_error_of([&] { validate(t); });
  };
  CHECK(msg_after([](Scene& t) { t.kernels[3].sy = -2; }) ==
        "kernels[3].sigma[1]: must be > 0, got -2");
  CHECK(msg_after([](Scene& t) { t.kernels[2].sx = std::nan(""); }) ==
        "kernels[2].sigma[0]: must be finite, got nan");
  CHECK(msg_after([](Scene& t) { t.kernels[0].cx = INFINITY; }) ==
        "kernels[0].center[0]: must be finite, got inf");
  CHECK(msg_after([](Scene& t) { t.kernels[1].weight = -INFINITY; }) ==
        "kernels[1].weight: must be finite, got -inf");
  CHECK(msg_after([](Scene& t) { t.kernels[1].angle_deg = NAN; }) ==
        "kernels[1].angle_deg: must be finite, got nan");
  CHECK(msg_after([](Scene& t) {
          t.kernels[1].use_covariance = true, t.kernels[1].cov_xx = 1, t.kernels[1].cov_xy = 2;
        }) ==
        "kernels[1].covariance: must be positive definite (a > 0 and a*c - b^2 > 0), got "
        "[[1, 2], [2, 1]]");
  CHECK(msg_after([](Scene& t) { t.width = 0; }) ==
        "width: must be between 1 and 32768 "
        "(kMaxSide), got 0");
  CHECK(msg_after([](Scene& t) { t.height = 40000; }).rfind("height: must be between", 0) == 0);
  CHECK(msg_after([](Scene& t) { t.width = 30000, t.height = 30000; }).find("kMaxPixels") !=
        std::string::npos);
  CHECK(msg_after([](Scene& t) { t.cutoff_sigma = 0.0; }) == "cutoff_sigma: must be > 0, got 0");
  CHECK(msg_after([](Scene& t) {
          t.domain_x = std::array<double, 2>{1, 1};
        }) == "domain.x: first and last must differ when width > 1, got [1, 1]");
  CHECK(msg_after([](Scene& t) {
          t.domain_y = std::array<double, 2>{0, NAN};
        }) == "domain.y[1]: must be finite, got nan");
  CHECK(msg_after([](Scene& t) {
          t.view.range_auto = false, t.view.vmin = 1, t.view.vmax = 0.5;
        }) == "view.range: must have vmin < vmax, got [1, 0.5]");
  CHECK(msg_after([](Scene& t) { t.view.contour_levels = 100; }) ==
        "view.contours: must be between 0 and 64, got 100");
  CHECK(msg_after([](Scene& t) { t.combine = static_cast<Combine>(9); }) ==
        "combine: invalid value 9");
  CHECK(msg_after([](Scene& t) { t.view.colormap = static_cast<Colormap>(-1); }) ==
        "view.colormap: invalid value -1");

  // One pixel wide: x0 == x1 is fine.
  Scene one = seed_scene();
  one.width = 1, one.domain_x = std::array<double, 2>{3, 3};
  CHECK_NOTHROW(validate(one));
}

TEST_CASE("scene files: save/load, missing file, size limit") {
  auto dir = make_temp_dir();
  auto path = (dir / "scene.json").string();
  Scene s = seed_scene();
  s.domain_x = std::array<double, 2>{-1.5, 2.25};
  save_scene(s, path);
  CHECK(load_scene(path) == s);

  std::string missing = (dir / "nope.json").string();
  try {
    (void)load_scene(missing);
    FAIL("no exception");
  } catch (const IoError& e) {
    CHECK(std::string(e.what()) == "cannot read \"" + missing + "\": No such file or directory");
  }
  CHECK_THROWS_AS((void)load_scene(dir.string()), IoError);  // a folder

  // A scene file over the size limit: a sparse file, so nothing large is written.
  auto big = (dir / "big.json").string();
  std::filesystem::resize_file(path, 0);
  {
    std::FILE* f = std::fopen(big.c_str(), "wb");
    REQUIRE(f);
    std::fclose(f);
  }
  std::filesystem::resize_file(big, static_cast<std::uintmax_t>(Limits::kMaxSceneBytes) + 10);
  std::string msg = input_error_of([&] { (void)load_scene(big); });
  CHECK(msg.find(big) != std::string::npos);
  CHECK(msg.find("over the limit of 67108864 bytes") != std::string::npos);
  std::filesystem::remove_all(dir);
}

namespace {

// What reading `text` gives: the scene's compact text with its value-equality twin, or the error.
struct Outcome {
  bool ok = false;
  Scene scene;
  std::string text_or_error;  // compact text (shows the sign of a zero) or the message
};
template <class Read>
Outcome outcome_of(Read&& read) {
  Outcome o;
  try {
    o.scene = read();
    o.ok = true, o.text_or_error = scene_to_json_text(o.scene, -1);
  } catch (const InputError& e) {
    o.text_or_error = e.what();
  }
  return o;
}
bool same(const Outcome& a, const Outcome& b) {
  return a.ok == b.ok && a.text_or_error == b.text_or_error && (!a.ok || a.scene == b.scene);
}

}  // namespace

TEST_CASE("scene JSON: the plain-form reader takes gaussmap's own texts and gives their scene") {
  Rng r(20261128);
  int checked = 0;
  for (int i = 0; i < 300; ++i) {
    const Scene s = random_scene(r);
    for (int indent : {2, -1}) {
      const std::string text = scene_to_json_text(s, indent);
      const std::optional<Scene> fast = read_plain_scene(text, GridUse::Whole);
      REQUIRE(fast.has_value());  // else the fast path would never run
      CHECK(*fast == s);
      CHECK(scene_to_json_text(*fast, -1) == scene_to_json_text(s, -1));
      ++checked;
    }
  }
  // Numbers in the forms people write, each read as the general reader reads it ("-0" is the
  // integer 0 there, so +0; "-0.0" keeps its sign).
  for (const char* w : {"-0", "-0.0", "0", "1E2", "1e-5", "2.50", "-1.5e+3", "12345678901234567890",
                        "-98765432109876543210", "0.1", "1e308", "4.9406564584124654e-300"}) {
    const std::string text = scene_with(std::string(R"(, "view": {"range": [)") + w +
                                        R"(, 1e309]})");  // 1e309: out of range
    CHECK_FALSE(read_plain_scene(text, GridUse::Whole).has_value());
    const std::string good = scene_kernel(std::string(R"({"center": [0, 0], "sigma": [1, 1], )") +
                                          R"("angle_deg": )" + w + R"(, "weight": )" + w + "}");
    const std::optional<Scene> fast = read_plain_scene(good, GridUse::Whole);
    REQUIRE(fast.has_value());
    const Outcome general = outcome_of([&] { return scene_from_json_text_general(good); });
    CHECK(same(outcome_of([&] {
                 validate(*fast);
                 return *fast;
               }),
               general));
    ++checked;
  }
  MESSAGE(checked << " texts read by the plain-form reader, each as the general reader reads it");
}

TEST_CASE(
    "scene JSON: the plain-form reader decodes as nlohmann's lexer does, and declines the rest") {
  // Both readers take their tokens from nlohmann's lexer: escaped keys and names, a UTF-8 byte
  // order mark, subnormal numbers and integers past 64 bits are taken by the plain reader too,
  // each giving the general reader's scene.
  const std::string bom = "\xef\xbb\xbf";
  const std::string taken[] = {
      scene_with(R"(, "normalization": "\u0070eak", "view": {"range": "\u0061uto"})"),
      scene_with(R"(, "view": {"colormap": "m\u0061gma", "\u0073cale": "sqrt"})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "\u0077eight": 2})"),
      bom + kMinimal,
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": 4.9406564584124654e-324})"),
      scene_kernel(R"({"center": [1e-320, -2.2250738585072009e-308], "sigma": [1, 1]})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": 18446744073709551615})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": 18446744073709551617})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": -9223372036854775808})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "weight": -9223372036854775809})"),
      scene_with(R"(, "view": {"contours": -0}, "cutoff_sigma": -0.0)"),
  };
  for (const std::string& text : taken) {
    INFO("text: " << text);
    const std::optional<Scene> fast = read_plain_scene(text, GridUse::Whole);
    REQUIRE(fast.has_value());
    const Outcome general = outcome_of([&] { return scene_from_json_text_general(text); });
    const Outcome plain = outcome_of([&] {
      validate(*fast);
      return *fast;
    });
    INFO("plain: " << plain.text_or_error << "\ngeneral: " << general.text_or_error);
    CHECK(same(plain, general));
  }
  // Outside the plain form, valid or not: integral floats for integers, a key twice, a version
  // other than 1, values of the wrong kind, comments. The general reader reads them all.
  const std::string declined[] = {
      R"({"width": 8e0, "height": 8, "kernels": []})",
      R"({"width": 8, "height": 8.0, "kernels": []})",
      scene_with(R"(, "view": {"contours": 2.0})"),
      scene_with(R"(, "view": {"contours": 65})"),
      scene_with(R"(, "gaussmap": 1, "gaussmap": 1)"),
      scene_with(R"(, "gaussmap": 2)"),
      scene_with(R"(, "cutoff_sigma": "2")"),
      scene_with(R"(, "view": {"range": "auto", "range": [0, 1]})"),
      scene_with(R"(, "view": {"range": [0, 1, 2]})"),
      scene_with(R"(, "domain": {"x": [0, 1], "z": [0, 1]})"),
      scene_kernel(R"({"center": [0, 0], "sigma": [1, 1], "visible": 1})"),
      scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0], [0, 1], [0, 0]]})"),
      scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0]]})"),
      scene_kernel(R"({"center": [0, 0], "covariance": [[1, 0], [0, 1]], "angle_deg": 0})"),
      scene_kernel(R"({"center": [0, 0]})"),
      std::string(kMinimal) + " // comment",
      R"([{"width": 8, "height": 8, "kernels": []}])",
  };
  for (const std::string& text : declined) {
    INFO("text: " << text);
    CHECK_FALSE(read_plain_scene(text, GridUse::Whole).has_value());
    CHECK(same(outcome_of([&] { return scene_from_json_text(text); }),
               outcome_of([&] { return scene_from_json_text_general(text); })));
  }
}

TEST_CASE("scene JSON: mangled texts give the same scene or the same message through both paths") {
  // Random edits of valid texts (a byte replaced, dropped, doubled; a token inserted) make texts
  // on both sides of every rule of the plain reader; each must read as the general reader alone
  // reads it.
  Rng r(9);
  const char* tokens[] = {"-0",
                          "01",
                          "1e999",
                          "1e-400",
                          "\\u0041",
                          "\xef\xbb\xbf",
                          "\t",
                          "null",
                          "true",
                          "[",
                          "]",
                          "{",
                          "}",
                          ",",
                          ":",
                          "\"",
                          "x",
                          "1.",
                          ".5",
                          "\"auto\"",
                          "\xc3\xa9",
                          "\x01",
                          "\"sigma\": [1, 2], "};
  // Members inserted just after a '{': duplicates, unknown keys, keys in the wrong object.
  const char* members[] = {
      "\"weight\": -0, ",      "\"sigma\": [1, 2], ",     "\"center\": [1, 2], ",
      "\"visible\": 1, ",      "\"angle_deg\": 1e2, ",    "\"width\": 5, ",
      "\"range\": \"auto\", ", "\"scale\": \"log\", ",    "\"x\": [0, 1], ",
      "\"view\": {}, ",        "\"cutoff_sigma\": null, "};
  const std::string alphabet = "{}[],:\"0123456789-+.eE tfnul\\\n\x7f";
  int same_count = 0, plain = 0, valid = 0, total = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string text = scene_to_json_text(random_scene(r), r.coin() ? 2 : -1);
    if (text.size() > 600) text = scene_with(R"(, "view": {"scale": "log"})");
    for (int edits = r.integer(1, 3); edits > 0; --edits) {
      const std::size_t at = std::size_t(r.integer(0, int(text.size()) - 1));
      switch (r.integer(0, 4)) {
        case 0:
          text[at] = alphabet[std::size_t(r.integer(0, int(alphabet.size()) - 1))];
          break;
        case 1:
          text.erase(at, 1);
          break;
        case 2:
          text.insert(at, 1, text[at]);
          break;
        case 3:
          text.insert(at, tokens[r.integer(0, int(std::size(tokens)) - 1)]);
          break;
        default:
          if (const std::size_t brace = text.find('{', at); brace != std::string::npos)
            text.insert(brace + 1, members[r.integer(0, int(std::size(members)) - 1)]);
      }
      if (text.empty()) text.push_back('{');
    }
    const Outcome both = outcome_of([&] { return scene_from_json_text(text); });
    const Outcome general = outcome_of([&] { return scene_from_json_text_general(text); });
    const bool agree = same(both, general);
    if (!agree) {
      INFO("text: " << text);
      INFO("fast path then general: " << both.text_or_error);
      INFO("general alone:          " << general.text_or_error);
      CHECK(agree);
    }
    same_count += agree, ++total;
    valid += general.ok;
    plain += read_plain_scene(text, GridUse::Whole).has_value();
  }
  MESSAGE(total << " mangled texts (" << valid << " still valid, " << plain
                << " taken by the plain reader): " << same_count << " read the same both ways");
  CHECK(plain > 100);  // the edits reach the fast path, not only the fallback
}
