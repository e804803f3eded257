// backend.hpp — evaluate a scene with a named backend (gpu: headless EGL + MixtureRenderer; cpu:
// the fast float32 evaluator; reference: float64; auto: the rule of core/backend_choice.hpp) and
// colormap it.
#pragma once

#include <memory>
#include <string>

#include "core/field.hpp"
#include "core/image_io.hpp"
#include "core/scene.hpp"

namespace gm::cli {

enum class Backend { Auto, Gpu, Cpu, Reference };
Backend parse_backend(const std::string& name);  // InputError naming the option otherwise
const char* to_string(Backend b);

// A scene evaluated by one backend, ready to colormap. After the GPU, its context and renderer
// stay alive for the colormap pass.
class Evaluation {
 public:
  Evaluation();
  Evaluation(Evaluation&&) noexcept;
  Evaluation& operator=(Evaluation&&) noexcept;
  ~Evaluation();

  Image colorize(const View& view);  // GPU: its colormap pass + readback; else gm::colorize

  Field field;
  Backend backend = Backend::Cpu;  // the one that ran (never Auto)
  std::string device;              // "gpu: llvmpipe (LLVM 15.0.6, 256 bits)", "cpu (2 threads)"
  std::string reason;              // why this backend: "auto: small scene (...)", "--backend gpu"
  double evaluate_ms = 0;          // wall time of the evaluation (GPU: with context and readback)

 private:
  friend Evaluation evaluate_scene(const Scene& scene, Backend backend);
  struct Gpu;
  std::unique_ptr<Gpu> gpu_;
};

Evaluation evaluate_scene(const Scene& scene, Backend backend);

struct Rendered {
  Field field;
  Image image;         // colormapped through the scene's view settings
  std::string device;  // "llvmpipe (LLVM 15.0.6, 256 bits)", "cpu (2 threads)", ...
  double ms = 0;       // wall time of evaluation + colormap + readback
};

Rendered render_scene(const Scene& scene, Backend backend);  // evaluate_scene + colorize

}  // namespace gm::cli
