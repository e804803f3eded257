// test_probe_files.cpp — the hover probe (pixel lookup, field value, exact top contributors), the
// render plan (what invalidates the field), screenshot names that never overwrite, opening scenes
// from .json and .png.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <unistd.h>

#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/kernel_math.hpp"
#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "viewer/files.hpp"
#include "viewer/probe.hpp"
#include "viewer/render_plan.hpp"

namespace fs = std::filesystem;

namespace {
fs::path scratch_dir(const char* name) {
  fs::path d = fs::temp_directory_path() /
               (std::string("gm_viewer_test_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
}  // namespace

TEST_CASE("probe: pixel lookup follows the grid rule, rows top-down, reversed domains") {
  gm::Scene s;
  s.width = 11, s.height = 5;
  s.domain_x = std::array<double, 2>{-1, 1};
  s.domain_y = std::array<double, 2>{2, -2};  // y decreases down the rows
  int col, row;
  REQUIRE(gm::viewer::pixel_of(s, {-1, 2}, col, row));
  CHECK(col == 0);
  CHECK(row == 0);
  REQUIRE(gm::viewer::pixel_of(s, {0.21, -0.9}, col, row));
  CHECK(col == 6);  // 0.21 / 0.2 = 1.05 -> 5 + 1
  CHECK(row == 3);  // (2 - -0.9) / 1 = 2.9 -> 3
  CHECK_FALSE(gm::viewer::pixel_of(s, {1.2, 0}, col, row));
  CHECK_FALSE(gm::viewer::pixel_of(s, {0, 2.6}, col, row));
}

TEST_CASE("probe: field value, exact reference and top contributors on the seed scene") {
  gm::Scene s = gm::seed_scene();
  auto ref = gm::evaluate_reference(s);
  gm::Field f(s.width, s.height);
  for (std::size_t i = 0; i < f.data.size(); ++i) f.data[i] = float(ref.field.data[i]);
  auto p = gm::viewer::probe(s, &f, {335.2, 214.9});
  REQUIRE(p.inside);
  CHECK(p.col == 335);
  CHECK(p.row == 215);
  CHECK(p.has_field);
  CHECK(p.has_reference);
  CHECK(p.field_value == doctest::Approx(ref.field.at(215, 335)).epsilon(1e-6));
  CHECK(p.reference_value == doctest::Approx(ref.field.at(215, 335)).epsilon(1e-12));
  REQUIRE(p.top.size() == 2);
  CHECK(p.top[0].index == 1);  // the inner kernel, at its centre: 0.9
  CHECK(p.top[0].value == doctest::Approx(0.9));
  CHECK(p.top[1].index == 0);
  // A field of another size (a drag preview) is not read.
  gm::Field small(10, 10);
  CHECK_FALSE(gm::viewer::probe(s, &small, {335, 215}).has_field);
  // Hidden kernels contribute nothing; past the exact limit the ranking is by point value.
  s.kernels[1].visible = false;
  p = gm::viewer::probe(s, nullptr, {335, 215}, 4, 1);
  CHECK_FALSE(p.has_reference);
  REQUIRE(p.top.size() == 1);
  CHECK(p.top[0].index == 0);
  auto g = gm::resolve(s.kernels[0], s.normalization, s.cutoff_sigma);
  CHECK(p.top[0].value == doctest::Approx(g.amp * std::exp(-0.5 * g.d2(335, 215))));
}

TEST_CASE("render plan: view edits do not invalidate the field; previews keep the domain") {
  gm::Scene a = gm::seed_scene(), b = a;
  b.view.colormap = gm::Colormap::Magma;
  b.view.scale = gm::Scale::Log;
  CHECK(gm::viewer::same_field_inputs(a, b));
  b.kernels[0].weight = 0.5;
  CHECK_FALSE(gm::viewer::same_field_inputs(a, b));
  b = a;
  b.width = 641;
  CHECK_FALSE(gm::viewer::same_field_inputs(a, b));
  gm::Scene p = gm::viewer::preview_scene(a, 4);
  CHECK(p.width == 160);
  CHECK(p.height == 120);
  CHECK(p.x_range() == a.x_range());
  CHECK(p.y_range() == a.y_range());
  CHECK(gm::viewer::preview_factor(a, 1e12) == 1);
  int f = gm::viewer::preview_factor(a, gm::viewer::field_cost(a) / 9.5);
  CHECK(f == 4);
}

TEST_CASE("files: screenshot names never overwrite; siblings count as taken") {
  fs::path d = scratch_dir("names");
  std::string n1 = gm::viewer::next_shot_name(d.string());
  CHECK(fs::path(n1).filename() == "gaussmap-0001.png");
  std::ofstream(n1) << "x";
  std::string n2 = gm::viewer::next_shot_name(d.string());
  CHECK(fs::path(n2).filename() == "gaussmap-0002.png");
  std::ofstream((d / "gaussmap-0002.npy").string()) << "x";
  CHECK(fs::path(gm::viewer::next_shot_name(d.string())).filename() == "gaussmap-0003.png");
  CHECK(gm::viewer::sibling_path("a/b.png", ".npy") == "a/b.npy");
  CHECK(gm::viewer::sibling_path("a/b.PNG", "-window.png") == "a/b-window.png");
  CHECK(gm::viewer::sibling_path("a/b", ".npy") == "a/b.npy");
  fs::remove_all(d);
}

TEST_CASE("files: title, and opening .json / .png scenes with one-line errors") {
  CHECK(gm::viewer::window_title("", false) == "gaussmap \xe2\x80\x94 untitled");
  CHECK(gm::viewer::window_title("/x/y/scene.json", true) == "gaussmap \xe2\x80\x94 scene.json*");
  fs::path d = scratch_dir("open");
  gm::Scene s = gm::seed_scene();
  s.kernels[0].angle_deg = 12.5;
  gm::save_scene(s, (d / "s.json").string());
  CHECK(gm::viewer::open_scene_file((d / "s.json").string()) == s);
  gm::Image img;
  img.width = 2, img.height = 1, img.rgba = {1, 2, 3, 255, 4, 5, 6, 255};
  gm::write_png((d / "s.png").string(), img, gm::scene_to_json_text(s));
  CHECK(gm::viewer::open_scene_file((d / "s.png").string()) == s);
  gm::write_png((d / "plain.png").string(), img, "");
  CHECK_THROWS_AS(gm::viewer::open_scene_file((d / "plain.png").string()), gm::InputError);
  CHECK_THROWS_AS(gm::viewer::open_scene_file((d / "missing.json").string()), gm::Error);
  std::ofstream((d / "bad.json").string()) << "{\"width\": 3";
  CHECK_THROWS_AS(gm::viewer::open_scene_file((d / "bad.json").string()), gm::InputError);
  fs::remove_all(d);
}

TEST_CASE("render plan: a band of rows has exactly the full field's rows (area sampling too)") {
  gm::Scene s = gm::seed_scene();
  s.width = 64, s.height = 48;
  s.domain_x = std::array<double, 2>{-3, 5};
  s.domain_y = std::array<double, 2>{2, -1};  // reversed
  s.sampling = gm::Sampling::Area;
  s.kernels[0].cx = 1, s.kernels[0].cy = 0.5, s.kernels[0].sx = 0.7, s.kernels[0].sy = 1.1;
  s.kernels[0].angle_deg = 30;
  s.kernels[1].cx = 0, s.kernels[1].cy = 1, s.kernels[1].sx = 0.05, s.kernels[1].sy = 0.08;
  auto full = gm::evaluate_reference(s).field;
  double worst = 0;
  for (auto [r0, rows] : {std::pair{0, 2}, std::pair{5, 7}, std::pair{46, 2}, std::pair{0, 48}}) {
    gm::Scene b = gm::viewer::band_scene(s, r0, rows);
    CHECK(b.height == rows);
    auto band = gm::evaluate_reference(b).field;
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < s.width; ++c)
        worst = std::max(worst, std::abs(band.at(r, c) - full.at(r0 + r, c)));
  }
  CHECK(worst <= 1e-12);
}

TEST_CASE("render plan: colorize_rows maps each value by the formula, over any range and rows") {
  gm::Scene s = gm::seed_scene();
  auto ref = gm::evaluate_reference(s);
  gm::Field f(s.width, s.height);
  for (std::size_t i = 0; i < f.data.size(); ++i) f.data[i] = float(ref.field.data[i]);
  const gm::ValueRange own = gm::view_range(s.view, f);
  // A range inside the field's, so that values clamp at both ends, and the field's own.
  const gm::ValueRange inner{own.vmin + 0.2 * (own.vmax - own.vmin),
                             own.vmin + 0.7 * (own.vmax - own.vmin)};
  for (gm::Scale sc : {gm::Scale::Linear, gm::Scale::Log, gm::Scale::Sqrt})
    for (gm::ValueRange r : {own, inner}) {
      s.view.scale = sc;
      s.view.colormap = gm::Colormap::Turbo;
      const gm::ColormapTable& table = gm::colormap_table(s.view.colormap);
      // The documented mapping, pixel by pixel: index round(255 t) of normalize_value.
      auto want = [&](int row, int col) {
        const double t = gm::normalize_value(f.at(row, col), r, sc);
        return table[std::min<std::size_t>(std::size_t(std::lround(t * 255.0)), 255)];
      };
      for (auto [row0, rows] : {std::pair{0, f.height}, std::pair{100, 3}}) {
        gm::Image got = gm::viewer::colorize_rows(f, s.view, r, row0, rows);
        REQUIRE(got.width == f.width);
        REQUIRE(got.height == rows);
        long bad = 0;
        for (int row = 0; row < rows; ++row)
          for (int col = 0; col < f.width; ++col) {
            const std::uint8_t* px =
                &got.rgba[4 * (std::size_t(row) * std::size_t(f.width) + std::size_t(col))];
            const auto& w = want(row0 + row, col);
            bad += px[0] != w[0] || px[1] != w[1] || px[2] != w[2] || px[3] != 255;
          }
        CHECK(bad == 0);
      }
    }
}

TEST_CASE("render plan: finite_min_max skips NaN and infinities, any length and position") {
  const float inf = std::numeric_limits<float>::infinity();
  for (int n : {1, 7, 8, 9, 1000, 1001})
    for (int p = 0; p < n; p += 1 + n / 40) {
      // The extremes at every lane and position: min -5 at p, max 7 three further on (else
      // beside); a NaN and infinities elsewhere where there is room.
      gm::Field f(n, 1);
      for (int i = 0; i < n; ++i) f.data[std::size_t(i)] = float(std::sin(0.37 * i));
      f.data[std::size_t(p)] = -5.0f;
      const int q = n > 1 ? (p + 3) % n == p ? (p + 1) % n : (p + 3) % n : p;
      if (q != p) f.data[std::size_t(q)] = 7.0f;
      const float odd[3] = {std::nanf(""), inf, -inf};
      for (int k = 1; k <= 3 && n > 5; ++k) {
        const int z = (p + n - k) % n;
        if (z != q) f.data[std::size_t(z)] = odd[k - 1];
      }
      std::optional<gm::MinMax<float>> m = gm::viewer::finite_min_max(f);
      REQUIRE(m.has_value());
      CHECK(m->min == -5.0f);
      CHECK(m->max == (q != p ? 7.0f : -5.0f));
    }
  gm::Field odd(5, 2);
  std::fill(odd.data.begin(), odd.data.end(), std::nanf(""));
  odd.data[3] = inf;
  CHECK_FALSE(gm::viewer::finite_min_max(odd).has_value());
  CHECK_FALSE(gm::viewer::finite_min_max(gm::Field()).has_value());
}

TEST_CASE("render plan: the range from a field's extremes is view_range of the field") {
  const float nan = std::nanf(""), inf = std::numeric_limits<float>::infinity();
  std::vector<std::vector<float>> fields = {{0.5f, 2.0f, 1.25f, 0.75f},  // ordinary
                                            {3.0f, 3.0f, 3.0f},   // positive constant: [c - 1, c]
                                            {0.0f, 0.0f},         // zeros: [0, 1]
                                            {-2.0f, -2.0f, nan},  // negative constant: [c, c + 1]
                                            {nan, inf, -inf},     // nothing finite: [0, 1]
                                            {1e-30f, inf, 4e-7f, nan, -3.0f}};
  for (const auto& values : fields)
    for (bool fixed : {false, true}) {
      gm::Field f(int(values.size()), 1);
      f.data.assign(values.begin(), values.end());
      gm::View v;
      v.range_auto = !fixed;
      v.vmin = -1, v.vmax = 9;
      const gm::ValueRange want = gm::view_range(v, f);
      const gm::ValueRange got = gm::viewer::range_from_extremes(v, gm::viewer::finite_min_max(f));
      CHECK(got.vmin == want.vmin);
      CHECK(got.vmax == want.vmax);
    }
}
