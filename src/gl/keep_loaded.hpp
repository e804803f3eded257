// keep_loaded.hpp — keeps every shared library loaded so far mapped until the process exits, so
// that a GL driver that its loader would unload (Mesa's EGL and GLX dlclose the DRI driver at
// eglTerminate / XCloseDisplay) stays mapped. Called once a GL context or display exists.
#pragma once

namespace gm::gl {

// Pins (dlopen RTLD_NOLOAD | RTLD_NODELETE) every shared object now in the process; returns how
// many were pinned. Cheap (one walk of the link map); safe to call more than once.
int keep_loaded_libraries();

}  // namespace gm::gl
