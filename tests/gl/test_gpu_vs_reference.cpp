// test_gpu_vs_reference.cpp — the GPU field (mixture.frag, read back) against the float64 reference
// on 240 random scenes with a fixed seed: every combination of combine x normalization x sampling
// x cutoff x rotation (48) five times, sizes 1x1 .. 1024x768 (odd ones included), 1 .. 420
// kernels (past the uniform block's 204: the storage-buffer path), random domains (pixel indices,
// linspace like [-3, 3], reversed axes, large offsets), negative weights, hidden kernels.
// Area-sampled scenes are also evaluated by the fast CPU backend, and the GPU compared with it: two
// float32 copies of the same cell-mean math (erfc approximation, fixed quadrature) must agree.
// Budgets (max error relative to the field's peak, tests/error_budgets.hpp) are a few times the
// worst error measured per category; the worst figures are printed (MESSAGE) with their budgets.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>

#include "core/fast_eval.hpp"
#include "core/field.hpp"
#include "core/kernel_math.hpp"
#include "core/reference.hpp"
#include "core/scene.hpp"
#include "error_budgets.hpp"
#include "gl_test_env.hpp"

using namespace gm;

namespace {

using test::Rng;

struct Combo {
  Combine combine;
  Normalization norm;
  Sampling sampling;
  bool cutoff;
  bool rotated;
};

Combo combo_of(int i) {
  return {Combine(i % 3), Normalization((i / 3) % 2), Sampling((i / 6) % 2), (i / 12) % 2 != 0,
          (i / 24) % 2 != 0};
}

struct Generated {
  Scene scene;
  std::string what;  // one-line description for failure messages
  int visible = 0;
};

Generated random_scene(Rng& rng, int index) {
  const Combo cb = combo_of(index % 48);
  const int rep = index / 48;
  const bool area = cb.sampling == Sampling::Area;
  const bool rot_area = area && cb.rotated;
  Scene s;
  s.combine = cb.combine;
  s.normalization = cb.norm;
  s.sampling = cb.sampling;
  if (cb.cutoff) s.cutoff_sigma = rng.uniform(1.0, 4.0);

  // Size and kernel count: big sizes with few kernels, many kernels with small sizes, rotated
  // area sampling small (the reference's quadrature is slow).
  const int odd[] = {1, 2, 3, 5, 7, 13};
  int n = 1;
  switch (rep) {
    case 0:  // tiny, including 1x1, 1xN, Nx1
      s.width = odd[rng.integer(0, 5)], s.height = odd[rng.integer(0, 5)];
      if (index % 48 == 0) s.width = s.height = 1;
      n = rng.integer(1, 4);
      break;
    case 1:  // medium
      s.width = rot_area ? rng.integer(9, 24) : rng.integer(20, 161);
      s.height = rot_area ? rng.integer(7, 19) : rng.integer(15, 121);
      n = rot_area ? rng.integer(1, 6) : rng.integer(1, 30);
      break;
    case 2:  // many kernels: the storage-buffer path
      s.width = rot_area ? rng.integer(3, 8) : rng.integer(8, 41);
      s.height = rot_area ? rng.integer(3, 7) : rng.integer(8, 31);
      n = rng.integer(230, 420);
      break;
    case 3:  // big, few kernels
      if (!area) {
        s.width = 1024, s.height = 768;
        if (index % 2) s.width = rng.integer(300, 1023), s.height = rng.integer(200, 767);
      } else if (!rot_area) {
        s.width = rng.integer(100, 301), s.height = rng.integer(80, 241);
      } else {
        s.width = rng.integer(20, 40), s.height = rng.integer(15, 30);
      }
      n = rng.integer(1, 3);
      break;
    default:  // around the uniform block's capacity (204)
      s.width = rot_area ? rng.integer(3, 7) : rng.integer(10, 61);
      s.height = rot_area ? rng.integer(3, 6) : rng.integer(10, 41);
      n = rng.integer(200, 210);
      break;
  }

  // Domain: pixel indices, linspace, reversed, large offset.
  const int dom = rng.integer(0, 3);
  if (dom == 1) {
    double hx = rng.uniform(0.5, 5.0), hy = rng.uniform(0.5, 5.0);
    s.domain_x = std::array<double, 2>{-hx, hx};
    s.domain_y = std::array<double, 2>{-hy, hy};
  } else if (dom == 2) {
    double sx = rng.uniform(0.01, 3.0) * s.width, sy = rng.uniform(0.01, 3.0) * s.height;
    double x0 = rng.uniform(-50, 50), y0 = rng.uniform(-50, 50);
    s.domain_x =
        rng.chance(0.6) ? std::array<double, 2>{x0 + sx, x0} : std::array<double, 2>{x0, x0 + sx};
    s.domain_y =
        rng.chance(0.7) ? std::array<double, 2>{y0 + sy, y0} : std::array<double, 2>{y0, y0 + sy};
  } else if (dom == 3) {
    double ox = rng.uniform(1e3, 1e5), oy = -rng.uniform(1e3, 1e5);
    double sx = rng.uniform(0.1, 2.0) * s.width, sy = rng.uniform(0.1, 2.0) * s.height;
    s.domain_x = std::array<double, 2>{ox, ox + sx};
    s.domain_y = std::array<double, 2>{oy, oy + sy};
  }
  const Grid grid = Grid::of(s);
  const auto [x0, x1] = s.x_range();
  const auto [y0, y1] = s.y_range();
  const double ext_x = std::max(std::abs(x1 - x0), grid.cell_w);
  const double ext_y = std::max(std::abs(y1 - y0), grid.cell_h);

  Generated out;
  for (int i = 0; i < n; ++i) {
    Kernel k;
    // Kernel 0 inside the grid (so the field is not all underflow), the others anywhere near.
    const double lo = i == 0 ? 0.1 : -0.2, hi = i == 0 ? 0.9 : 1.2;
    k.cx = std::min(x0, x1) + rng.uniform(lo, hi) * ext_x;
    k.cy = std::min(y0, y1) + rng.uniform(lo, hi) * ext_y;
    double sx = rng.log_uniform(0.3 * grid.cell_w, std::max(0.5 * ext_x, 0.31 * grid.cell_w));
    double sy = rng.log_uniform(0.3 * grid.cell_h, std::max(0.5 * ext_y, 0.31 * grid.cell_h));
    const bool as_cov = rng.chance(0.3);
    if (cb.rotated) {
      if (as_cov) {
        double rho = rng.uniform(0.1, 0.95) * (rng.chance(0.5) ? 1 : -1);
        k.use_covariance = true;
        k.cov_xx = sx * sx, k.cov_yy = sy * sy, k.cov_xy = rho * sx * sy;
      } else {
        k.sx = sx, k.sy = sy, k.angle_deg = rng.uniform(-170.0, 170.0);
        if (std::fmod(std::abs(k.angle_deg), 90.0) < 1.0) k.angle_deg += 5.0;
      }
    } else if (as_cov) {
      k.use_covariance = true;
      k.cov_xx = sx * sx, k.cov_yy = sy * sy, k.cov_xy = 0;
    } else {
      const double angles[] = {0.0, 90.0, 180.0, -90.0, 270.0};
      k.sx = sx, k.sy = sy, k.angle_deg = angles[rng.integer(0, 4)];
    }
    switch (s.combine) {
      case Combine::Sum:
        k.weight = i == 0 ? 1.0 : rng.uniform(-0.7, 1.5);
        break;
      case Combine::Max:
        k.weight = i == 0 ? 1.0 : rng.uniform(-0.5, 1.5);
        break;
      case Combine::ProbOr:
        k.weight = rng.uniform(0.05, 1.0);
        break;
    }
    k.visible = i == 0 || !rng.chance(0.1);
    out.visible += k.visible ? 1 : 0;
    s.kernels.push_back(k);
  }
  std::ostringstream what;
  what << "scene #" << index << ": " << s.width << "x" << s.height
       << " combine=" << to_string(s.combine) << " norm=" << to_string(s.normalization)
       << " sampling=" << to_string(s.sampling)
       << " cutoff=" << (s.cutoff_sigma ? std::to_string(*s.cutoff_sigma) : "none")
       << " rotated=" << cb.rotated << " kernels=" << n << " (visible " << out.visible << ")"
       << " domain x=[" << x0 << ", " << x1 << "] y=[" << y0 << ", " << y1 << "]";
  out.what = what.str();
  out.scene = std::move(s);
  return out;
}

struct Worst {
  Worst(const char* n, double b) : name(n), budget(b) {}
  std::string name;
  double budget;
  int scenes = 0;
  double rel = 0;
  std::string where;
  void add(double e, const std::string& what) {
    ++scenes;
    if (e >= rel) rel = e, where = what;
  }
};

}  // namespace

