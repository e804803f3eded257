// backend.hpp — evaluate a scene with a named backend (gpu: headless EGL + MixtureRenderer; cpu:
// the fast float32 evaluator; reference: float64) and colormap it.
#pragma once

#include <string>

#include "core/field.hpp"
#include "core/image_io.hpp"
#include "core/scene.hpp"

namespace gm::cli {

enum class Backend { Gpu, Cpu, Reference };
Backend parse_backend(const std::string& name);  // InputError naming the option otherwise
const char* to_string(Backend b);

struct Rendered {
  Field field;
  Image image;         // colormapped through the scene's view settings
  std::string device;  // "llvmpipe (LLVM 15.0.6, 256 bits)", "cpu (2 threads)", ...
  double ms = 0;       // wall time of evaluation + colormap + readback
};

Rendered render_scene(const Scene& scene, Backend backend);

}  // namespace gm::cli
