// render_plan.hpp — when the viewer re-renders what: the field only when something the field
// depends on changed (grid, kernels, rules; not the view settings), the colormap pass when the view
// or the range changed. During a drag on a large scene the field may be rendered on a coarser grid
// over the same domain (preview) and refined once the drag stops.
#pragma once

#include "core/colormap.hpp"
#include "core/field.hpp"
#include "core/image_io.hpp"
#include "core/scene.hpp"

#include <optional>

namespace gm::viewer {

// True when a and b produce the same field (everything but `view` equal).
bool same_field_inputs(const Scene& a, const Scene& b);

// Cost estimate of one field pass: pixels times visible kernels.
double field_cost(const Scene& s);

// The scene on a grid `factor` times coarser in each direction (at least 1x1), over the same
// domain (made explicit, since the default domain depends on the size).
Scene preview_scene(const Scene& s, int factor);

// The coarsening factor that brings field_cost under `budget` (1 = full resolution).
int preview_factor(const Scene& s, double budget);

// The scene restricted to rows [row0, row0 + rows) of its grid (rows >= 2, so the cell height stays
// the grid's): the same pixel centres and cells, so its field is exactly those rows of the full
// field. Used to refine a large field band by band without blocking the UI.
Scene band_scene(const Scene& s, int row0, int rows);

// Rows [row0, row0 + rows) of a field through the view's colormap and scale over a given range:
// the same mapping as gm::colorize (index round(255 t)), for the viewer's own textures.
Image colorize_rows(const Field& f, const View& v, ValueRange r, int row0, int rows);

// The least and greatest finite values of a field (NaN and infinities skipped); nothing when it
// has none. One vectorized pass: the viewer shows them for every field a drag computes and takes
// the auto range from them (range_from_extremes) instead of a second pass.
std::optional<MinMax<float>> finite_min_max(const Field& f);

// view_range(v, f) for a field f whose finite extremes are `extremes`: the same range, a constant
// field's rule included (it is view_range itself, on those two values).
ValueRange range_from_extremes(const View& v, const std::optional<MinMax<float>>& extremes);

// Kernel-pixel evaluations per millisecond, measured per sampling mode (area is far costlier);
// 0 = not measured yet.
struct RenderRate {
  double point = 0, area = 0;
  // First guesses while nothing was measured: a software rasterizer on two cores (Mesa llvmpipe)
  // does ~7e4 point kernel-pixels/ms, area sampling an order of magnitude or two less.
  double first_point = 7e4, first_area = 2e3;
  double get(const Scene& s) const { return s.sampling == Sampling::Area ? area : point; }
  void update(const Scene& s, double ms);
  // Estimated milliseconds of a full field pass; a first guess when nothing was measured.
  double estimate_ms(const Scene& s) const;
};

// The renderer's error messages advise `--backend cpu`, an option of `gaussmap render`; the viewer
// draws with GL only, so the advice is rewritten to name the command that has it.
std::string advice_for_viewer(const std::string& renderer_message);

}  // namespace gm::viewer
