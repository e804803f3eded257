// backend_choice.hpp — the one rule that picks, for a scene on this machine, the fast CPU backend
// or the GPU shader (`--backend auto` of `gaussmap render`; the viewer and the Python module ask
// the same function). Plain data in, a decision and its reason out: tested without GL.
//
// The rule, in order:
//   1. a small scene (kernel evaluations below a threshold) -> CPU: the CPU backend finishes
//      before a GL context would be ready (or, with a context already made, before a draw plus
//      a readback would);
//   2. GL known to be software (llvmpipe, softpipe, swrast, lavapipe, ...) -> CPU: it runs the
//      shader on the same cores, slower than the CPU backend;
//   3. no GPU device node on the machine (/dev/dri/renderD*, /dev/nvidia*) and no renderer known
//      -> CPU: any GL here would be software;
//   4. a device but no renderer known -> ask the caller to make a context and read GL_RENDERER
//      (probe_gl), then decide again;
//   5. hardware GL -> GPU.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "scene.hpp"

namespace gm {

struct GlFacts {
  bool device = false;                  // a GPU device node exists (gpu_device_present())
  std::optional<std::string> renderer;  // GL_RENDERER of a context, once one was made
  bool context_ready = false;           // a context exists already (the viewer): GL costs no start
};

struct BackendChoice {
  bool gpu = false;       // the shader; else the CPU backend
  bool probe_gl = false;  // no decision yet: make a context, set GlFacts::renderer, ask again
  std::string reason;     // one line, for --verbose and the viewer's panel
};

// Kernel evaluations the CPU backend makes for the scene: per visible kernel, the pixels of its
// cutoff box (all pixels without a cutoff), times 4 with area sampling.
double evaluation_count(const Scene& scene);

// Below these evaluation counts the CPU backend wins outright (docs/performance.md, "Choosing the
// backend"): about 50 ms of CPU work against starting EGL, compiling the shader and reading back;
// about 1 ms against a draw and a readback in a context that already exists.
constexpr double kSmallSceneEvaluations = 1e9;
constexpr double kSmallSceneEvaluationsReady = 2e7;

// True for Mesa's and others' software rasterizers, by their GL_RENDERER strings.
bool is_software_renderer(std::string_view gl_renderer);

BackendChoice choose_backend(const Scene& scene, const GlFacts& gl);

// Whether the machine has a GPU device node a hardware GL driver would use. Reads /dev only.
bool gpu_device_present();

}  // namespace gm
