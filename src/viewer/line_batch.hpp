// line_batch.hpp — plain one-pixel lines (GL_LINES, flat colour, blended as ImGui blends) drawn in
// one GL call at their place in an ImGui draw list. ImGui draws a line as two triangles sampled
// through its font texture; on a software GL (llvmpipe) each triangle shades every 4x4 block it
// touches, so a thin line costs two textured passes over its blocks. One GL line is one untextured
// pass: the viewer's outlines while a kernel is dragged (ui_canvas.cpp). Needs the window's GL
// context current when ImGui draws.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "gl/gl_objects.hpp"

struct ImDrawList;
struct ImDrawCmd;
struct ImVec2;

namespace gm::viewer {

class LineBatch {
 public:
  // Forget the previous frame's lines (call once a frame, before adding any).
  void new_frame();
  // Line segments in ImGui coordinates, colour as ImGui's packed ImU32.
  void add_line(ImVec2 a, ImVec2 b, std::uint32_t color);
  void add_closed_polyline(const ImVec2* points, int count, std::uint32_t color);
  // Queue the lines added since the last flush into dl (clipped to its current clip rectangle),
  // then have ImGui restore its own render state.
  void flush(ImDrawList* dl);

 private:
  struct Vertex {
    float x, y;
    std::uint32_t rgba;
  };
  struct Call {
    LineBatch* self;
    int first, count;
  };
  static void run(const ImDrawList* dl, const ImDrawCmd* cmd);
  void upload();  // once a frame, at the first call drawn

  std::vector<Vertex> vertices_;
  int flushed_ = 0;         // vertices_ already queued
  bool uploaded_ = false;   // this frame's vertices are in the buffer
  std::deque<Call> calls_;  // stable addresses until the frame is drawn
  gl::Program program_;
  gl::VertexArray vao_;
  gl::Buffer vbo_;
  std::size_t vbo_bytes_ = 0;
};

}  // namespace gm::viewer
