// backend_choice.cpp — the backend rule of backend_choice.hpp and the facts it needs that come
// without GL (evaluation counts, device nodes).
#include "backend_choice.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "kernel_math.hpp"

namespace gm {

double evaluation_count(const Scene& s) {
  const Grid g = Grid::of(s);
  const double pixels = double(s.width) * double(s.height);
  double n = 0;
  for (const Kernel& k : s.kernels) {
    if (!k.visible) continue;
    if (!s.cutoff_sigma) {
      n += pixels;
      continue;
    }
    double a = 0, b = 0, c = 0;
    kernel_covariance(k, a, b, c);
    // The cutoff ellipse's bounding box, in pixels, clipped to the image.
    const double half_w = *s.cutoff_sigma * std::sqrt(a) / g.cell_w;
    const double half_h = *s.cutoff_sigma * std::sqrt(c) / g.cell_h;
    n += std::min(2 * half_w + 1, double(s.width)) * std::min(2 * half_h + 1, double(s.height));
  }
  return s.sampling == Sampling::Area ? 4 * n : n;
}

bool is_software_renderer(std::string_view r) {
  std::string low(r);
  std::transform(low.begin(), low.end(), low.begin(),
                 [](unsigned char ch) { return char(std::tolower(ch)); });
  for (const char* name : {"llvmpipe", "softpipe", "swrast", "lavapipe", "software rasterizer",
                           "swiftshader", "microsoft basic render"})
    if (low.find(name) != std::string::npos) return true;
  return false;
}

namespace {

std::string count_text(double n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", n);
  return buf;
}

}  // namespace

BackendChoice choose_backend(const Scene& scene, const GlFacts& gl) {
  const double n = evaluation_count(scene);
  const double small = gl.context_ready ? kSmallSceneEvaluationsReady : kSmallSceneEvaluations;
  if (n < small)
    return {false, false,
            "small scene (" + count_text(n) + " kernel evaluations < " + count_text(small) +
                (gl.context_ready ? "): the CPU is done before a GPU draw and readback"
                                  : "): the CPU is done before GL would have started")};
  if (gl.renderer) {
    if (is_software_renderer(*gl.renderer))
      return {false, false,
              "GL is software (" + *gl.renderer + "): the CPU backend is faster on the same cores"};
    return {true, false,
            "hardware GL (" + *gl.renderer + ") and " + count_text(n) + " kernel evaluations"};
  }
  if (!gl.device)
    return {false, false, "no GPU device (/dev/dri/renderD*, /dev/nvidia*): GL would be software"};
  return {false, true, "a GPU device is present: GL_RENDERER decides"};
}

bool gpu_device_present() {
  if (::access("/dev/nvidia0", F_OK) == 0) return true;
  DIR* d = ::opendir("/dev/dri");
  if (d == nullptr) return false;
  bool found = false;
  while (dirent* e = ::readdir(d))
    if (std::strncmp(e->d_name, "renderD", 7) == 0) found = true;
  ::closedir(d);
  return found;
}

}  // namespace gm
