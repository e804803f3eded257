// viewer_module.hpp — what the gaussmap executable and its viewer module (gaussmap-viewer.so,
// dlopen'ed on demand) pass each other: the arguments in, the exit status or the error out.
#pragma once

#include <string>

#include "commands.hpp"

namespace gm::cli {

// Bumped whenever ViewerOutcome or the entry point changes: a stale module is refused.
constexpr int kViewerAbi = 1;

struct ViewerOutcome {
  enum Error { None, Input, Io, Gl, Other };
  Error error = Other;
  int status = 1;       // cmd_view's exit status when error == None
  std::string message;  // the exception's one line otherwise
};

// The module's exports: extern "C" int gaussmap_viewer_abi() (kViewerAbi of its build, checked
// before anything else is called) and extern "C" void gaussmap_viewer_main(const Args*,
// ViewerOutcome*).
using ViewerAbi = int (*)();
using ViewerEntry = void (*)(const Args*, ViewerOutcome*);

}  // namespace gm::cli
