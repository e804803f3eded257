// gl_objects.hpp — move-only RAII owners of GL object names (textures, framebuffers, buffers,
// programs, shaders, vertex arrays, queries), created with the GL 4.5 DSA entry points.
// Caveat: an owner must be destroyed while the context that made it is current (GL cannot delete
// names of a context that is gone); MixtureRenderer documents the same rule for its users.
#pragma once

#include <glad/gl.h>

#include <utility>

namespace gm::gl {

// One GL name plus the function that deletes it. Zero means "no object".
template <void (*Delete)(GLuint)>
class GlObject {
 public:
  GlObject() = default;
  explicit GlObject(GLuint id) : id_(id) {}
  ~GlObject() { reset(); }
  GlObject(GlObject&& o) noexcept : id_(std::exchange(o.id_, 0)) {}
  GlObject& operator=(GlObject&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, 0);
    }
    return *this;
  }
  GlObject(const GlObject&) = delete;
  GlObject& operator=(const GlObject&) = delete;

  GLuint id() const { return id_; }
  explicit operator bool() const { return id_ != 0; }
  void reset() {
    if (id_ != 0) Delete(id_);
    id_ = 0;
  }

 private:
  GLuint id_ = 0;
};

namespace detail {
inline void delete_texture(GLuint id) {
  glDeleteTextures(1, &id);
}
inline void delete_framebuffer(GLuint id) {
  glDeleteFramebuffers(1, &id);
}
inline void delete_buffer(GLuint id) {
  glDeleteBuffers(1, &id);
}
inline void delete_vertex_array(GLuint id) {
  glDeleteVertexArrays(1, &id);
}
inline void delete_query(GLuint id) {
  glDeleteQueries(1, &id);
}
inline void delete_program(GLuint id) {
  glDeleteProgram(id);
}
inline void delete_shader(GLuint id) {
  glDeleteShader(id);
}
}  // namespace detail

using Texture = GlObject<detail::delete_texture>;
using Framebuffer = GlObject<detail::delete_framebuffer>;
using Buffer = GlObject<detail::delete_buffer>;
using VertexArray = GlObject<detail::delete_vertex_array>;
using Query = GlObject<detail::delete_query>;
using Program = GlObject<detail::delete_program>;
using Shader = GlObject<detail::delete_shader>;

inline Texture make_texture(GLenum target) {
  GLuint id = 0;
  glCreateTextures(target, 1, &id);
  return Texture(id);
}
inline Framebuffer make_framebuffer() {
  GLuint id = 0;
  glCreateFramebuffers(1, &id);
  return Framebuffer(id);
}
inline Buffer make_buffer() {
  GLuint id = 0;
  glCreateBuffers(1, &id);
  return Buffer(id);
}
inline VertexArray make_vertex_array() {
  GLuint id = 0;
  glCreateVertexArrays(1, &id);
  return VertexArray(id);
}
inline Query make_query(GLenum target) {
  GLuint id = 0;
  glCreateQueries(target, 1, &id);
  return Query(id);
}

}  // namespace gm::gl
