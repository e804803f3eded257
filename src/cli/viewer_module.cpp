// viewer_module.cpp — `gaussmap view` in the executable: loads the viewer module
// (gaussmap-viewer.so, built beside the executable) and runs it. Linking the viewer into the
// executable would load GLFW, X11 and the GL stack on every start, several milliseconds that
// render, verify and bench never use. The module is found next to /proc/self/exe (the build
// tree), else in ../lib/gaussmap/ (an installed tree), so gaussmap runs from any folder.
#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "commands.hpp"
#include "core/errors.hpp"
#include "viewer_module.hpp"

namespace gm::cli {

namespace {

std::string exe_dir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, std::size_t(n));
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

ViewerEntry load_viewer() {
  const std::string dir = exe_dir();
  std::string tried, why;
  for (const std::string& path :
       {dir + "/gaussmap-viewer.so", dir + "/../lib/gaussmap/gaussmap-viewer.so"}) {
    if (::access(path.c_str(), F_OK) != 0) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // never closed: GL drivers
    if (lib == nullptr) {
      const char* e = ::dlerror();
      throw Error("cannot load the viewer (" + path + "): " + (e ? e : "unknown error") +
                  "; `gaussmap render` needs no viewer");
    }
    auto abi = reinterpret_cast<ViewerAbi>(::dlsym(lib, "gaussmap_viewer_abi"));
    auto entry = reinterpret_cast<ViewerEntry>(::dlsym(lib, "gaussmap_viewer_main"));
    if (abi == nullptr || entry == nullptr || abi() != kViewerAbi)
      throw Error("the viewer module " + path + " does not match this gaussmap (rebuild it)");
    return entry;
  }
  throw Error("the viewer module is missing (looked for " + tried +
              "); `gaussmap render` needs no viewer");
}

}  // namespace

int cmd_view(const Args& args) {
  ViewerEntry entry = load_viewer();
  ViewerOutcome out;
  entry(&args, &out);
  switch (out.error) {
    case ViewerOutcome::None:
      return out.status;
    case ViewerOutcome::Input:
      throw InputError(out.message);
    case ViewerOutcome::Io:
      throw IoError(out.message);
    case ViewerOutcome::Gl:
      throw GlError(out.message);
    case ViewerOutcome::Other:
      break;
  }
  throw Error(out.message);
}

}  // namespace gm::cli
