// render_output.cpp — colorize, encode and write for `gaussmap render`.
//
// The scene text and the .npy depend only on the scene and the field, so a second thread writes
// them (the text first: the PNG needs it before its pixels) while this one colorizes and then
// compresses the PNG: the field's fsync waits on the disk, not on a core, and on large pictures
// the PNG's compression is the longest phase (docs/performance.md).
#include "render_output.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <future>
#include <thread>
#include <vector>

#include "core/atomic_file.hpp"
#include "core/colormap.hpp"
#include "core/npy_io.hpp"
#include "core/scene_io.hpp"

namespace gm::cli {

namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

OutputTimes write_render_outputs(Evaluation& ev, const Scene& scene, const std::string& png_path,
                                 const std::string& npy_path, const PngOptions& png_options) {
  OutputTimes t;
  // Both temp files exist before any work: a bad target fails at once and leaves nothing.
  std::vector<AtomicFile> files;
  files.reserve(2);
  if (!png_path.empty()) files.emplace_back(png_path);
  if (!npy_path.empty()) files.emplace_back(npy_path);
  AtomicFile* png = png_path.empty() ? nullptr : &files.front();
  AtomicFile* npy = npy_path.empty() ? nullptr : &files.back();

  std::promise<std::string> scene_text;
  std::future<std::string> scene_text_ready = scene_text.get_future();
  std::exception_ptr npy_error;
  std::jthread helper([&] {  // declared after `files`: joined before they are destroyed
    const auto t0 = Clock::now();
    if (png) {
      try {
        scene_text.set_value(scene_to_json_text(scene, -1));
      } catch (...) {
        scene_text.set_exception(std::current_exception());
      }
    }
    if (npy) {
      try {
        write_npy(*npy, ev.field);
        npy->finish();
      } catch (...) {
        npy_error = std::current_exception();
      }
    }
    t.alongside = ms(t0, Clock::now());
  });
  if (png && ev.backend == Backend::Gpu) {  // the GPU's own colormap pass, then its picture
    const auto t0 = Clock::now();
    Image image = ev.colorize(scene.view);
    const auto t1 = Clock::now();
    write_png(*png, image, scene_text_ready.get(), png_options);
    const auto t2 = Clock::now();
    t.colorize = ms(t0, t1), t.encode = ms(t1, t2);
  } else if (png) {
    // The rows are coloured by the compressing threads, band by band, straight into the
    // encoder's RGB buffer: no RGBA picture of the whole field, each band still in cache when it
    // is compressed. Colorize is then the range (a pass over the field) and the set-up.
    const auto t0 = Clock::now();
    const Field& f = ev.field;
    const Colorizer colors(scene.view, view_range(scene.view, f), f.data.size());
    PngRows rows;
    rows.width = f.width, rows.height = f.height;
    rows.rows = [&](int y0, int count, std::uint8_t* out, std::size_t stride) {
      for (int i = 0; i < count; ++i)
        colors.rgb(&f.at(y0 + i, 0), std::size_t(f.width), out + std::size_t(i) * stride);
    };
    const auto t1 = Clock::now();
    write_png(*png, rows, scene_text_ready.get(), png_options);
    const auto t2 = Clock::now();
    t.colorize = ms(t0, t1), t.encode = ms(t1, t2);
  }
  const auto t3 = Clock::now();
  if (png) png->finish();
  helper.join();
  if (npy_error) std::rethrow_exception(npy_error);
  commit_all(files);
  t.write = ms(t3, Clock::now());
  return t;
}

}  // namespace gm::cli
