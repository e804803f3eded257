// render_bands.cpp — the streamed `render --npy` (render_bands.hpp).
#include "render_bands.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

#include "cli_util.hpp"
#include "core/bucketing.hpp"
#include "core/fast_eval.hpp"
#include "core/npy_stream.hpp"
#include "core/page_hint.hpp"
#include "core/reference.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"

namespace gm::cli {

namespace {

constexpr long long kBandValues = 8LL << 20;  // floats per band: 32 MiB
constexpr int kGpuTileCols = 4096;            // a GL target's width stays within every GL's limits

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// Renders windows of the grid with one backend (the GL context is made once). Any backend but
// gpu and reference streams through the fast CPU backend.
class WindowRenderer {
 public:
  explicit WindowRenderer(Backend b)
      : backend_(b == Backend::Gpu || b == Backend::Reference ? b : Backend::Cpu) {
    if (backend_ == Backend::Gpu) {
      ctx_ = gl::HeadlessContext::create();
      gl_ = std::make_unique<gl::MixtureRenderer>(ctx_->loader());
      device_ = "gpu: " + gl_->renderer_name();
    } else {
      device_ = backend_ == Backend::Cpu ? "cpu" : "reference (float64)";
    }
  }
  Backend backend() const { return backend_; }
  const std::string& device() const { return device_; }

  // Window w of `scene` (a bucket that left out visible kernels when left_out) into out.
  void render(const Scene& scene, const Window& w, bool left_out, float* out) {
    if (backend_ == Backend::Cpu) {
      FastEvalOptions o;
      o.window = w;
      o.kernels_left_out = left_out;
      evaluate_fast_into(scene, o, out);
    } else if (backend_ == Backend::Reference) {
      std::vector<double> d(std::size_t(w.rows) * std::size_t(w.cols));
      evaluate_reference_into(scene, w, d.data(), 0, left_out);
      std::transform(d.begin(), d.end(), out, [](double v) { return float(v); });
    } else {
      for (int c0 = 0; c0 < w.cols; c0 += kGpuTileCols) {
        const Window t{w.row0, w.col0 + c0, w.rows, std::min(kGpuTileCols, w.cols - c0)};
        gl_->render_field(scene, t);
        const Field f = gl_->read_field();
        for (int r = 0; r < t.rows; ++r)
          std::copy_n(&f.data[std::size_t(r) * std::size_t(t.cols)], t.cols,
                      out + std::size_t(r) * std::size_t(w.cols) + std::size_t(c0));
      }
    }
  }

 private:
  Backend backend_;
  std::unique_ptr<gl::HeadlessContext> ctx_;
  std::unique_ptr<gl::MixtureRenderer> gl_;
  std::string device_;
};

}  // namespace

BandRenderResult render_npy_bands(const Scene& scene, Backend backend, const std::string& out_npy,
                                  bool progress) {
  const auto t0 = Clock::now();
  BandRenderResult res;
  const int W = scene.width, H = scene.height;
  res.band_rows = int(std::clamp<long long>(kBandValues / W, 1, H));
  // Test hook: GAUSSMAP_BAND_ROWS=N forces N rows per band (small scenes in many bands).
  if (const char* env = std::getenv("GAUSSMAP_BAND_ROWS"); env && std::atoi(env) > 0)
    res.band_rows = std::min(std::atoi(env), H);
  res.bands = (H + res.band_rows - 1) / res.band_rows;
  WindowRenderer renderer(backend);
  backend = renderer.backend();
  res.device = renderer.device();
  const ChunkBuckets buckets = bucket_kernels(
      scene, res.band_rows, W, backend == Backend::Cpu ? BucketRule::FastCpu : BucketRule::Exact);
  std::size_t visible = 0;
  for (const Kernel& k : scene.kernels) visible += k.visible ? 1 : 0;
  // The GPU cannot fold a left-out kernel's 0 into "max": there every band gets every kernel.
  const bool whole_scene_bands = backend == Backend::Gpu && scene.combine == Combine::Max;

  NpyStreamWriter out(out_npy, H, W);
  std::vector<float> band;
  resize_output(band, std::size_t(res.band_rows) * std::size_t(W));
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  double last_report = -1e9;
  for (int b = 0; b < res.bands; ++b) {
    const Window w{b * res.band_rows, 0, std::min(res.band_rows, H - b * res.band_rows), W};
    const std::vector<int> idx(buckets.indices.begin() + buckets.offsets[std::size_t(b)],
                               buckets.indices.begin() + buckets.offsets[std::size_t(b) + 1]);
    const bool left_out = idx.size() < visible;
    if (whole_scene_bands && left_out)
      renderer.render(scene, w, false, band.data());
    else
      renderer.render(scene_subset(scene, idx), w, left_out, band.data());
    const std::size_t n = std::size_t(w.rows) * std::size_t(W);
    auto [mn, mx] = std::minmax_element(band.begin(), band.begin() + std::ptrdiff_t(n));
    lo = std::min(lo, *mn), hi = std::max(hi, *mx);
    out.write_rows(band.data(), w.rows);
    const double ms = ms_since(t0);
    if (progress && (ms - last_report >= 500 || b + 1 == res.bands)) {
      last_report = ms;
      std::fprintf(stderr, "\rgaussmap: rendering %dx%d: band %d/%d, rows %d/%d (%.0f%%), %.1f s",
                   W, H, b + 1, res.bands, w.row0 + w.rows, H, 100.0 * (w.row0 + w.rows) / H,
                   ms / 1000);
      std::fflush(stderr);
    }
  }
  if (progress) std::fputc('\n', stderr);
  out.commit();
  res.min = lo, res.max = hi;
  res.ms = ms_since(t0);
  return res;
}

// --npy alone: the field streamed in bands (render_bands.hpp), for grids larger than memory.
int render_npy_streamed(const std::string& scene_path, const std::string& size, Backend backend,
                        const std::string& out_npy, bool quiet, bool progress, bool timings) {
  const auto t0 = std::chrono::steady_clock::now();
  Scene scene = load_scene_any(scene_path, GridUse::Windowed);
  if (!size.empty()) apply_size(scene, size, GridUse::Windowed);
  for (const std::string& w : scene_warnings(scene)) std::cerr << "warning: " << w << "\n";
  const double parse_ms = ms_since(t0);
  BandRenderResult r =
      render_npy_bands(scene, backend, out_npy, progress || (!quiet && isatty(STDERR_FILENO)));
  if (timings)
    std::fprintf(stderr,
                 "timings: parse %.2f ms, evaluate and write %.2f ms (%s, %d bands of %d rows), "
                 "total %.2f ms\n",
                 parse_ms, r.ms, r.device.c_str(), r.bands, r.band_rows, ms_since(t0));
  if (!quiet)
    std::cout << "rendered " << scene.width << "x" << scene.height << ", " << scene.kernels.size()
              << " kernels on " << r.device << " in " << r.ms << " ms (" << r.bands << " bands of "
              << r.band_rows << " rows); field min " << r.min << ", max " << r.max << "; wrote "
              << out_npy << "\n";
  return 0;
}

}  // namespace gm::cli
