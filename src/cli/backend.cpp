// backend.cpp — the three ways `render` and `verify` evaluate a scene.
#include "backend.hpp"

#include <chrono>
#include <thread>

#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"
#include "core/reference.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"

namespace gm::cli {

Backend parse_backend(const std::string& name) {
  if (name == "gpu") return Backend::Gpu;
  if (name == "cpu") return Backend::Cpu;
  if (name == "reference") return Backend::Reference;
  throw InputError("--backend: expected gpu, cpu or reference, got \"" + name + "\"");
}

const char* to_string(Backend b) {
  switch (b) {
    case Backend::Gpu:
      return "gpu";
    case Backend::Cpu:
      return "cpu";
    case Backend::Reference:
      return "reference";
  }
  return "?";
}

Rendered render_scene(const Scene& scene, Backend backend) {
  Rendered out;
  auto t0 = std::chrono::steady_clock::now();
  if (backend == Backend::Gpu) {
    auto ctx = gl::HeadlessContext::create();
    gl::MixtureRenderer renderer(ctx->loader());
    renderer.render_field(scene);
    out.field = renderer.read_field();
    renderer.render_colormap(scene.view, view_range(scene.view, out.field));
    out.image = renderer.read_image();
    out.device = "gpu: " + renderer.renderer_name();
  } else {
    if (backend == Backend::Cpu) {
      out.field = evaluate_fast(scene);
      out.device =
          "cpu (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " threads)";
    } else {
      FieldD ref = evaluate_reference(scene).field;
      out.field = Field(ref.width, ref.height);
      for (std::size_t i = 0; i < ref.data.size(); ++i) out.field.data[i] = float(ref.data[i]);
      out.device = "reference (float64)";
    }
    out.image = colorize(out.field, scene.view);
  }
  out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace gm::cli
