// cmd_render.cpp — `gaussmap render SCENE -o OUT.png [--npy OUT.npy] [--backend auto|gpu|cpu|
// reference] [--size WxH] [--png-level N] [--timings] [--verbose]`: evaluate, colormap, write the
// picture (scene embedded) and the float field.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "backend.hpp"
#include "cli_util.hpp"
#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "render_bands.hpp"
#include "render_output.hpp"

namespace gm::cli {

namespace {
const char* kRenderHelp =
    R"(usage: gaussmap render SCENE -o OUT.png [--npy OUT.npy] [--backend auto|gpu|cpu|reference]
                       [--size WxH] [--png-level N] [--timings] [--verbose] [--quiet]
       gaussmap render SCENE --npy OUT.npy [--backend ...] [--size WxH] [--progress] [--quiet]

Evaluate the scene (a .json scene or a gaussmap .png, which carries its scene) and write:
  -o, --output OUT.png   the field through the view's colormap, 8-bit RGB (RGBA when a pixel
                         is translucent), the scene JSON embedded in an iTXt chunk (keyword
                         "gaussmap"; compressed up to 1 MiB of JSON, the most PIL inflates)
  --npy OUT.npy          the float field: dtype <f4, shape (height, width), row 0 = domain y0
  --backend NAME         auto (default: the CPU backend for small scenes and where GL is
                         software, the GPU shader on a hardware GPU), gpu (headless EGL),
                         cpu (fast float32, no GL needed), or reference (float64, slow)
  --size WxH             render at another resolution; a scene on the default pixel-index
                         domain keeps that domain, so the picture is the same, resampled
  --png-level N          compression of the picture, 0 (stored) to 9 (smallest, slowest),
                         on every core: 1-2 ISA-L, 3-9 zlib; default 2 (fast)
  --timings              print the phases on stderr: parse, evaluate, colorize, encode, write (ms)
  --verbose              say on stderr which backend ran and why
  --quiet                print nothing on success
  --progress             with --npy alone: a progress line on stderr even when stderr is
                         not a terminal (on a terminal it is shown anyway)
With --npy and no -o, the field alone is streamed to the file in bands of rows: any size up to
65536 x 65536 in bounded memory, the same values as a whole render.
Files are written atomically: a failed write leaves no partial file and never clobbers one.
Exit status: 0 ok, 1 runtime failure (no GL, I/O), 2 bad input or usage.
)";

int parse_png_level(const std::string& s) {
  int n = -1;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n < 0 || n > 9)
    throw InputError("--png-level: expected a whole number from 0 to 9, got \"" + s + "\"");
  return n;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int cmd_render(const Args& args) {
  ArgReader in(args, "render");
  const auto t_start = std::chrono::steady_clock::now();
  std::string scene_path, out_png, out_npy, size, backend_name = "auto";
  bool quiet = false, timings = false, verbose = false, progress = false;
  PngOptions png_options;
  while (!in.done()) {
    if (in.flag("--help") || in.flag("-h")) {
      std::fputs(kRenderHelp, stdout);
      return 0;
    } else if (in.option("-o") || in.option("--output")) {
      out_png = in.value();
    } else if (in.option("--npy")) {
      out_npy = in.value();
    } else if (in.option("--backend")) {
      backend_name = in.value();
    } else if (in.option("--size")) {
      size = in.value();
    } else if (in.option("--png-level")) {
      png_options.level = parse_png_level(in.value());
    } else if (in.flag("--timings")) {
      timings = true;
    } else if (in.flag("--verbose") || in.flag("-v")) {
      verbose = true;
    } else if (in.flag("--quiet") || in.flag("-q")) {
      quiet = true;
    } else if (in.flag("--progress")) {
      progress = true;
    } else if (scene_path.empty()) {
      scene_path = in.positional();
    } else {
      in.unknown();
    }
  }
  if (scene_path.empty()) throw InputError("render: missing SCENE (see gaussmap render --help)");
  if (out_png.empty() && out_npy.empty())
    throw InputError("render: missing -o OUT.png (see gaussmap render --help)");
  Backend backend = parse_backend(backend_name);
  for (const std::string& w : check_outputs("render", {{"SCENE", scene_path}},
                                            {{"-o", out_png, ".png"}, {"--npy", out_npy, ".npy"}}))
    std::cerr << "warning: " << w << "\n";
  if (out_png.empty())
    return render_npy_streamed(scene_path, size, backend, out_npy, quiet, progress, timings);

  Scene scene = load_scene_any(scene_path);
  if (!size.empty()) apply_size(scene, size);
  for (const std::string& w : scene_warnings(scene)) std::cerr << "warning: " << w << "\n";

  const double parse_ms = ms_since(t_start);

  Evaluation r = evaluate_scene(scene, backend);
  if (verbose) std::cerr << "backend: " << to_string(r.backend) << " (" << r.reason << ")\n";
  OutputTimes t = write_render_outputs(r, scene, out_png, out_npy, png_options);  // both or neither
  if (timings)
    std::fprintf(stderr,
                 "timings: parse %.2f ms, evaluate %.2f ms (%s), colorize %.2f ms, encode %.2f ms, "
                 "write %.2f ms (scene text and .npy %.2f ms alongside), total %.2f ms\n",
                 parse_ms, r.evaluate_ms, to_string(r.backend), t.colorize, t.encode, t.write,
                 t.alongside, ms_since(t_start));
  if (!quiet) {
    MinMax<float> mm = min_max(r.field);
    std::cout << "rendered " << scene.width << "x" << scene.height << ", " << scene.kernels.size()
              << " kernels on " << r.device << " in " << r.evaluate_ms + t.colorize
              << " ms; field min " << mm.min << ", max " << mm.max;
    if (!out_png.empty()) std::cout << "; wrote " << out_png;
    if (!out_npy.empty()) std::cout << (out_png.empty() ? "; wrote " : " and ") << out_npy;
    std::cout << "\n";
  }
  return 0;
}

}  // namespace gm::cli
