// cmd_render.cpp — `gaussmap render SCENE -o OUT.png [--npy OUT.npy] [--backend gpu|cpu|reference]
// [--size WxH]`: evaluate, colormap, write the picture (scene embedded) and the float field.
#include <cstdio>
#include <iostream>

#include "backend.hpp"
#include "cli_util.hpp"
#include "core/colormap.hpp"
#include "core/errors.hpp"
#include "core/image_io.hpp"
#include "core/scene_io.hpp"
#include "render_bands.hpp"

namespace gm::cli {

namespace {
const char* kRenderHelp =
    R"(usage: gaussmap render SCENE -o OUT.png [--npy OUT.npy] [--backend gpu|cpu|reference]
                       [--size WxH] [--quiet] [--progress]
       gaussmap render SCENE --npy OUT.npy [--backend ...] [--size WxH] [--progress]

Evaluate the scene (a .json scene or a gaussmap .png, which carries its scene) and write:
  -o, --output OUT.png   the field through the view's colormap, 8-bit RGBA, the scene JSON
                         embedded in a tEXt chunk (keyword "gaussmap")
  --npy OUT.npy          the float field: dtype <f4, shape (height, width), row 0 = domain y0
  --backend NAME         gpu (default; headless EGL), cpu (fast float32, no GL needed), or
                         reference (float64, slow)
  --size WxH             render at another resolution; a scene on the default pixel-index
                         domain keeps that domain, so the picture is the same, resampled
  --quiet                print nothing on success
  --progress             with --npy alone: a progress line on stderr even when stderr is
                         not a terminal (on a terminal it is shown anyway)
With --npy and no -o, the field alone is streamed to the file in bands of rows: any size up to
65536 x 65536 in bounded memory, the same values as a whole render.
Files are written atomically: a failed write leaves no partial file and never clobbers one.
Exit status: 0 ok, 1 runtime failure (no GL, I/O), 2 bad input or usage.
)";
}  // namespace

int cmd_render(const Args& args) {
  ArgReader in(args, "render");
  std::string scene_path, out_png, out_npy, size, backend_name = "gpu";
  bool quiet = false, progress = false;
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
    return render_npy_streamed(scene_path, size, backend, out_npy, quiet, progress);

  Scene scene = load_scene_any(scene_path);
  if (!size.empty()) apply_size(scene, size);
  for (const std::string& w : scene_warnings(scene)) std::cerr << "warning: " << w << "\n";

  Rendered r = render_scene(scene, backend);
  std::vector<std::pair<std::string, std::string>> outputs;
  if (!out_png.empty())
    outputs.emplace_back(out_png, encode_png(r.image, scene_to_json_text(scene, -1)));
  if (!out_npy.empty()) outputs.emplace_back(out_npy, encode_npy(r.field));
  write_files_atomic(outputs);  // both or neither
  if (!quiet) {
    MinMax<float> mm = min_max(r.field);
    std::cout << "rendered " << scene.width << "x" << scene.height << ", " << scene.kernels.size()
              << " kernels on " << r.device << " in " << r.ms << " ms; field min " << mm.min
              << ", max " << mm.max;
    if (!out_png.empty()) std::cout << "; wrote " << out_png;
    if (!out_npy.empty()) std::cout << (out_png.empty() ? "; wrote " : " and ") << out_npy;
    std::cout << "\n";
  }
  return 0;
}

}  // namespace gm::cli
