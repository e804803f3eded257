// test_colorbar.cpp — nice ticks, labels, and tick positions that match the colormap's mapping
// (gm::normalize_value) under linear, sqrt and log scales.
#include <doctest/doctest.h>

#include <cmath>

#include "viewer/colorbar.hpp"

using gm::viewer::colorbar_ticks;
using gm::viewer::format_tick;
using gm::viewer::nice_step;
using gm::viewer::nice_ticks;

TEST_CASE("ticks: nice steps are 1, 2, 2.5, 5 times a power of ten") {
  CHECK(nice_step(1.0, 6) == doctest::Approx(0.2));
  CHECK(nice_step(0.93, 6) == doctest::Approx(0.2));
  CHECK(nice_step(100, 11) == doctest::Approx(10));
  CHECK(nice_step(3e-5, 4) == doctest::Approx(1e-5));
  CHECK(nice_step(7, 3) == doctest::Approx(5));
  CHECK(nice_step(1.04, 6) == doctest::Approx(0.25));
  CHECK(nice_step(0, 5) == 1);
}

TEST_CASE("ticks: values lie in the range, evenly spaced, zero is exactly zero") {
  auto t = nice_ticks(-0.13, 0.91, 6);  // step 0.25
  REQUIRE(t.size() == 4);
  CHECK(t[0] == 0.0);
  CHECK(t.back() == doctest::Approx(0.75));
  t = nice_ticks(0, 1, 6);
  CHECK(t.size() == 6);
  CHECK(t.back() == doctest::Approx(1.0));
  t = nice_ticks(0.30000000000000004, 0.3, 5);  // reversed, degenerate-ish
  CHECK(!t.empty());
  t = nice_ticks(2, 2, 5);
  CHECK(t.size() == 1);
  for (double lo : {-1e6, -3.3, 0.0, 1e-7, 42.0})
    for (double span : {1e-6, 0.37, 1.0, 9.9, 1234.5}) {
      auto v = nice_ticks(lo, lo + span, 7);
      CHECK(v.size() >= 2);
      CHECK(v.size() <= 8);
      for (double x : v) {
        CHECK(x >= lo - span * 1e-6);
        CHECK(x <= lo + span * (1 + 1e-6));
      }
    }
}

TEST_CASE("ticks: labels") {
  CHECK(format_tick(0, 0.2) == "0");
  CHECK(format_tick(0.4, 0.2) == "0.4");
  CHECK(format_tick(0.25, 0.25) == "0.25");
  CHECK(format_tick(1200, 200) == "1200");
  CHECK(format_tick(2.5e-5, 5e-6) == "2.5e-5");
  CHECK(format_tick(3e6, 1e6) == "3e6");
  CHECK(format_tick(-0.06, 0.02) == "-0.06");
  CHECK(format_tick(0.001, 0.001) == "0.001");
  CHECK(format_tick(1e-4, 2e-5) == "1e-4");  // not "1.0e-4"
  CHECK(format_tick(1.2e-4, 2e-5) == "1.2e-4");
}

TEST_CASE("colorbar: positions are the colormap's own mapping under each scale") {
  gm::ValueRange r{0.0, 0.9};
  for (gm::Scale s : {gm::Scale::Linear, gm::Scale::Sqrt}) {
    auto ticks = colorbar_ticks(r, s, 6);
    REQUIRE(ticks.size() >= 4);
    CHECK(ticks.front().value == 0.0);
    CHECK(ticks.front().t == doctest::Approx(0.0));
    for (const auto& t : ticks) {
      CHECK(t.t == doctest::Approx(gm::normalize_value(t.value, r, s)));
      CHECK(t.value >= 0);
      CHECK(t.value <= 0.9 + 1e-12);
    }
  }
  auto lin = colorbar_ticks(r, gm::Scale::Linear, 6);
  CHECK(lin[1].t == doctest::Approx(0.2 / 0.9));
  auto sq = colorbar_ticks(r, gm::Scale::Sqrt, 6);
  CHECK(sq[1].t == doctest::Approx(std::sqrt(0.2 / 0.9)));
}

TEST_CASE("colorbar: log scale gets decades from the floor normalize_value uses") {
  gm::ValueRange r{0.0, 1.0};  // vmin <= 0: floor at vmax * 1e-6
  auto ticks = colorbar_ticks(r, gm::Scale::Log, 8);
  REQUIRE(ticks.size() == 7);
  CHECK(ticks.front().value == doctest::Approx(1e-6));
  CHECK(ticks.front().t == doctest::Approx(0.0).epsilon(1e-9));
  CHECK(ticks.back().value == doctest::Approx(1.0));
  CHECK(ticks.back().t == doctest::Approx(1.0));
  CHECK(ticks.back().label == "1");
  CHECK(ticks.front().label == "1e-6");
  CHECK(ticks[3].label == "1e-3");  // one style along the bar
  CHECK(colorbar_ticks({1e-3, 100}, gm::Scale::Log, 8)[0].label == "0.001");
  for (const auto& t : ticks)
    CHECK(t.t == doctest::Approx(gm::normalize_value(t.value, r, gm::Scale::Log)));
  // Many decades: thinned to at most about max_ticks.
  auto many = colorbar_ticks({1e-12, 1e12}, gm::Scale::Log, 6);
  CHECK(many.size() <= 7);
  CHECK(many.size() >= 4);
  // Less than two decades: 1-2-5.
  auto few = colorbar_ticks({0.15, 3.0}, gm::Scale::Log, 8);
  REQUIRE(few.size() >= 3);
  CHECK(few[0].value == doctest::Approx(0.2));
}

TEST_CASE("colorbar: crowded ticks are thinned by min_dt; degenerate ranges do not crash") {
  auto ticks = colorbar_ticks({0, 1}, gm::Scale::Sqrt, 11, 0.06);
  for (std::size_t i = 1; i < ticks.size(); ++i) CHECK(ticks[i].t - ticks[i - 1].t >= 0.06);
  CHECK(colorbar_ticks({2, 2}, gm::Scale::Linear, 5).size() <= 1);
  CHECK(colorbar_ticks({-1, -0.5}, gm::Scale::Log, 5).size() <= 6);
  CHECK(colorbar_ticks({0, NAN}, gm::Scale::Linear, 5).empty());
}
