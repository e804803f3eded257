// headless_context.cpp — a GL 4.5 core context with no window, through EGL loaded by glad.
//
// libEGL.so.1 is opened with dlopen, never linked, so a machine without it gets a one-line GlError
// (and the CPU backend still works). Order of attempts:
//   1. EGL_MESA_platform_surfaceless (Mesa: GPU render node or llvmpipe, no X/Wayland needed);
//   2. EGL_EXT_platform_device over every device of eglQueryDevicesEXT (NVIDIA's driver).
// The context is made with EGL_KHR_no_config_context + EGL_KHR_surfaceless_context where offered,
// else with a chosen config and a 1x1 pbuffer. Nothing here needs LIBGL_ALWAYS_SOFTWARE & co.
// Caveats: glad's EGL and GL entry points are process-global; the context is current on the
// creating thread; the libEGL handle is never dlclose'd, and the driver that eglInitialize loads
// is pinned so that eglTerminate cannot unload it either (keep_loaded.cpp).
// Failures are one line (GlError) naming what failed and what to do. Mesa's own EGL warnings
// (e.g. "libEGL warning: MESA-LOADER: failed to open swrast") would add stderr lines, so
// EGL_LOG_LEVEL is set to "fatal" unless the user set it.
// Test hook: GAUSSMAP_EGL_LIBRARY=PATH loads libEGL from PATH instead of libEGL.so.1 (a path that
// does not exist simulates a machine without EGL; tests/cli/gl_failures.sh).
#include "headless_context.hpp"

#include <dlfcn.h>
#include <glad/egl.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "keep_loaded.hpp"

namespace gm::gl {

namespace {

constexpr const char* kInstallHint =
    "install or update Mesa (apt install libegl1 libegl-mesa0 libgl1-mesa-dri; GL 4.5 needs "
    "Mesa 20 or later), or use --backend cpu";

const char* egl_error_name(EGLint e) {
  switch (e) {
    case EGL_SUCCESS:
      return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED:
      return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS:
      return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC:
      return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE:
      return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG:
      return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT:
      return "EGL_BAD_CONTEXT";
    case EGL_BAD_DISPLAY:
      return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH:
      return "EGL_BAD_MATCH";
    case EGL_BAD_PARAMETER:
      return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE:
      return "EGL_BAD_SURFACE";
    default: {
      static thread_local char buf[32];
      std::snprintf(buf, sizeof buf, "EGL error 0x%04x", unsigned(e));
      return buf;
    }
  }
}

std::string egl_fail(const char* what) {
  return std::string(what) + " (" + egl_error_name(eglGetError()) + ")";
}

bool has_extension(const char* list, const char* name) {
  if (list == nullptr) return false;
  std::string s = std::string(" ") + list + " ";
  return s.find(std::string(" ") + name + " ") != std::string::npos;
}

// glad's EGL loader: the library's exported symbol, else eglGetProcAddress (extensions).
GLADapiproc egl_load(void* lib, const char* name) {
  if (void* p = dlsym(lib, name)) return reinterpret_cast<GLADapiproc>(p);
  if (glad_eglGetProcAddress != nullptr) return glad_eglGetProcAddress(name);
  return nullptr;
}

// GL loader handed to MixtureRenderer (EGL 1.5 / KHR_get_all_proc_addresses: core functions too).
void* gl_load(const char* name) {
  return reinterpret_cast<void*>(eglGetProcAddress(name));
}

template <class T>
void load_egl(void* lib, T& fn, const char* name) {
  fn = reinterpret_cast<T>(egl_load(lib, name));
}

}  // namespace

struct HeadlessContext::Impl {
  void* lib = nullptr;
  EGLDisplay display = EGL_NO_DISPLAY;
  EGLContext context = EGL_NO_CONTEXT;
  EGLSurface surface = EGL_NO_SURFACE;
  std::string platform;

