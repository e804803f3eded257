// help_text.cpp — the Help section's items (see help_text.hpp).
#include "viewer/help_text.hpp"

namespace gm::viewer {

const std::vector<const char*>& help_items() {
  static const std::vector<const char*> items = {
      "Left drag a kernel: move its centre",
      "Left drag a round handle: sigma and angle",
      "Click a kernel: select; empty space: none",
      "Double-click empty space: add a kernel there",
      "Right / middle drag: pan;  wheel: zoom",
      "F: fit;  O: outlines on/off;  Tab: next kernel",
      "N: add;  Ctrl+D: duplicate;  Del: delete",
      "Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y): undo / redo",
      "Ctrl+O: open the file named in the File field",
      "Ctrl+S: save to the scene's own file;  Ctrl+Shift+S: save as the File field's name",
      "Ctrl+Q: quit (asks first when there are unsaved changes)",
      "F12 / Ctrl+P: screenshot",
      "Drop a .json or gaussmap .png to open it",
      "Hover the map: value and top kernels there",
      "Unsaved changes are autosaved; after a crash or kill, the next start offers them back",
  };
  return items;
}

}  // namespace gm::viewer
