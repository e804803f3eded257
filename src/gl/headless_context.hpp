// headless_context.hpp — a GL 4.5 core context with no window: EGL on the surfaceless Mesa
// platform, else the EGL device platform (NVIDIA). Rendering goes into FBOs. Never a window.
#pragma once

#include <memory>
#include <string>

#include "mixture_renderer.hpp"

namespace gm::gl {

class HeadlessContext {
 public:
  // Throws GlError with one line saying what failed and what to do (e.g. "--backend cpu").
  static std::unique_ptr<HeadlessContext> create();
  ~HeadlessContext();
  HeadlessContext(const HeadlessContext&) = delete;
  HeadlessContext& operator=(const HeadlessContext&) = delete;

  LoadProc loader() const;       // eglGetProcAddress-based loader for MixtureRenderer
  std::string platform() const;  // "surfaceless" or "device"

 private:
  HeadlessContext();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::gl
