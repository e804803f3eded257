// bench_cases.cpp — the fixed scenes of `gaussmap bench` (see bench_cases.hpp).
#include "bench_cases.hpp"

#include <cstdio>
#include <random>
#include <utility>

namespace gm {

namespace {

// Random kernels over the whole image (deterministic for a seed).
std::vector<Kernel> random_kernels(int n, int w, int h, double smin, double smax, bool rotated,
                                   unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<Kernel> ks(static_cast<std::size_t>(n));
  for (Kernel& k : ks) {
    k.cx = u(rng) * (w - 1), k.cy = u(rng) * (h - 1);
    k.sx = smin + (smax - smin) * u(rng);
    k.sy = smin + (smax - smin) * u(rng);
    k.angle_deg = rotated ? 180.0 * u(rng) : 0.0;
    k.weight = 0.5 + u(rng);
  }
  return ks;
}

Scene make_scene(int w, int h, std::vector<Kernel> ks) {
  Scene s;
  s.width = w, s.height = h;
  s.kernels = std::move(ks);
  return s;
}

std::string fmt_g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

std::vector<BenchCase> bench_cases(bool sweep) {
  std::vector<BenchCase> cs;
  auto add = [&](std::string name, std::string what, Scene s) {
    cs.push_back({std::move(name), std::move(what), std::move(s)});
  };
  {
    Scene s = make_scene(100, 100, {});
    Kernel a, b;
    a.cx = 30, a.cy = 40, a.sx = 10, a.sy = 10;
    b.cx = 70, b.cy = 60, b.sx = 15, b.sy = 8;
    s.kernels = {a, b};
    add("tiny", "100x100, 2 kernels", s);
  }
  {
    Scene s = make_scene(800, 400, {});
    for (double cx : {150.0, 400.0, 650.0}) {
      Kernel k;
      k.cx = cx, k.cy = cx == 400.0 ? 250.0 : 150.0, k.sx = 8, k.sy = 8;  // variance 64
      s.kernels.push_back(k);
    }
    add("points", "800x400, 3 isotropic kernels, variance 64, pdf, sum", s);
  }
  {
    Scene s = seed_scene();  // 640x480 -> 1920x1080, kernels scaled with the image
    const double fx = 1920.0 / s.width, fy = 1080.0 / s.height;
    s.width = 1920, s.height = 1080;
    for (Kernel& k : s.kernels) k.cx *= fx, k.cy *= fy, k.sx *= fx, k.sy *= fy;
    add("seed-hd", "1920x1080, the seed's 2 kernels scaled (peak, prob_or, cutoff 3)", s);
  }
  add("k64", "1920x1080, 64 axis-aligned kernels, sigma 20..120, no cutoff",
      make_scene(1920, 1080, random_kernels(64, 1920, 1080, 20, 120, false, 64)));
  {
    Scene s = make_scene(1920, 1080, random_kernels(64, 1920, 1080, 20, 120, false, 64));
    s.cutoff_sigma = 3.0;
    add("k64-cut3", "1920x1080, 64 axis-aligned kernels, sigma 20..120, cutoff 3", s);
  }
  add("k64-rot", "1920x1080, 64 rotated kernels, sigma 20..120, no cutoff",
      make_scene(1920, 1080, random_kernels(64, 1920, 1080, 20, 120, true, 64)));
  {
    Scene s = make_scene(1024, 1024, random_kernels(10000, 1024, 1024, 3, 3, false, 10000));
    s.cutoff_sigma = 3.0;
    add("k10k-cut3", "1024x1024, 10,000 kernels, sigma 3, cutoff 3", s);
  }
  {
    Scene s = make_scene(1024, 1024, random_kernels(100000, 1024, 1024, 2, 2, false, 100000));
    s.cutoff_sigma = 3.0;
    add("k100k-cut3", "1024x1024, 100,000 kernels, sigma 2, cutoff 3", s);
  }
  if (sweep) {  // how the cost grows: kernels at a fixed size, pixels at a fixed kernel count
    for (int n : {1, 4, 16, 64, 256}) {
      add("sweep-k" + std::to_string(n), "1920x1080, " + std::to_string(n) + " kernels, no cutoff",
          make_scene(1920, 1080, random_kernels(n, 1920, 1080, 20, 120, false, unsigned(n))));
      Scene s = make_scene(1920, 1080, random_kernels(n, 1920, 1080, 20, 120, true, unsigned(n)));
      add("sweep-rot-k" + std::to_string(n), "1920x1080, " + std::to_string(n) + " rotated",
          std::move(s));
    }
    for (int n : {1000, 10000, 100000}) {
      Scene s = make_scene(1024, 1024, random_kernels(n, 1024, 1024, 3, 3, false, unsigned(n)));
      s.cutoff_sigma = 3.0;
      add("sweep-cut-k" + std::to_string(n), "1024x1024, sigma 3, cutoff 3", std::move(s));
    }
    // Cost against covered area: 1,000 kernels, cutoff 3, the area each covers (pi (3 sigma)^2
    // pixels) growing 4x a step.
    for (double sigma : {1.0, 2.0, 4.0, 8.0, 16.0, 32.0}) {
      Scene s = make_scene(1024, 1024,
                           random_kernels(1000, 1024, 1024, sigma, sigma, false, unsigned(sigma)));
      s.cutoff_sigma = 3.0;
      add("sweep-area-s" + fmt_g(sigma), "1024x1024, 1000 kernels, cutoff 3", std::move(s));
    }
    for (int side : {256, 512, 1024, 2048, 4096}) {
      Scene s = make_scene(
          side, side,
          random_kernels(16, side, side, side / 40.0, side / 10.0, false, unsigned(side)));
      add("sweep-px" + std::to_string(side), std::to_string(side) + "^2, 16 kernels", std::move(s));
    }
  }
  return cs;
}

}  // namespace gm
