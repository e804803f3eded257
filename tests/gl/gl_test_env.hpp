// gl_test_env.hpp — the one headless GL context + MixtureRenderer shared by every GL test (made on
// first use, destroyed at exit, renderer before context). Where no GL 4.5 context can be made the
// tests are reported skipped, saying why (a failure under CI): GM_GL_OR_SKIP() at the top of each
// test; tests/test_skip.hpp has the rule.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"
#include "test_skip.hpp"

namespace gm::test {

struct GlTestEnv {
  std::unique_ptr<gl::HeadlessContext> context;  // declared first: destroyed last
  std::unique_ptr<gl::MixtureRenderer> renderer;
  std::string skip_reason;  // why there is no renderer
};

inline GlTestEnv& gl_env() {
  static GlTestEnv env = [] {
    GlTestEnv e;
    try {
      e.context = gl::HeadlessContext::create();
      e.renderer = std::make_unique<gl::MixtureRenderer>(e.context->loader());
    } catch (const std::exception& ex) {
      e.renderer.reset();
      e.skip_reason = ex.what();
    }
    return e;
  }();
  return env;
}

// Seeded random numbers for the generated scenes of the GL tests.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(gen_); }
  int integer(int a, int b) { return std::uniform_int_distribution<int>(a, b)(gen_); }
  double log_uniform(double a, double b) { return std::exp(uniform(std::log(a), std::log(b))); }
  bool chance(double p) { return uniform(0, 1) < p; }

 private:
  std::mt19937_64 gen_;
};

// Resets the shared renderer's tiling mode and strip rows when a test leaves (also on a failed
// REQUIRE).
struct TilingGuard {
  gl::MixtureRenderer& r;
  ~TilingGuard() {
    r.set_tiling(gl::Tiling::Auto);
    r.set_fetch(gl::Fetch::Auto);
    r.set_strip_rows(0);
  }
};

}  // namespace gm::test

// Binds `R` (MixtureRenderer&), or reports the test skipped (failed under CI) with the reason.
#define GM_GL_OR_SKIP()                                                              \
  if (!::gm::test::gl_env().renderer) {                                              \
    ::gm::test::skip_case("no GL 4.5 context: " + ::gm::test::gl_env().skip_reason); \
    return;                                                                          \
  }                                                                                  \
  ::gm::test::note_gl_case();                                                        \
  ::gm::gl::MixtureRenderer& R = *::gm::test::gl_env().renderer;                     \
  R.set_strip_rows(0)
