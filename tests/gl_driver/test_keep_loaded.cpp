// test_keep_loaded.cpp — the GL driver stays mapped after its context is gone. Mesa's EGL loads the
// driver (swrast_dri.so, LLVM, ...) in eglInitialize and unloads it in eglTerminate; then
// LeakSanitizer, which runs at exit, sees the driver's memory as leaked from an "<unknown module>"
// that no suppression can name. HeadlessContext pins every loaded library (src/gl/keep_loaded.cpp).
// A process of its own (this executable) so that no other context holds the display: creating and
// destroying the one context here runs eglTerminate for real.
#include <doctest/doctest.h>
#include <link.h>

#include <algorithm>
#include <set>
#include <string>

#include "gl/headless_context.hpp"
#include "gl/keep_loaded.hpp"
#include "test_skip.hpp"

namespace {

std::set<std::string> loaded_objects() {
  std::set<std::string> out;
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/')
          static_cast<std::set<std::string>*>(data)->insert(info->dlpi_name);
        return 0;
      },
      &out);
  return out;
}

}  // namespace

TEST_CASE("gl driver: every library the context loaded is still mapped after eglTerminate") {
  const std::set<std::string> before = loaded_objects();
  std::unique_ptr<gm::gl::HeadlessContext> ctx;
  try {
    ctx = gm::gl::HeadlessContext::create();
  } catch (const std::exception& e) {
    gm::test::skip_case(std::string("no GL 4.5 context: ") + e.what());
    return;
  }
  gm::test::note_gl_case();
  const std::set<std::string> with_context = loaded_objects();
  ctx.reset();  // eglMakeCurrent(none), eglDestroyContext, eglTerminate, eglReleaseThread
  const std::set<std::string> after = loaded_objects();
  int loaded = 0, gone = 0;
  for (const std::string& p : with_context) {
    if (before.count(p) != 0) continue;
    ++loaded;
    const bool kept = after.count(p) != 0;
    gone += kept ? 0 : 1;
    INFO(p);
    CHECK_MESSAGE(kept, p << " was unloaded with the context");
  }
  MESSAGE("the context loaded " << loaded << " libraries; " << gone << " unloaded at eglTerminate");
  CHECK(loaded > 0);                                 // at least libEGL and its vendor library
  CHECK(gm::gl::keep_loaded_libraries() >= loaded);  // pinning again is harmless
}
