// keep_loaded.cpp — pins the shared libraries of the process, the GL driver's among them.
//
// Why: Mesa loads its driver (swrast_dri.so, libgallium, LLVM) inside eglInitialize, or inside the
// first GLX call of a GLFW window, and dlcloses it again at eglTerminate or when the X display
// closes. Memory that the driver keeps in its own globals is then reachable from nowhere, and
// LeakSanitizer, which runs after that, reports it as leaked from an "<unknown module>" that no
// suppression by library name can match. A driver that is unloaded while it still has atexit
// handlers or thread-local destructors is also a known source of crashes at exit. So once a display
// is initialized or a window's context is made, every library then loaded is marked
// RTLD_NODELETE: the driver stays mapped, its globals stay roots for LeakSanitizer, and its frames
// keep their module names for tests/sanitizer/lsan.supp.
//
// Always, not only in sanitizer builds: the sanitizer suite then tests the code path that ships,
// and the cost is one walk of the link map per context (microseconds) plus keeping a driver mapped
// that a long-lived process would keep anyway. Every library is pinned, not a list of GL names:
// driver file names differ between vendors and versions (swrast_dri.so, libgallium-*.so,
// libnvidia-eglcore.so.*), and pinning a library that is never unloaded changes nothing.
#include "keep_loaded.hpp"

#include <dlfcn.h>
#include <link.h>

#include <string>
#include <vector>

namespace gm::gl {

int keep_loaded_libraries() {
  // Collect first, dlopen after: dl_iterate_phdr holds the loader's lock during its callbacks.
  std::vector<std::string> paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        const char* name = info->dlpi_name;
        // The executable has an empty name and the vDSO a bare one ("linux-vdso.so.1"): neither
        // can be unloaded.
        if (name != nullptr && name[0] == '/')
          static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &paths);
  int pinned = 0;
  for (const std::string& p : paths) {
    // RTLD_NOLOAD: never loads anything new; the handle is kept on purpose (a reference that is
    // never dropped), RTLD_NODELETE makes the object stay even if its other users dlclose it.
    if (dlopen(p.c_str(), RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE) != nullptr) ++pinned;
  }
  return pinned;
}

}  // namespace gm::gl
