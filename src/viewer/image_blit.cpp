// image_blit.cpp — the canvas image as a framebuffer blit inside ImGui's draw list (see
// image_blit.hpp).
#include "viewer/image_blit.hpp"

#include <glad/gl.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace gm::viewer {

BlitRects plan_blit(int src_w, int src_h, Rect dst, Rect clip, int fb_h) {
  BlitRects b;
  if (src_w <= 0 || src_h <= 0 || !(dst.w > 0) || !(dst.h > 0)) return b;
  const double vx0 = std::max(dst.x, clip.x), vx1 = std::min(dst.x + dst.w, clip.x + clip.w);
  const double vy0 = std::max(dst.y, clip.y), vy1 = std::min(dst.y + dst.h, clip.y + clip.h);
  if (!(vx1 > vx0) || !(vy1 > vy0)) return b;
  const double px = dst.w / src_w, py = dst.h / src_h;  // framebuffer pixels per texel
  // The texels that reach into the visible part, whole.
  const int c0 = std::clamp(int(std::floor((vx0 - dst.x) / px)), 0, src_w);
  const int c1 = std::clamp(int(std::ceil((vx1 - dst.x) / px)), 0, src_w);
  const int r0 = std::clamp(int(std::floor((vy0 - dst.y) / py)), 0, src_h);
  const int r1 = std::clamp(int(std::ceil((vy1 - dst.y) / py)), 0, src_h);
  // Their edges on the framebuffer, to the nearest pixel edge (a quad covers the pixels whose
  // centres it contains: the same pixels).
  const int x0 = int(std::lround(dst.x + c0 * px)), x1 = int(std::lround(dst.x + c1 * px));
  const int y0 = int(std::lround(dst.y + r0 * py)), y1 = int(std::lround(dst.y + r1 * py));
  if (c1 <= c0 || r1 <= r0 || x1 <= x0 || y1 <= y0) return b;
  b.src[0] = c0, b.src[1] = r0, b.src[2] = c1, b.src[3] = r1;
  // GL's y runs up: texel row r0 (the top one shown) goes to the top edge, fb_h - y0.
  b.dst[0] = x0, b.dst[1] = fb_h - y0, b.dst[2] = x1, b.dst[3] = fb_h - y1;
  b.empty = false;
  return b;
}

ScissorBox imgui_scissor(const ImDrawCmd* cmd) {
  ScissorBox b;
  const ImDrawData* dd = ImGui::GetDrawData();
  if (!dd) return b;
  const ImVec2 off = dd->DisplayPos, scale = dd->FramebufferScale;
  b.fb_h = int(dd->DisplaySize.y * scale.y);
  const ImVec4 cr = cmd->ClipRect;
  const ImVec2 lo((cr.x - off.x) * scale.x, (cr.y - off.y) * scale.y);
  const ImVec2 hi((cr.z - off.x) * scale.x, (cr.w - off.y) * scale.y);
  b.x = int(lo.x), b.y = int(float(b.fb_h) - hi.y), b.w = int(hi.x - lo.x), b.h = int(hi.y - lo.y);
  return b;
}

ImageBlit::~ImageBlit() {
  if (fbo_) {
    GLuint f = fbo_;
    glDeleteFramebuffers(1, &f);
  }
}

void ImageBlit::add(ImDrawList* dl, unsigned tex, int src_w, int src_h, Rect dst) {
  if (!tex || src_w <= 0 || src_h <= 0) return;
  calls_.push_back(Call{this, tex, src_w, src_h, dst});
  dl->AddCallback(&ImageBlit::run, &calls_.back());
}

void ImageBlit::run(const ImDrawList*, const ImDrawCmd* cmd) {
  const Call& c = *static_cast<const Call*>(cmd->UserCallbackData);
  const ImDrawData* dd = ImGui::GetDrawData();
  if (!dd) return;
  const double sx = dd->FramebufferScale.x, sy = dd->FramebufferScale.y;
  const double ox = dd->DisplayPos.x, oy = dd->DisplayPos.y;
  const Rect dst{(c.dst.x - ox) * sx, (c.dst.y - oy) * sy, c.dst.w * sx, c.dst.h * sy};
  const ScissorBox sb = imgui_scissor(cmd);
  const Rect clip{double(sb.x), double(sb.fb_h - sb.y - sb.h), double(sb.w), double(sb.h)};
  const BlitRects b = plan_blit(c.src_w, c.src_h, dst, clip, sb.fb_h);
  if (b.empty) return;
  ImageBlit& self = *c.self;
  if (!self.fbo_) {
    GLuint f = 0;
    glCreateFramebuffers(1, &f);
    self.fbo_ = f;
  }
  glNamedFramebufferTexture(self.fbo_, GL_COLOR_ATTACHMENT0, c.tex, 0);
  glNamedFramebufferReadBuffer(self.fbo_, GL_COLOR_ATTACHMENT0);
  glEnable(GL_SCISSOR_TEST);
  glScissor(sb.x, sb.y, sb.w, sb.h);
  glBlitNamedFramebuffer(self.fbo_, 0, b.src[0], b.src[1], b.src[2], b.src[3], b.dst[0], b.dst[1],
                         b.dst[2], b.dst[3], GL_COLOR_BUFFER_BIT, GL_NEAREST);
}

}  // namespace gm::viewer
