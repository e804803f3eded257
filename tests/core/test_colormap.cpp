// test_colormap.cpp — colormap tables against matplotlib's numbers (endpoints committed below),
// monotone lightness of the perceptual maps, gray as the identity, the view range and the
// value -> t mapping of every scale, and the CPU colorizer.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>

#include "core/colormap.hpp"

namespace {

using namespace gm;

// Relative luminance (sRGB -> linear, Rec. 709 weights) of an 8-bit colour.
double luminance(const std::array<std::uint8_t, 3>& c) {
  auto lin = [](std::uint8_t v) {
    double x = v / 255.0;
    return x <= 0.04045 ? x / 12.92 : std::pow((x + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
}

std::array<std::uint8_t, 3> rgb8(double r, double g, double b) {
  return {std::uint8_t(std::lround(r * 255)), std::uint8_t(std::lround(g * 255)),
          std::uint8_t(std::lround(b * 255))};
}

}  // namespace

TEST_CASE("colormap: table endpoints equal matplotlib's (3.6.3, _cm_listed.py)") {
  struct Ends {
    Colormap map;
    double first[3], last[3];
  };
  const Ends ends[] = {
      {Colormap::Viridis, {0.267004, 0.004874, 0.329415}, {0.993248, 0.906157, 0.143936}},
      {Colormap::Magma, {0.001462, 0.000466, 0.013866}, {0.987053, 0.991438, 0.749504}},
      {Colormap::Inferno, {0.001462, 0.000466, 0.013866}, {0.988362, 0.998364, 0.644924}},
      {Colormap::Plasma, {0.050383, 0.029803, 0.527975}, {0.940015, 0.975158, 0.131326}},
      {Colormap::Cividis, {0.0, 0.135112, 0.304751}, {0.995737, 0.909344, 0.217772}},
      {Colormap::Turbo, {0.18995, 0.07176, 0.23217}, {0.4796, 0.01583, 0.01055}},
      {Colormap::Gray, {0, 0, 0}, {1, 1, 1}},
  };
  for (const Ends& e : ends) {
    CAPTURE(to_string(e.map));
    const ColormapTable& t = colormap_table(e.map);
    CHECK(t[0] == rgb8(e.first[0], e.first[1], e.first[2]));
    CHECK(t[255] == rgb8(e.last[0], e.last[1], e.last[2]));
  }
  // The 8-bit values spelled out, as every viridis picture starts and ends with them.
  CHECK(colormap_table(Colormap::Viridis)[0] == std::array<std::uint8_t, 3>{68, 1, 84});
  CHECK(colormap_table(Colormap::Viridis)[255] == std::array<std::uint8_t, 3>{253, 231, 37});
  // viridis(0.5) in matplotlib is entry 128: [0.127568, 0.566949, 0.550556].
  CHECK(colormap_table(Colormap::Viridis)[128] == rgb8(0.127568, 0.566949, 0.550556));
}

TEST_CASE("colormap: lightness rises monotonically in the perceptual maps") {
  for (Colormap m : {Colormap::Viridis, Colormap::Magma, Colormap::Inferno, Colormap::Plasma,
                     Colormap::Cividis}) {
    CAPTURE(to_string(m));
    const ColormapTable& t = colormap_table(m);
    for (int i = 0; i + 1 < 256; ++i) {
      // 8-bit rounding may dent a step by less than one code value...
      CHECK(luminance(t[i + 1]) >= luminance(t[i]) - 5e-4);
      // ...but over four steps lightness strictly rises.
      if (i + 4 < 256) CHECK(luminance(t[i + 4]) > luminance(t[i]));
    }
  }
}

TEST_CASE("colormap: gray is the identity") {
  const ColormapTable& g = colormap_table(Colormap::Gray);
  for (int i = 0; i < 256; ++i) {
    auto v = std::uint8_t(i);
    CHECK(g[i] == std::array<std::uint8_t, 3>{v, v, v});
  }
}

TEST_CASE(
    "view_range: auto is [min, max] of finite values (constant: one unit wide), fixed as given") {
  Field f(3, 2);
  f.data = {1, -2, NAN, 5, INFINITY, -INFINITY};
  View v;
  ValueRange r = view_range(v, f);
  CHECK(r.vmin == -2);
  CHECK(r.vmax == 5);

  Field zero(4, 4);
  r = view_range(v, zero);
  CHECK(r.vmin == 0);
  CHECK(r.vmax == 1);
  Field pos(2, 2);
  pos.data = {0.25f, 0.25f, 0.25f, 0.25f};
  r = view_range(v, pos);
  CHECK(r.vmin == -0.75);
  CHECK(r.vmax == 0.25);
  CHECK(normalize_value(0.25, r, Scale::Linear) == 1);
  CHECK(normalize_value(0.25, r, Scale::Log) == 1);
  Field neg(1, 1);
  neg.data = {-3};
  r = view_range(v, neg);
  CHECK(r.vmin == -3);
  CHECK(r.vmax == -2);
  Field nans(2, 1);
  nans.data = {NAN, NAN};
  r = view_range(v, nans);
  CHECK(r.vmin == 0);
  CHECK(r.vmax == 1);
  CHECK(view_range(v, Field{}).vmax == 1);

  v.range_auto = false, v.vmin = -1, v.vmax = 7;
  r = view_range(v, f);
  CHECK(r.vmin == -1);
  CHECK(r.vmax == 7);
}

TEST_CASE("normalize_value: linear, sqrt and log scales") {
  ValueRange r{2, 6};
  CHECK(normalize_value(2, r, Scale::Linear) == 0);
  CHECK(normalize_value(4, r, Scale::Linear) == 0.5);
  CHECK(normalize_value(6, r, Scale::Linear) == 1);
  CHECK(normalize_value(-100, r, Scale::Linear) == 0);
  CHECK(normalize_value(100, r, Scale::Linear) == 1);
  CHECK(normalize_value(NAN, r, Scale::Linear) == 0);
  CHECK(normalize_value(INFINITY, r, Scale::Linear) == 0);
  CHECK(normalize_value(-INFINITY, r, Scale::Sqrt) == 0);

  CHECK(normalize_value(3, r, Scale::Sqrt) == doctest::Approx(0.5));  // sqrt(0.25)
  CHECK(normalize_value(1, r, Scale::Sqrt) == 0);                     // below vmin: no NaN
  CHECK(normalize_value(6, r, Scale::Sqrt) == 1);

  // log with vmin > 0: plain log10 mapping.
  ValueRange lr{1, 1000};
  CHECK(normalize_value(10, lr, Scale::Log) == doctest::Approx(1.0 / 3));
  CHECK(normalize_value(100, lr, Scale::Log) == doctest::Approx(2.0 / 3));
  CHECK(normalize_value(0.5, lr, Scale::Log) == 0);
  CHECK(normalize_value(-5, lr, Scale::Log) == 0);
  CHECK(normalize_value(1e6, lr, Scale::Log) == 1);
  // log with vmin <= 0: a floor of vmax * 1e-6, six decades shown.
  ValueRange z{0, 1};
  CHECK(normalize_value(1, z, Scale::Log) == 1);
  CHECK(normalize_value(1e-3, z, Scale::Log) == doctest::Approx(0.5));
  CHECK(normalize_value(1e-6, z, Scale::Log) == doctest::Approx(0).epsilon(1e-12));
  CHECK(normalize_value(0, z, Scale::Log) == 0);
  CHECK(normalize_value(-1, z, Scale::Log) == 0);
  // Degenerate ranges map to 0 rather than NaN.
  CHECK(normalize_value(1, ValueRange{-2, -1}, Scale::Log) == 0);
  CHECK(normalize_value(1, ValueRange{3, 3}, Scale::Linear) == 0);
  CHECK(normalize_value(1, ValueRange{3, 1}, Scale::Sqrt) == 0);
  for (double v : {-1e300, -1.0, 0.0, 1e-300, 0.3, 1.0, 1e300})
    for (Scale s : {Scale::Linear, Scale::Sqrt, Scale::Log}) {
      double t = normalize_value(v, ValueRange{-1e-3, 2}, s);
      CHECK(t >= 0);
      CHECK(t <= 1);
    }
}

TEST_CASE("colorize: table lookup at round(255 t), alpha 255, row 0 stays on top") {
  Field f(2, 3);
  f.data = {0, 1, 0.5f, NAN, 0.25f, 2};  // rows: [0, 1], [0.5, nan], [0.25, 2]
  View v;
  v.colormap = Colormap::Gray;
  v.range_auto = false, v.vmin = 0, v.vmax = 1;
  Image img = colorize(f, v);
  REQUIRE(img.width == 2);
  REQUIRE(img.height == 3);
  REQUIRE(img.rgba.size() == 24);
  auto px = [&](int row, int col) {
    const std::uint8_t* p = &img.rgba[(std::size_t(row) * 2 + col) * 4];
    return std::array<int, 4>{p[0], p[1], p[2], p[3]};
  };
  CHECK(px(0, 0) == std::array<int, 4>{0, 0, 0, 255});
  CHECK(px(0, 1) == std::array<int, 4>{255, 255, 255, 255});
  CHECK(px(1, 0) == std::array<int, 4>{128, 128, 128, 255});  // round(127.5)
  CHECK(px(1, 1) == std::array<int, 4>{0, 0, 0, 255});        // NaN -> bottom of the map
  CHECK(px(2, 0) == std::array<int, 4>{64, 64, 64, 255});     // round(63.75)
  CHECK(px(2, 1) == std::array<int, 4>{255, 255, 255, 255});  // clamped

  // Auto range over viridis: the minimum and maximum take the table's ends.
  View a;
  Image b = colorize(f, a);
  const ColormapTable& vir = colormap_table(Colormap::Viridis);
  CHECK(b.rgba[0] == vir[0][0]);
  CHECK(b.rgba[1] == vir[0][1]);
  CHECK(b.rgba[2] == vir[0][2]);
  CHECK(b.rgba[20] == vir[255][0]);
  CHECK(b.rgba[21] == vir[255][1]);
  CHECK(b.rgba[22] == vir[255][2]);
}

TEST_CASE("colorize: every value gets the formula's colour (round(255 t) of normalize_value)") {
  // Large fields (the fast path with its thresholds and threads) of values spread over and around
  // the range, the float neighbours of the index boundaries, non-finite values; every scale, fixed
  // and auto ranges, degenerate ones. Expected colours come from normalize_value per value.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  int fields = 0;
  long long pixels = 0;
  for (int rep = 0; rep < 24; ++rep) {
    View v;
    v.colormap = Colormap(rep % 7);
    v.scale = Scale(rep % 3);
    const double lo = rep % 4 == 0 ? 0.0 : (u(rng) - 0.5) * std::pow(10.0, 6 * u(rng) - 3);
    const double span = rep % 5 == 0 ? 0.0 : std::pow(10.0, 8 * u(rng) - 4);
    v.range_auto = rep % 2 == 0;
    v.vmin = lo, v.vmax = lo + span;
    Field f(300, 120);  // above colorize's pixel count for the log scale's counted boundaries
    for (float& x : f.data) {
      const double t = u(rng) * 1.4 - 0.2;
      x = float(lo + t * (span > 0 ? span : 1.0));
    }
    // Values at and next to the boundaries between indices (t = (k + 0.5) / 255).
    for (int k = 0; k < 255; ++k) {
      const double t = (k + 0.5) / 255.0, tt = v.scale == Scale::Sqrt ? t * t : t;
      const float b = float(lo + tt * span);
      f.data[std::size_t(3 * k)] = b;
      f.data[std::size_t(3 * k + 1)] = std::nextafter(b, -INFINITY);
      f.data[std::size_t(3 * k + 2)] = std::nextafter(b, INFINITY);
    }
    // The same for the log scale with a fixed range: t = (log10 v - log10 floor) / (log10 vmax -
    // log10 floor).
    if (v.scale == Scale::Log && !v.range_auto && v.vmax > 0) {
      const double fl = v.vmin > 0 ? v.vmin : v.vmax * 1e-6;
      for (int k = 0; k < 255; ++k) {
        const double t = (k + 0.5) / 255.0;
        const float b =
            float(std::pow(10.0, std::log10(fl) + t * (std::log10(v.vmax) - std::log10(fl))));
        f.data[std::size_t(1000 + 3 * k)] = b;
        f.data[std::size_t(1000 + 3 * k + 1)] = std::nextafter(b, -INFINITY);
        f.data[std::size_t(1000 + 3 * k + 2)] = std::nextafter(b, INFINITY);
      }
    }
    f.data[800] = NAN, f.data[801] = INFINITY, f.data[802] = -INFINITY, f.data[803] = 1e-42f;
    f.data[804] = std::numeric_limits<float>::max(), f.data[805] = -f.data[804];
    const Image img = colorize(f, v);
    const ColormapTable& table = colormap_table(v.colormap);
    const ValueRange r = view_range(v, f);
    int wrong = 0;
    for (std::size_t i = 0; i < f.data.size(); ++i) {
      const double t = normalize_value(f.data[i], r, v.scale);
      const auto& rgb = table[std::min<std::size_t>(std::size_t(std::lround(t * 255.0)), 255)];
      wrong += img.rgba[4 * i] != rgb[0] || img.rgba[4 * i + 1] != rgb[1] ||
               img.rgba[4 * i + 2] != rgb[2] || img.rgba[4 * i + 3] != 255;
    }
    INFO("scale " << to_string(v.scale) << " range [" << r.vmin << ", " << r.vmax << "]");
    CHECK(wrong == 0);
    ++fields, pixels += static_cast<long long>(f.data.size());
  }
  MESSAGE(fields << " fields, " << pixels << " pixels: colours equal the formula's");
}

TEST_CASE("colorize: log scale from 300 decades down to a range a few floats wide") {
  // Large pictures on the log scale count boundaries through a table whose resolution adapts to
  // how closely they are packed (one probe a pixel where they are spread, more or a bisection
  // where dozens share a float). Every such range, each boundary and its float neighbours, must
  // get the formula's colour.
  const ValueRange ranges[] = {
      {1e-150, 1e150},   {1e-6, 1e6},       {0.5, 1.0},        {1.0, 1.0 + 1e-4}, {1.0, 1.0 + 1e-6},
      {1.0, 1.0 + 1e-7}, {1.0, 1.0 + 1e-5}, {1.0, 1.0 + 2e-5}, {1.0, 1.0 + 5e-6}, {1.0, 1.0 + 4e-5},
      {-3.0, 2.0},       {0.0, 1e-30},      {1e-38, 1e-37}};
  long long pixels = 0;
  for (const ValueRange& r : ranges) {
    View v;
    v.scale = Scale::Log, v.range_auto = false, v.vmin = r.vmin, v.vmax = r.vmax;
    Field f(256, 160);  // above the pixel count where the counted boundaries take over
    std::size_t at = 0;
    const double fl = r.vmin > 0 ? r.vmin : r.vmax * 1e-6;
    for (int k = 0; k < 256 && at + 5 < f.data.size(); ++k) {
      const double t = (k + 0.5) / 255.0;
      const float b =
          float(std::pow(10.0, std::log10(fl) + t * (std::log10(r.vmax) - std::log10(fl))));
      for (float x : {b, std::nextafter(b, -INFINITY), std::nextafter(b, INFINITY),
                      std::nextafter(std::nextafter(b, INFINITY), INFINITY), -b})
        f.data[at++] = x;
    }
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1.0, 2.0);
    const double span = r.vmax - fl;
    for (; at < f.data.size(); ++at) f.data[at] = float(fl + u(rng) * span);
    f.data[0] = 0.0f, f.data[1] = -0.0f, f.data[2] = NAN, f.data[3] = -INFINITY;
    const Image img = colorize(f, v);
    const ColormapTable& table = colormap_table(v.colormap);
    int wrong = 0;
    for (std::size_t i = 0; i < f.data.size(); ++i) {
      const double t = normalize_value(f.data[i], r, v.scale);
      const auto& rgb = table[std::min<std::size_t>(std::size_t(std::lround(t * 255.0)), 255)];
      wrong += img.rgba[4 * i] != rgb[0] || img.rgba[4 * i + 1] != rgb[1] ||
               img.rgba[4 * i + 2] != rgb[2];
    }
    INFO("range [" << r.vmin << ", " << r.vmax << "]");
    CHECK(wrong == 0);
    pixels += static_cast<long long>(f.data.size());
  }
  MESSAGE(pixels << " pixels on log ranges of 300 decades to a few floats: the formula's colours");
}

TEST_CASE("Colorizer: RGB rows of any length are the formula's colours, nothing past 3 n") {
  // What the PNG writer's bands are coloured with: every scale, a range inside and around the
  // values, runs from 1 value (the last pixel's 3-byte store) past one 4096-value chunk.
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-0.2, 1.2);
  for (Scale s : {Scale::Linear, Scale::Sqrt, Scale::Log})
    for (std::size_t pixels : {std::size_t(100), std::size_t(1) << 16}) {  // log: table or not
      View v;
      v.scale = s, v.colormap = Colormap::Magma, v.range_auto = false, v.vmin = 0.01, v.vmax = 1;
      const ValueRange r{v.vmin, v.vmax};
      const Colorizer colors(v, r, pixels);
      const ColormapTable& table = colormap_table(v.colormap);
      int wrong = 0, spilled = 0;
      for (std::size_t n : {1, 2, 3, 7, 64, 65, 4095, 4096, 4097, 9000}) {
        std::vector<float> x(n);
        for (float& e : x) e = float(u(rng));
        x[0] = n > 1 ? NAN : x[0];
        std::vector<std::uint8_t> out(3 * n + 8, 0xA5);
        colors.rgb(x.data(), n, out.data());
        for (std::size_t i = 0; i < n; ++i) {
          const double t = normalize_value(x[i], r, s);
          const auto& want = table[std::min<std::size_t>(std::size_t(std::lround(t * 255.0)), 255)];
          wrong += out[3 * i] != want[0] || out[3 * i + 1] != want[1] || out[3 * i + 2] != want[2];
        }
        for (std::size_t i = 3 * n; i < out.size(); ++i) spilled += out[i] != 0xA5;
      }
      INFO("scale " << int(s) << ", picture of " << pixels << " pixels");
      CHECK(wrong == 0);
      CHECK(spilled == 0);
    }
}