TEST_CASE("gl: GPU field equals the float64 reference on 240 random scenes (all 48 combos x 5)") {
  GM_GL_OR_SKIP();
  Rng rng(0x9e3779b97f4a7c15ULL);
  using namespace gm::test;
  Worst point{"point", kGpuPoint}, area_axis{"area, axis-aligned", kGpuAreaAxis},
      area_rot{"area, rotated", kGpuAreaRotated},
      ssbo{"past the uniform block (> 204 kernels: texels, or the storage buffer)",
           0};  // checked in the categories above
  Worst fast_axis{"GPU vs fast CPU, area, axis-aligned", kGpuFastAreaAxis},
      fast_rot{"GPU vs fast CPU, area, rotated", kGpuFastAreaRotated};
  int combos_seen[48] = {};
  double gpu_s = 0, ref_s = 0;
  for (int index = 0; index < 240; ++index) {
    Generated gen = random_scene(rng, index);
    const Scene& s = gen.scene;
    INFO(gen.what);
    auto t0 = std::chrono::steady_clock::now();
    R.render_field(s);
    Field got = R.read_field();
    auto t1 = std::chrono::steady_clock::now();
    ReferenceResult ref = evaluate_reference(s);
    auto t2 = std::chrono::steady_clock::now();
    gpu_s += std::chrono::duration<double>(t1 - t0).count();
    ref_s += std::chrono::duration<double>(t2 - t1).count();

    REQUIRE(got.width == s.width);
    REQUIRE(got.height == s.height);
    CHECK(R.last_used_ssbo() == (!R.last_used_texels() && gen.visible > R.ubo_capacity()));
    FieldError e = compare(got, ref.field);
    const bool is_area = s.sampling == Sampling::Area;
    const bool rotated = combo_of(index % 48).rotated;
    Worst& category = !is_area ? point : rotated ? area_rot : area_axis;
    INFO("max |gpu - ref| = " << e.max_abs << ", peak " << e.peak << ", relative " << e.max_rel_peak
                              << ", budget " << category.budget);
    CHECK(e.max_rel_peak <= category.budget);
    std::string where = gen.what + " -> " + std::to_string(e.max_rel_peak);
    category.add(e.max_rel_peak, where);
    if (gen.visible > R.ubo_capacity()) ssbo.add(e.max_rel_peak, where);
    if (is_area) {
      // Relative to the reference's peak, like every other figure here.
      const Field fast = evaluate_fast(s);
      FieldD fast_d(fast.width, fast.height);
      std::copy(fast.data.begin(), fast.data.end(), fast_d.data.begin());
      FieldError ef = compare(got, fast_d);
      const double rel = e.peak > 0 ? ef.max_abs / e.peak : ef.max_abs;
      Worst& vs_fast = rotated ? fast_rot : fast_axis;
      INFO("max |gpu - fast| = " << ef.max_abs << ", relative " << rel << ", budget "
                                 << vs_fast.budget);
      CHECK(rel <= vs_fast.budget);
      vs_fast.add(rel, gen.what + " -> " + std::to_string(rel));
    }
    ++combos_seen[index % 48];
  }
  for (int c = 0; c < 48; ++c) CHECK(combos_seen[c] >= 4);
  CHECK(ssbo.scenes >= 20);
  CHECK(fast_axis.scenes >= 50);
  CHECK(fast_rot.scenes >= 50);
  for (const Worst* w : {&point, &area_axis, &area_rot, &ssbo, &fast_axis, &fast_rot}) {
    std::ostringstream budget;
    if (w->budget > 0)
      budget << w->budget;
    else
      budget << "per category";
    MESSAGE(w->name << ": " << w->scenes << " scenes, worst max error / peak = " << w->rel
                    << " (budget " << budget.str() << ")  [" << w->where << "]");
  }
  MESSAGE("GPU " << gpu_s << " s (render + readback), reference " << ref_s << " s, on "
                 << R.renderer_name());
}
