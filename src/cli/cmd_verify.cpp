// cmd_verify.cpp — `gaussmap verify SCENE`: the GPU (or cpu) field against the float64 reference;
// prints the error figures and exits 1 above the tolerance.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "backend.hpp"
#include "cli_util.hpp"
#include "core/errors.hpp"
#include "core/reference.hpp"

namespace gm::cli {

namespace {
const char* kVerifyHelp =
    R"(usage: gaussmap verify SCENE [--backend gpu|cpu|all] [--tolerance T] [--size WxH]

Evaluate the scene on the GPU (headless EGL) and with the float64 reference, and print
the max absolute error and the max error relative to the field's peak (max |reference|).
Exit status 1 when the relative error is above the tolerance (default 1e-5 for point
sampling, 1e-4 for area sampling), 2 on bad input, 0 otherwise.
)";
}  // namespace

int cmd_verify(const Args& args) {
  ArgReader in(args, "verify");
  std::string scene_path, size, backend_name = "gpu";
  double tolerance = -1;
  while (!in.done()) {
    if (in.flag("--help") || in.flag("-h")) {
      std::fputs(kVerifyHelp, stdout);
      return 0;
    } else if (in.option("--backend")) {
      backend_name = in.value();
    } else if (in.option("--tolerance")) {
      std::string v = in.value();
      std::istringstream is(v);
      if (!(is >> tolerance) || !is.eof() || !(tolerance > 0))
        throw InputError("--tolerance: expected a positive number, got \"" + v + "\"");
    } else if (in.option("--size")) {
      size = in.value();
    } else if (scene_path.empty()) {
      scene_path = in.positional();
    } else {
      in.unknown();
    }
  }
  if (scene_path.empty()) throw InputError("verify: missing SCENE (see gaussmap verify --help)");
  std::vector<Backend> backends;
  if (backend_name == "all") {
    backends = {Backend::Gpu, Backend::Cpu};
  } else {
    backends = {parse_backend(backend_name)};
  }

  Scene scene = load_scene_any(scene_path);
  if (!size.empty()) apply_size(scene, size);
  if (tolerance < 0) tolerance = scene.sampling == Sampling::Area ? 1e-4 : 1e-5;
  FieldD ref = evaluate_reference(scene).field;
  bool ok = true;
  for (Backend b : backends) {
    Rendered r = render_scene(scene, b);
    FieldError e = compare(r.field, ref);
    bool pass = e.max_rel_peak <= tolerance;
    ok = ok && pass;
    std::cout << scene_path << ": " << to_string(b) << " vs reference (" << r.device << "), "
              << scene.width << "x" << scene.height << ", " << scene.kernels.size()
              << " kernels: max abs error " << e.max_abs << ", max error / peak " << e.max_rel_peak
              << " (peak " << e.peak << ", tolerance " << tolerance << ") "
              << (pass ? "PASS" : "FAIL") << "\n";
  }
  return ok ? 0 : 1;
}

}  // namespace gm::cli
