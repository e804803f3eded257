// window.cpp — checks of a window against a scene's grid.
#include "window.hpp"

#include <string>

#include "errors.hpp"

namespace gm {

Window checked_window(const Scene& s, const std::optional<Window>& window) {
  if (!window) return whole_window(s);
  const Window& w = *window;
  // Written so that nothing overflows for any int inputs.
  if (w.rows < 1 || w.cols < 1 || w.row0 < 0 || w.col0 < 0 || w.row0 > s.height - w.rows ||
      w.col0 > s.width - w.cols)
    throw InputError("window (row0 " + std::to_string(w.row0) + ", col0 " + std::to_string(w.col0) +
                     ", rows " + std::to_string(w.rows) + ", cols " + std::to_string(w.cols) +
                     ") is empty or outside the " + std::to_string(s.width) + "x" +
                     std::to_string(s.height) + " grid");
  return w;
}

}  // namespace gm
