// test_examples.cpp — every scene in examples/ on the GPU against the float64 reference (what
// `gaussmap verify` checks, here held to tests/error_budgets.hpp's budget), and cutoff rims that
// pass exactly through pixel centres (d == k): the GPU must decide those ties as the reference
// does, tiled or not.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/reference.hpp"
#include "core/scene_io.hpp"
#include "error_budgets.hpp"
#include "gl_test_env.hpp"

using namespace gm;

TEST_CASE("gl: every example scene matches the reference (within the measured budget)") {
  GM_GL_OR_SKIP();
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(GM_SOURCE_DIR "/examples")) {
    if (entry.path().extension() != ".json") continue;
    Scene s = load_scene(entry.path().string());
    R.render_field(s);
    FieldError e = compare(R.read_field(), evaluate_reference(s).field);
    MESSAGE(entry.path().filename().string() << ": max error / peak " << e.max_rel_peak
                                             << " (budget " << test::kGpuFixedScenes << ")");
    CHECK(e.max_rel_peak <= test::kGpuFixedScenes);
    ++n;
  }
  CHECK(n >= 6);
}

TEST_CASE("gl: cutoff rims through pixel centres (d == k exactly) fall as in the reference") {
  GM_GL_OR_SKIP();
  // Integer centres and sigmas that divide the integer offsets: d = k exactly on many pixels.
  const double sig[][2] = {{45, 75}, {4, 4}, {3, 5}, {2, 8}, {10, 6}};
  for (gl::Tiling tiling : {gl::Tiling::Off, gl::Tiling::On}) {
    R.set_tiling(tiling);
    for (auto [sx, sy] : sig) {
      for (double k : {1.0, 2.0, 3.0}) {
        Scene s;
        s.width = int(2 * k * sx) + 9, s.height = int(2 * k * sy) + 7;
        s.normalization = Normalization::Peak;
        s.cutoff_sigma = k;
        Kernel a;
        a.cx = double(int(k * sx) + 4), a.cy = double(int(k * sy) + 3), a.sx = sx, a.sy = sy;
        s.kernels = {a};
        for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
          s.combine = c;
          R.render_field(s);
          Field got = R.read_field();
          FieldD ref = evaluate_reference(s).field;
          int differ = 0;
          for (std::size_t i = 0; i < ref.data.size(); ++i)
            if ((got.data[i] == 0.0f) != (ref.data[i] == 0.0)) ++differ;
          INFO("sigma " << sx << "x" << sy << ", k " << k << ", " << to_string(c) << ", tiling "
                        << int(tiling));
          CHECK(differ == 0);
        }
      }
    }
  }
  R.set_tiling(gl::Tiling::Auto);
}
