// window.hpp — windows of a scene's grid (gm::Window, field.hpp): the whole grid as a window, and
// the check that a window is non-empty and inside the grid (InputError naming "window").
#pragma once

#include <optional>

#include "field.hpp"
#include "scene.hpp"

namespace gm {

inline Window whole_window(const Scene& s) {
  return Window{0, 0, s.height, s.width};
}

// The window to render: `w` checked against the scene's grid, or the whole grid.
// Throws InputError "window (row0 R, col0 C, rows N, cols M) is empty or outside the WxH grid".
Window checked_window(const Scene& s, const std::optional<Window>& w);

}  // namespace gm
