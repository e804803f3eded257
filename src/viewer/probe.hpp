// probe.hpp — what the hover probe shows: the domain point, the pixel under it, the field's value
// there (from the read-back float field), and the kernels that contribute most at that pixel
// (evaluated exactly with the float64 reference: gm::resolve + gm::reference_kernel_value).
#pragma once

#include <vector>

#include "core/field.hpp"
#include "core/scene.hpp"
#include "viewer/vec2.hpp"

namespace gm::viewer {

struct Contribution {
  int index = -1;    // kernel index in the scene
  double value = 0;  // that kernel's value at the pixel (scene's normalization and sampling)
};

struct ProbeResult {
  bool inside = false;            // the point falls on a pixel of the grid
  Vec2 domain;                    // the hovered point, domain units
  int col = -1, row = -1;         // the pixel it falls on (row 0 on top)
  Vec2 pixel_center;              // that pixel's centre, domain units
  bool has_field = false;         // the read-back field matched the scene size
  double field_value = 0;         // field(row, col) as rendered
  bool has_reference = false;     // the exact combined value was computed (all kernels evaluated)
  double reference_value = 0;     // float64 reference at the pixel centre
  std::vector<Contribution> top;  // largest |value| first, at most max_top
};

// Kernels past `exact_limit` are ranked by their point value first and only the best few are
// evaluated exactly (the reference value is then omitted).
ProbeResult probe(const Scene& scene, const Field* field, Vec2 domain_point, int max_top = 4,
                  int exact_limit = 4096);

// The pixel (col, row) whose cell contains `domain_point`; false outside the grid.
bool pixel_of(const Scene& scene, Vec2 domain_point, int& col, int& row);

}  // namespace gm::viewer
