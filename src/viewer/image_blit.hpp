// image_blit.hpp — the canvas image drawn as a GL framebuffer blit (nearest texel, no blending,
// no shader of ours) queued in an ImGui draw list, instead of a textured ImGui quad. On a software
// GL every fragment of a quad runs the blending shader; a blit of an opaque picture is a copy,
// about 5x cheaper on llvmpipe for a 1000 x 560 canvas. plan_blit is the geometry (no GL; tested
// in tests/viewer/test_layout.cpp), ImageBlit the GL side (needs the window's context current).
#pragma once

#include <deque>

#include "viewer/view_transform.hpp"

struct ImDrawList;
struct ImDrawCmd;

namespace gm::viewer {

// A blit's rectangles in GL's integer corner form: src {x0, y0, x1, y1} in texels of a texture
// whose row 0 is the picture's top row; dst {x0, y0, x1, y1} in framebuffer pixels, y up (dst y0 >
// y1: the blit flips the rows). empty: nothing of the picture is visible.
struct BlitRects {
  int src[4] = {0, 0, 0, 0};
  int dst[4] = {0, 0, 0, 0};
  bool empty = true;
};

// The texels [0, src_w) x [0, src_h) land on `dst` (framebuffer pixels, y down, fractional);
// only what falls inside `clip` (same units) is wanted; the framebuffer is fb_h pixels tall.
// The blit covers the whole texels that reach into clip (their edges rounded to the nearest
// pixel edge), so it may overhang clip by less than a texel: scissor it to clip.
BlitRects plan_blit(int src_w, int src_h, Rect dst, Rect clip, int fb_h);

// The scissor box ImGui's OpenGL backend sets for a draw command (framebuffer pixels, GL's y up),
// and the framebuffer's height: what a draw-list callback clips to.
struct ScissorBox {
  int x = 0, y = 0, w = 0, h = 0, fb_h = 0;
};
ScissorBox imgui_scissor(const ImDrawCmd* cmd);

class ImageBlit {
 public:
  ImageBlit() = default;
  ~ImageBlit();
  ImageBlit(const ImageBlit&) = delete;
  ImageBlit& operator=(const ImageBlit&) = delete;

  // Forget the previous frame's blits (call once a frame, before queueing any).
  void new_frame() { calls_.clear(); }
  // Queue a blit of the RGBA8 texture `tex` (src_w x src_h texels from its row 0) onto `dst`
  // (ImGui coordinates), clipped to the draw list's current clip rectangle.
  void add(ImDrawList* dl, unsigned tex, int src_w, int src_h, Rect dst);

 private:
  struct Call {
    ImageBlit* self;
    unsigned tex;
    int src_w, src_h;
    Rect dst;
  };
  static void run(const ImDrawList* dl, const ImDrawCmd* cmd);
  std::deque<Call> calls_;  // stable addresses until the frame is drawn
  unsigned fbo_ = 0;
};

}  // namespace gm::viewer
