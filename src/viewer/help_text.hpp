// help_text.hpp — the items of the panel's Help section. Each item is one whole sentence; the panel
// wraps long ones under their own bullet (never a second bullet for a continued line).
#pragma once

#include <vector>

namespace gm::viewer {

const std::vector<const char*>& help_items();

}  // namespace gm::viewer
