// field_scheduler.hpp — where and when the viewer computes its field: the backend (the GPU shader,
// or the fast CPU evaluator, whose field the viewer colorizes itself), chosen once per viewer
// ("auto": the CPU when the GL is software, the shader on a hardware GPU), whole fields, and the
// progressive refinement of slow fields band by band. GPU bands are windows of the whole scene
// (MixtureRenderer's Window), so the refined field is the whole field bit for bit. Knows nothing
// of ImGui; needs the renderer's context current.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/field.hpp"
#include "core/scene.hpp"
#include "gl/mixture_renderer.hpp"
#include "viewer/render_plan.hpp"

namespace gm::viewer {

enum class FieldBackend { Gpu, Cpu };
const char* to_string(FieldBackend b);

struct BackendChoice {
  FieldBackend backend = FieldBackend::Gpu;
  std::string why;  // one line for the panel, e.g. "auto: GL is software (llvmpipe ...)"
};

// requested: "auto", "gpu" or "cpu" (anything else: InputError naming --backend); renderer: the
// GL_RENDERER string. Auto takes the CPU on Mesa's software rasterizers (llvmpipe, softpipe,
// swrast, lavapipe), where the GL runs on the same cores and the CPU backend is the faster path,
// and the shader on a hardware GPU.
BackendChoice choose_backend(const std::string& requested, const std::string& renderer);

class FieldScheduler {
 public:
  FieldScheduler(gl::MixtureRenderer& renderer, BackendChoice choice);

  const BackendChoice& choice() const { return choice_; }
  FieldBackend backend() const { return choice_.backend; }

  // The whole field of `s` now; on the GPU also left in the renderer's field texture (for its
  // colormap pass). Returns the wall time in ms (evaluation, + readback on the GPU); updates the
  // throughput.
  double render(const Scene& s, Field& out);

  // Progressive refinement of a slow field: bands of rows, each shown as it lands.
  struct Job {
    Scene scene;
    Field field;
    int next_row = 0;
    int band_rows = 8;
    double ms = 0;
  };
  void start(const Scene& s);
  void cancel() { job_.reset(); }
  const std::optional<Job>& job() const { return job_; }
  // Renders bands for about budget_ms; on_rows(job, row0, rows) after each band. Returns the
  // finished job once every row is done (and clears it), else nothing.
  std::optional<Job> advance(double budget_ms,
                             const std::function<void(const Job&, int, int)>& on_rows);

  RenderRate& rate() { return rate_; }
  const RenderRate& rate() const { return rate_; }
  double last_gpu_ms() const { return gpu_ms_; }  // -1 on the CPU path

 private:
  Field band(const Scene& s, int row0, int rows);

  gl::MixtureRenderer& renderer_;
  BackendChoice choice_;
  RenderRate rate_;
  std::optional<Job> job_;
  double gpu_ms_ = -1;
};

}  // namespace gm::viewer
