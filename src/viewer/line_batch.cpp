// line_batch.cpp — one-pixel GL lines inside ImGui's draw list (see line_batch.hpp).
#include "viewer/line_batch.hpp"

#include <glad/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cstddef>

#include "gl/field_program.hpp"
#include "gl/shader_sources.hpp"
#include "viewer/image_blit.hpp"

namespace gm::viewer {

namespace {

// ImGui coordinates -> clip space as ImGui's own projection (u_view: left, top, 2 / width,
// 2 / height of the display); colours as ImGui packs them (R in the low byte).
const gl::ShaderFile kLineVert{"viewer line shader (vertex)", R"(#version 450 core
layout(location = 0) in vec2 a_pos;
layout(location = 1) in vec4 a_color;
layout(location = 0) uniform vec4 u_view;
flat out vec4 v_color;
void main() {
  v_color = a_color;
  gl_Position = vec4((a_pos.x - u_view.x) * u_view.z - 1.0, 1.0 - (a_pos.y - u_view.y) * u_view.w,
                     0.0, 1.0);
}
)"};
const gl::ShaderFile kLineFrag{"viewer line shader (fragment)", R"(#version 450 core
flat in vec4 v_color;
layout(location = 0) out vec4 o_color;
void main() { o_color = v_color; }
)"};

}  // namespace

void LineBatch::new_frame() {
  vertices_.clear();
  calls_.clear();
  flushed_ = 0;
  uploaded_ = false;
}

void LineBatch::add_line(ImVec2 a, ImVec2 b, std::uint32_t color) {
  vertices_.push_back({a.x, a.y, color});
  vertices_.push_back({b.x, b.y, color});
}

void LineBatch::add_closed_polyline(const ImVec2* points, int count, std::uint32_t color) {
  for (int i = 0; i < count; ++i) add_line(points[i], points[(i + 1) % count], color);
}

void LineBatch::flush(ImDrawList* dl) {
  const int n = int(vertices_.size()) - flushed_;
  if (n <= 0) return;
  calls_.push_back(Call{this, flushed_, n});
  flushed_ = int(vertices_.size());
  dl->AddCallback(&LineBatch::run, &calls_.back());
  dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

void LineBatch::upload() {
  if (!program_) {
    program_ = gl::link_program(kLineVert, kLineFrag, "");
    GLuint v = 0, b = 0;
    glCreateVertexArrays(1, &v);
    vao_ = gl::VertexArray(v);
    glCreateBuffers(1, &b);
    vbo_ = gl::Buffer(b);
    glVertexArrayVertexBuffer(v, 0, b, 0, sizeof(Vertex));
    glEnableVertexArrayAttrib(v, 0);
    glVertexArrayAttribFormat(v, 0, 2, GL_FLOAT, GL_FALSE, offsetof(Vertex, x));
    glVertexArrayAttribBinding(v, 0, 0);
    glEnableVertexArrayAttrib(v, 1);
    glVertexArrayAttribFormat(v, 1, 4, GL_UNSIGNED_BYTE, GL_TRUE, offsetof(Vertex, rgba));
    glVertexArrayAttribBinding(v, 1, 0);
  }
  const std::size_t bytes = vertices_.size() * sizeof(Vertex);
  if (bytes > vbo_bytes_) {
    // Immutable storage cannot grow: a new buffer, twice as large.
    GLuint b = 0;
    glCreateBuffers(1, &b);
    vbo_ = gl::Buffer(b);
    vbo_bytes_ = std::max(bytes, 2 * vbo_bytes_);
    glNamedBufferStorage(b, GLsizeiptr(vbo_bytes_), nullptr, GL_DYNAMIC_STORAGE_BIT);
    glVertexArrayVertexBuffer(vao_.id(), 0, b, 0, sizeof(Vertex));
  }
  glNamedBufferSubData(vbo_.id(), 0, GLsizeiptr(bytes), vertices_.data());
  uploaded_ = true;
}

void LineBatch::run(const ImDrawList*, const ImDrawCmd* cmd) {
  const Call& c = *static_cast<const Call*>(cmd->UserCallbackData);
  LineBatch& self = *c.self;
  const ImDrawData* dd = ImGui::GetDrawData();
  if (!dd || !(dd->DisplaySize.x > 0) || !(dd->DisplaySize.y > 0)) return;
  if (!self.uploaded_) self.upload();
  const ScissorBox sb = imgui_scissor(cmd);
  glEnable(GL_SCISSOR_TEST);
  glScissor(sb.x, sb.y, sb.w, sb.h);
  // ImGui's blending is still set (its render state, restored in full by the reset that follows).
  glUseProgram(self.program_.id());
  glProgramUniform4f(self.program_.id(), 0, dd->DisplayPos.x, dd->DisplayPos.y,
                     2.0f / dd->DisplaySize.x, 2.0f / dd->DisplaySize.y);
  glBindVertexArray(self.vao_.id());
  glDrawArrays(GL_LINES, c.first, c.count);
}

}  // namespace gm::viewer
