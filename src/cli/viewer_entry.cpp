// viewer_entry.cpp — the one exported function of the viewer module (gaussmap-viewer.so): runs
// `gaussmap view` (cmd_view.cpp) inside the module and hands the outcome back to the gaussmap
// executable as plain data, so no exception crosses the module boundary. The executable loads
// the module only for the viewer (viewer_module.cpp): GLFW, X11 and ImGui never load for
// render, verify or bench.
#include <cstdio>
#include <exception>
#include <new>

#include "cli/commands.hpp"
#include "cli/viewer_module.hpp"
#include "core/errors.hpp"

extern "C" __attribute__((visibility("default"))) int gaussmap_viewer_abi() {
  return gm::cli::kViewerAbi;
}

extern "C" __attribute__((visibility("default"))) void gaussmap_viewer_main(
    const gm::cli::Args* args, gm::cli::ViewerOutcome* out) {
  try {
    out->status = gm::cli::cmd_view(*args);
    out->error = gm::cli::ViewerOutcome::None;
  } catch (const gm::InputError& e) {
    out->error = gm::cli::ViewerOutcome::Input, out->message = e.what();
  } catch (const gm::IoError& e) {
    out->error = gm::cli::ViewerOutcome::Io, out->message = e.what();
  } catch (const gm::GlError& e) {
    out->error = gm::cli::ViewerOutcome::Gl, out->message = e.what();
  } catch (const std::bad_alloc&) {
    out->error = gm::cli::ViewerOutcome::Other, out->message = "out of memory";
  } catch (const std::exception& e) {
    out->error = gm::cli::ViewerOutcome::Other, out->message = e.what();
  }
}