  // Initializes `dpy` and makes a current 4.5 core context on it; on failure returns why and
  // leaves nothing behind.
  std::string try_display(EGLDisplay dpy);
};

std::string HeadlessContext::Impl::try_display(EGLDisplay dpy) {
  if (dpy == EGL_NO_DISPLAY) return egl_fail("no display");
  EGLint major = 0, minor = 0;
  if (!eglInitialize(dpy, &major, &minor)) return egl_fail("eglInitialize failed");
  // The driver is loaded now; keep it mapped past eglTerminate (keep_loaded.cpp says why).
  keep_loaded_libraries();
  auto fail = [&](std::string why) {
    if (surface != EGL_NO_SURFACE) eglDestroySurface(dpy, surface);
    if (context != EGL_NO_CONTEXT) eglDestroyContext(dpy, context);
    surface = EGL_NO_SURFACE, context = EGL_NO_CONTEXT;
    eglTerminate(dpy);
    return why;
  };
  // Now that a display is initialized, load its version's entry points and display extensions.
  if (!gladLoadEGLUserPtr(dpy, egl_load, lib)) return fail("cannot load EGL entry points");
  if (major == 1 && minor < 4)
    return fail("EGL " + std::to_string(major) + "." + std::to_string(minor) + " is too old");
  if (!eglBindAPI(EGL_OPENGL_API))
    return fail(egl_fail("eglBindAPI(EGL_OPENGL_API) failed (no desktop GL)"));

  EGLConfig config = EGL_NO_CONFIG_KHR;
  const bool no_config = GLAD_EGL_KHR_no_config_context != 0;
  const bool surfaceless = GLAD_EGL_KHR_surfaceless_context != 0;
  if (!no_config || !surfaceless) {
    const EGLint attribs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE,
                              EGL_PBUFFER_BIT, EGL_NONE};
    EGLint n = 0;
    if (!eglChooseConfig(dpy, attribs, &config, 1, &n) || n < 1)
      return fail(egl_fail("no EGL config for desktop GL with pbuffers"));
  }
  const EGLint ctx_attribs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                4,
                                EGL_CONTEXT_MINOR_VERSION,
                                5,
                                EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                EGL_NONE};
  context =
      eglCreateContext(dpy, no_config ? EGL_NO_CONFIG_KHR : config, EGL_NO_CONTEXT, ctx_attribs);
  if (context == EGL_NO_CONTEXT)
    return fail(egl_fail("the driver gives no GL 4.5 core context (too old)"));
  if (!surfaceless) {
    const EGLint pb[] = {EGL_WIDTH, 1, EGL_HEIGHT, 1, EGL_NONE};
    surface = eglCreatePbufferSurface(dpy, config, pb);
    if (surface == EGL_NO_SURFACE) return fail(egl_fail("cannot create a 1x1 pbuffer"));
  }
  if (!eglMakeCurrent(dpy, surface, surface, context))
    return fail(egl_fail("eglMakeCurrent failed"));
  display = dpy;
  return {};
}

HeadlessContext::HeadlessContext() : impl_(std::make_unique<Impl>()) {}

