// gl_state.cpp — GL error names and checks (see gl_state.hpp).
#include "gl_state.hpp"

#include <string>

#include "core/errors.hpp"

namespace gm::gl {

const char* gl_error_name(GLenum e) {
  switch (e) {
    case GL_INVALID_ENUM:
      return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE:
      return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION:
      return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION:
      return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY:
      return "GL_OUT_OF_MEMORY";
    default:
      return "GL error";
  }
}

void check_gl(const char* what) {
  GLenum first = glGetError();
  if (first == GL_NO_ERROR) return;
  for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; ++i) {
  }
  throw GlError(std::string(what) + " failed: " + gl_error_name(first) +
                (first == GL_OUT_OF_MEMORY
                     ? " (reduce --size or the kernel count, or use --backend cpu)"
                     : " (use --backend cpu)"));
}

void clear_gl_errors() {
  for (int i = 0; i < 64 && glGetError() != GL_NO_ERROR; ++i) {
  }
}

}  // namespace gm::gl
