// backend.cpp — the ways `render` and `verify` evaluate a scene, and `auto`'s decision taken
// through core/backend_choice.hpp (a GL context is made only when that rule asks for
// GL_RENDERER, and is then kept for the render).
#include "backend.hpp"

#include <chrono>
#include <thread>

#include "core/backend_choice.hpp"
#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"
#include "core/reference.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"

namespace gm::cli {

Backend parse_backend(const std::string& name) {
  if (name == "auto") return Backend::Auto;
  if (name == "gpu") return Backend::Gpu;
  if (name == "cpu") return Backend::Cpu;
  if (name == "reference") return Backend::Reference;
  throw InputError("--backend: expected auto, gpu, cpu or reference, got \"" + name + "\"");
}

const char* to_string(Backend b) {
  switch (b) {
    case Backend::Auto:
      return "auto";
    case Backend::Gpu:
      return "gpu";
    case Backend::Cpu:
      return "cpu";
    case Backend::Reference:
      return "reference";
  }
  return "?";
}

struct Evaluation::Gpu {
  std::unique_ptr<gl::HeadlessContext> ctx;
  std::unique_ptr<gl::MixtureRenderer> renderer;
};

Evaluation::Evaluation() = default;
Evaluation::Evaluation(Evaluation&&) noexcept = default;
Evaluation& Evaluation::operator=(Evaluation&&) noexcept = default;
Evaluation::~Evaluation() = default;

Image Evaluation::colorize(const View& view) {
  if (!gpu_) return gm::colorize(field, view);
  gpu_->renderer->render_colormap(view, view_range(view, field));
  return gpu_->renderer->read_image();
}

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// GL_RENDERER of the current context, read through the context's own loader.
std::string gl_renderer(const gl::HeadlessContext& ctx) {
  using GetString = const unsigned char* (*)(unsigned);
  auto get = reinterpret_cast<GetString>(ctx.loader()("glGetString"));
  const unsigned char* s = get ? get(0x1F01 /* GL_RENDERER */) : nullptr;
  return s ? reinterpret_cast<const char*>(s) : "unknown";
}

}  // namespace

Evaluation evaluate_scene(const Scene& scene, Backend backend) {
  Evaluation out;
  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<gl::HeadlessContext> ctx;
  if (backend == Backend::Auto) {
    GlFacts facts;
    facts.device = gpu_device_present();
    BackendChoice c = choose_backend(scene, facts);
    if (c.probe_gl) {
      try {
        ctx = gl::HeadlessContext::create();
        facts.renderer = gl_renderer(*ctx);
        c = choose_backend(scene, facts);
      } catch (const GlError& e) {
        c = {false, false, std::string("no GL context: ") + e.what()};
      }
      if (!c.gpu) ctx.reset();
    }
    backend = c.gpu ? Backend::Gpu : Backend::Cpu;
    out.reason = "auto: " + c.reason;
  } else {
    out.reason = std::string("--backend ") + to_string(backend);
  }
  out.backend = backend;
  if (backend == Backend::Gpu) {
    out.gpu_ = std::make_unique<Evaluation::Gpu>();
    out.gpu_->ctx = ctx ? std::move(ctx) : gl::HeadlessContext::create();
    out.gpu_->renderer = std::make_unique<gl::MixtureRenderer>(out.gpu_->ctx->loader());
    out.gpu_->renderer->render_field(scene);
    out.field = out.gpu_->renderer->read_field();
    out.device = "gpu: " + out.gpu_->renderer->renderer_name();
  } else if (backend == Backend::Cpu) {
    out.field = evaluate_fast(scene);  // its storage prepared against page faults (page_hint.hpp)
    out.device =
        "cpu (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " threads)";
  } else {
    FieldD ref = evaluate_reference(scene).field;
    out.field = Field(ref.width, ref.height);
    for (std::size_t i = 0; i < ref.data.size(); ++i) out.field.data[i] = float(ref.data[i]);
    out.device = "reference (float64)";
  }
  out.evaluate_ms = ms_since(t0);
  return out;
}

Rendered render_scene(const Scene& scene, Backend backend) {
  auto t0 = std::chrono::steady_clock::now();
  Evaluation ev = evaluate_scene(scene, backend);
  Rendered out;
  out.image = ev.colorize(scene.view);
  out.field = std::move(ev.field);
  out.device = std::move(ev.device);
  out.ms = ms_since(t0);
  return out;
}

}  // namespace gm::cli
