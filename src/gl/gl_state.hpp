// gl_state.hpp — the GL state the renderer's passes rely on: StateGuard saves what a pass touches
// and restores it (so a viewer can share the context with ImGui), set_pass_state() fixes everything
// that could alter a written value; GL error names and checks as one-line GlErrors.
#pragma once

#include <glad/gl.h>

#include <array>

namespace gm::gl {

// Saves framebuffers, viewport, scissor, program, VAO, enables, texture units 0-2 (2D) and 3-5
// (buffer textures: the field pass's kernel records and tile lists), blend functions and
// equations, the uniform and
// storage buffer bindings, colour mask, polygon mode and point size at construction; restores them
// at destruction.
class StateGuard {
 public:
  StateGuard() {
    glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &draw_fbo_);
    glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &read_fbo_);
    glGetIntegerv(GL_VIEWPORT, viewport_.data());
    glGetIntegerv(GL_SCISSOR_BOX, scissor_.data());
    glGetIntegerv(GL_CURRENT_PROGRAM, &program_);
    glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &vao_);
    glGetIntegerv(GL_ACTIVE_TEXTURE, &active_texture_);
    for (int i = 0; i < kUnits; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + i));
      glGetIntegerv(GL_TEXTURE_BINDING_2D, &textures_[std::size_t(i)]);
    }
    for (int i = 0; i < kBufferUnits; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + kUnits + i));
      glGetIntegerv(GL_TEXTURE_BINDING_BUFFER, &buffer_textures_[std::size_t(i)]);
    }
    glActiveTexture(GLenum(active_texture_));
    glGetIntegeri_v(GL_UNIFORM_BUFFER_BINDING, 0, &ubo0_);
    for (GLuint i = 0; i < kSsboBindings; ++i)
      glGetIntegeri_v(GL_SHADER_STORAGE_BUFFER_BINDING, i, &ssbo_[i]);
    glGetIntegerv(GL_UNIFORM_BUFFER_BINDING, &ubo_generic_);
    glGetIntegerv(GL_SHADER_STORAGE_BUFFER_BINDING, &ssbo_generic_);
    glGetBooleanv(GL_COLOR_WRITEMASK, color_mask_.data());
    glGetIntegerv(GL_POLYGON_MODE, polygon_mode_.data());
    glGetFloatv(GL_POINT_SIZE, &point_size_);
    for (std::size_t i = 0; i < kCaps.size(); ++i) enabled_[i] = glIsEnabled(kCaps[i]);
    for (std::size_t i = 0; i < kBlend.size(); ++i) glGetIntegerv(kBlend[i], &blend_[i]);
  }
  ~StateGuard() {
    for (std::size_t i = 0; i < kCaps.size(); ++i)
      enabled_[i] ? glEnable(kCaps[i]) : glDisable(kCaps[i]);
    glColorMask(color_mask_[0], color_mask_[1], color_mask_[2], color_mask_[3]);
    glBlendFuncSeparate(GLenum(blend_[0]), GLenum(blend_[1]), GLenum(blend_[2]), GLenum(blend_[3]));
    glBlendEquationSeparate(GLenum(blend_[4]), GLenum(blend_[5]));
    glPolygonMode(GL_FRONT_AND_BACK, GLenum(polygon_mode_[0]));
    glPointSize(point_size_);
    // Indexed binding 0 first: glBindBufferBase also sets the generic binding, restored after.
    glBindBufferBase(GL_UNIFORM_BUFFER, 0, GLuint(ubo0_));
    for (GLuint i = 0; i < kSsboBindings; ++i)
      glBindBufferBase(GL_SHADER_STORAGE_BUFFER, i, GLuint(ssbo_[i]));
    glBindBuffer(GL_UNIFORM_BUFFER, GLuint(ubo_generic_));
    glBindBuffer(GL_SHADER_STORAGE_BUFFER, GLuint(ssbo_generic_));
    for (int i = 0; i < kUnits; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + i));
      glBindTexture(GL_TEXTURE_2D, GLuint(textures_[std::size_t(i)]));
    }
    for (int i = 0; i < kBufferUnits; ++i) {
      glActiveTexture(GLenum(GL_TEXTURE0 + kUnits + i));
      glBindTexture(GL_TEXTURE_BUFFER, GLuint(buffer_textures_[std::size_t(i)]));
    }
    glActiveTexture(GLenum(active_texture_));
    glBindVertexArray(GLuint(vao_));
    glUseProgram(GLuint(program_));
    glScissor(scissor_[0], scissor_[1], scissor_[2], scissor_[3]);
    glViewport(viewport_[0], viewport_[1], viewport_[2], viewport_[3]);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, GLuint(read_fbo_));
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, GLuint(draw_fbo_));
  }
  StateGuard(const StateGuard&) = delete;
  StateGuard& operator=(const StateGuard&) = delete;

  // The fixed state both passes need (everything that could alter a written value).
  static void set_pass_state() {
    for (GLenum cap : kCaps) glDisable(cap);
    glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
    glPointSize(1.0f);  // the rim pass draws one-pixel points
  }

 private:
  static constexpr int kUnits = 3;
  // The splat pass's blend functions and equations.
  static constexpr std::array<GLenum, 6> kBlend = {GL_BLEND_SRC_RGB,      GL_BLEND_DST_RGB,
                                                   GL_BLEND_SRC_ALPHA,    GL_BLEND_DST_ALPHA,
                                                   GL_BLEND_EQUATION_RGB, GL_BLEND_EQUATION_ALPHA};
  static constexpr int kBufferUnits = 3;      // units 3, 4, 5
  static constexpr GLuint kSsboBindings = 6;  // kernels, tiles (offsets, indices, spans), rims
  static constexpr std::array<GLenum, 10> kCaps = {GL_BLEND,
                                                   GL_DEPTH_TEST,
                                                   GL_STENCIL_TEST,
                                                   GL_CULL_FACE,
                                                   GL_SCISSOR_TEST,
                                                   GL_FRAMEBUFFER_SRGB,
                                                   GL_RASTERIZER_DISCARD,
                                                   GL_COLOR_LOGIC_OP,
                                                   GL_MULTISAMPLE,
                                                   GL_SAMPLE_ALPHA_TO_COVERAGE};
  GLint draw_fbo_ = 0, read_fbo_ = 0, program_ = 0, vao_ = 0, active_texture_ = GL_TEXTURE0;
  GLint ubo0_ = 0, ubo_generic_ = 0, ssbo_generic_ = 0;
  std::array<GLint, kSsboBindings> ssbo_{};
  std::array<GLint, 4> viewport_{}, scissor_{};
  std::array<GLint, 2> polygon_mode_{GL_FILL, GL_FILL};
  GLfloat point_size_ = 1;
  std::array<GLint, kUnits> textures_{};
  std::array<GLint, kBufferUnits> buffer_textures_{};
  std::array<GLint, kBlend.size()> blend_{};
  std::array<GLboolean, 4> color_mask_{};
  std::array<GLboolean, kCaps.size()> enabled_{};
};

const char* gl_error_name(GLenum e);
// Drains GL's error queue; throws GlError naming `what` if anything was queued.
void check_gl(const char* what);
void clear_gl_errors();

}  // namespace gm::gl
