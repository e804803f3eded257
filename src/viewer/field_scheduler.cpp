// field_scheduler.cpp — backend choice, whole fields and band jobs (see field_scheduler.hpp).
#include "viewer/field_scheduler.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "core/backend_choice.hpp"
#include "core/errors.hpp"
#include "core/fast_eval.hpp"

namespace gm::viewer {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace

const char* to_string(FieldBackend b) {
  return b == FieldBackend::Cpu ? "cpu" : "gpu";
}

BackendChoice choose_backend(const std::string& requested, const std::string& renderer) {
  if (requested == "gpu") return {FieldBackend::Gpu, "gpu: --backend gpu (" + renderer + ")"};
  if (requested == "cpu") return {FieldBackend::Cpu, "cpu: --backend cpu"};
  if (requested != "auto")
    throw InputError("view: --backend: expected auto, gpu or cpu, got \"" + requested + "\"");
  // The command line's list of software rasterizers (core/backend_choice.hpp).
  if (gm::is_software_renderer(renderer))
    return {FieldBackend::Cpu,
            "cpu: auto, the GL is software (" + renderer + "), the CPU backend is faster"};
  return {FieldBackend::Gpu, "gpu: auto, hardware GL (" + renderer + ")"};
}

FieldScheduler::FieldScheduler(gl::MixtureRenderer& renderer, BackendChoice choice)
    : renderer_(renderer), choice_(std::move(choice)) {
  if (choice_.backend == FieldBackend::Cpu) {
    // The CPU backend: 1.5e10 to 6e10 point evaluations/s on two cores (docs/performance.md),
    // area sampling about 4x dearer. A drag's first steps are then scheduled like the rest.
    rate_.first_point = 1.5e7;
    rate_.first_area = 4e6;
  }
}

double FieldScheduler::render(const Scene& s, Field& out) {
  const auto t0 = Clock::now();
  if (choice_.backend == FieldBackend::Cpu) {
    out = evaluate_fast(s);  // the viewer colorizes it on the CPU (no float upload)
    gpu_ms_ = -1;
  } else {
    renderer_.render_field(s);
    out = renderer_.read_field();
    gpu_ms_ = renderer_.last_gpu_ms();
  }
  const double ms = ms_since(t0);
  rate_.update(s, ms);
  return ms;
}

Field FieldScheduler::band(const Scene& s, int row0, int rows) {
  if (choice_.backend == FieldBackend::Cpu) return evaluate_fast(band_scene(s, row0, rows));
  renderer_.render_field(s, Window{row0, 0, rows, s.width});  // the whole field's rows, exactly
  gpu_ms_ = renderer_.last_gpu_ms();
  return renderer_.read_field();
}

void FieldScheduler::start(const Scene& s) {
  Job j;
  j.scene = s;
  j.field = Field(s.width, s.height);
  const double per_row_ms = rate_.estimate_ms(s) / s.height;
  j.band_rows = std::clamp(int(25.0 / std::max(per_row_ms, 1e-6)), 2, s.height);
  job_ = std::move(j);
}

std::optional<FieldScheduler::Job> FieldScheduler::advance(
    double budget_ms, const std::function<void(const Job&, int, int)>& on_rows) {
  if (!job_) return std::nullopt;
  const auto t0 = Clock::now();
  Job& j = *job_;
  const int h = j.scene.height, w = j.scene.width;
  while (j.next_row < h) {
    int r0 = j.next_row, rows = std::min(j.band_rows, h - r0);
    // A one-row band scene would change the cell height (CPU bands are band scenes).
    if (rows < 2) r0 = h - 2, rows = 2;
    const auto tb = Clock::now();
    Field fb = band(j.scene, r0, rows);
    const double ms = ms_since(tb);
    Scene costed = j.scene;
    costed.height = rows;
    rate_.update(costed, ms);
    j.ms += ms;
    for (int r = 0; r < rows; ++r)
      std::memcpy(&j.field.at(r0 + r, 0), &fb.at(r, 0), sizeof(float) * std::size_t(w));
    j.next_row = r0 + rows;
    on_rows(j, r0, rows);
    if (ms > 0.5) j.band_rows = std::clamp(int(rows * 25.0 / ms), 2, h);
    if (ms_since(t0) >= budget_ms) break;
  }
  if (j.next_row < h) return std::nullopt;
  std::optional<Job> done = std::move(job_);
  job_.reset();
  return done;
}

}  // namespace gm::viewer
