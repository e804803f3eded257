// render_output.hpp — the back half of `gaussmap render`: colormap an evaluated scene and write
// the picture and the field, both or neither, timing each phase.
#pragma once

#include <string>

#include "backend.hpp"
#include "core/png_io.hpp"
#include "core/scene.hpp"

namespace gm::cli {

struct OutputTimes {     // wall times, ms
  double colorize = 0;   // CPU field: the range and the set-up (its rows are coloured by encode)
  double encode = 0;     // PNG compression, its bytes streaming into the temp file
  double alongside = 0;  // scene text + .npy bytes + fsync, on a second thread meanwhile
  double write = 0;      // after the encoding: fsync of the PNG, waiting for the .npy, renames
};

// Writes `png_path` (the colormapped picture, the scene embedded) and/or `npy_path` (the field);
// an empty path is skipped. Both files are staged and synced before either is renamed into place.
OutputTimes write_render_outputs(Evaluation& ev, const Scene& scene, const std::string& png_path,
                                 const std::string& npy_path, const PngOptions& png_options);

}  // namespace gm::cli
