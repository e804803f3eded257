// gpu_worker.hpp — the GPU backend for Python: one thread owns the headless EGL context and the
// MixtureRenderer (a GL context is current on one thread only, and Python may call from any);
// calls queue a job there and wait with the GIL released. Started on first use, stopped at
// interpreter exit (gaussmap registers shutdown() with atexit). A failed start (no EGL, no
// GL 4.5) is remembered and reported by every later call as the same one-line GlError.
#pragma once

#include <functional>
#include <string>

#include "gl/mixture_renderer.hpp"

namespace gm::py_bind {

// Runs job(renderer) on the GL thread and waits for it; rethrows what the job threw.
void run_on_gpu(const std::function<void(gl::MixtureRenderer&)>& job);
// The GL_RENDERER string, starting the GL thread if needed (throws GlError when there is no GL).
std::string gpu_renderer_name();
void shutdown_gpu();

}  // namespace gm::py_bind
