// render_bands.hpp — `gaussmap render SCENE --npy OUT.npy` with no picture: the field streamed to
// the .npy in bands of rows, each rendered from the kernels that can touch it (bucketing.hpp),
// so memory stays bounded (one band of at most kBandValues floats, ~32 MiB, plus the scene)
// whatever the size, up to 65536 x 65536. Each band is a window of the whole grid, so the file
// holds the same bits as a whole render. Test hook: GAUSSMAP_BAND_ROWS=N sets the band height.
#pragma once

#include <string>

#include "backend.hpp"
#include "core/scene.hpp"

namespace gm::cli {

struct BandRenderResult {
  int bands = 0, band_rows = 0;
  float min = 0, max = 0;  // of the whole field
  double ms = 0;
  std::string device;
};

// progress: a progress line on stderr, rewritten in place (\r) at most every half second.
BandRenderResult render_npy_bands(const Scene& scene, Backend backend, const std::string& out_npy,
                                  bool progress);

// `render SCENE --npy OUT.npy` with no -o: loads the scene with the windowed grid limits, applies
// --size, streams, prints the summary line unless quiet. The progress line shows when `progress`
// or when stderr is a terminal (and not quiet); `timings` prints the phases (parse, evaluate and
// write) on stderr.
int render_npy_streamed(const std::string& scene_path, const std::string& size, Backend backend,
                        const std::string& out_npy, bool quiet, bool progress, bool timings);

}  // namespace gm::cli