std::unique_ptr<HeadlessContext> HeadlessContext::create() {
  std::unique_ptr<HeadlessContext> ctx(new HeadlessContext());
  Impl& m = *ctx->impl_;
  setenv("EGL_LOG_LEVEL", "fatal", 0);  // our error is the one line (see the top)
  const char* forced = std::getenv("GAUSSMAP_EGL_LIBRARY");
  if (forced != nullptr && *forced != '\0') {
    m.lib = dlopen(forced, RTLD_NOW | RTLD_LOCAL);
    if (m.lib == nullptr)
      throw GlError(std::string("no GL: cannot load libEGL from GAUSSMAP_EGL_LIBRARY=") + forced +
                    " (" + kInstallHint + ")");
  } else {
    m.lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_LOCAL);
    if (m.lib == nullptr) m.lib = dlopen("libEGL.so", RTLD_NOW | RTLD_LOCAL);
    if (m.lib == nullptr)
      throw GlError(std::string("no GL: cannot load libEGL.so.1 (") + kInstallHint + ")");
  }

  // Bootstrap: the client-side entry points, before any display exists (gladLoadEGL would open
  // the default native display to read a version; we do not want X or Wayland involved).
  load_egl(m.lib, glad_eglGetProcAddress, "eglGetProcAddress");
  load_egl(m.lib, glad_eglQueryString, "eglQueryString");
  load_egl(m.lib, glad_eglGetError, "eglGetError");
  load_egl(m.lib, glad_eglInitialize, "eglInitialize");
  load_egl(m.lib, glad_eglTerminate, "eglTerminate");
  if (!glad_eglGetProcAddress || !glad_eglQueryString || !glad_eglGetError || !glad_eglInitialize ||
      !glad_eglTerminate)
    throw GlError(std::string("no GL: libEGL lacks core EGL 1.4 functions (") + kInstallHint + ")");
  load_egl(m.lib, glad_eglGetPlatformDisplayEXT, "eglGetPlatformDisplayEXT");
  load_egl(m.lib, glad_eglQueryDevicesEXT, "eglQueryDevicesEXT");
  const char* client = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
  (void)eglGetError();
  const bool platform_base =
      has_extension(client, "EGL_EXT_platform_base") && glad_eglGetPlatformDisplayEXT;
  const bool track_refs = has_extension(client, "EGL_KHR_display_reference");

  std::vector<std::string> reasons;
  // 1. Surfaceless Mesa.
  if (platform_base && has_extension(client, "EGL_MESA_platform_surfaceless")) {
    const EGLint attribs[] = {track_refs ? EGL_TRACK_REFERENCES_KHR : EGL_NONE, EGL_TRUE, EGL_NONE};
    EGLDisplay dpy =
        eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, attribs);
    std::string why = m.try_display(dpy);
    if (why.empty()) {
      m.platform = "surfaceless";
      return ctx;
    }
    reasons.push_back("surfaceless: " + why);
  } else {
    reasons.push_back("surfaceless: EGL_MESA_platform_surfaceless not offered");
  }
  // 2. EGL devices (NVIDIA; Mesa lists its devices here too).
  if (platform_base && has_extension(client, "EGL_EXT_platform_device") &&
      glad_eglQueryDevicesEXT) {
    EGLint n = 0;
    std::vector<EGLDeviceEXT> devices;
    if (eglQueryDevicesEXT(0, nullptr, &n) && n > 0) {
      devices.resize(std::size_t(n));
      if (!eglQueryDevicesEXT(n, devices.data(), &n)) n = 0;
      devices.resize(std::size_t(std::max(n, 0)));
    }
    if (devices.empty()) reasons.push_back("device: no EGL device found");
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const EGLint attribs[] = {track_refs ? EGL_TRACK_REFERENCES_KHR : EGL_NONE, EGL_TRUE,
                                EGL_NONE};
      EGLDisplay dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, devices[i], attribs);
      std::string why = m.try_display(dpy);
      if (why.empty()) {
        m.platform = "device";
        return ctx;
      }
      reasons.push_back("device " + std::to_string(i) + ": " + why);
    }
  } else {
    reasons.push_back("device: EGL_EXT_platform_device not offered");
  }
  std::string msg = "no GL: no headless GL 4.5 core context (";
  for (std::size_t i = 0; i < reasons.size(); ++i) msg += (i ? "; " : "") + reasons[i];
  throw GlError(msg + "); " + kInstallHint);
}

HeadlessContext::~HeadlessContext() {
  Impl& m = *impl_;
  if (m.display != EGL_NO_DISPLAY) {
    eglMakeCurrent(m.display, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (m.surface != EGL_NO_SURFACE) eglDestroySurface(m.display, m.surface);
    if (m.context != EGL_NO_CONTEXT) eglDestroyContext(m.display, m.context);
    eglTerminate(m.display);
    if (glad_eglReleaseThread != nullptr) eglReleaseThread();
  }
}

LoadProc HeadlessContext::loader() const {
  return &gl_load;
}
std::string HeadlessContext::platform() const {
  return impl_->platform;
}

}  // namespace gm::gl
