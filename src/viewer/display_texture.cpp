// display_texture.cpp — the viewer's own RGBA8 display texture (GL 4.5 DSA through glad).
#include "viewer/display_texture.hpp"

#include <glad/gl.h>

#include <utility>

namespace gm::viewer {

DisplayTexture::~DisplayTexture() {
  release();
}

DisplayTexture::DisplayTexture(DisplayTexture&& o) noexcept
    : id_(std::exchange(o.id_, 0u)),
      width_(std::exchange(o.width_, 0)),
      height_(std::exchange(o.height_, 0)) {}

DisplayTexture& DisplayTexture::operator=(DisplayTexture&& o) noexcept {
  if (this != &o) {
    release();
    id_ = std::exchange(o.id_, 0u);
    width_ = std::exchange(o.width_, 0);
    height_ = std::exchange(o.height_, 0);
  }
  return *this;
}

void DisplayTexture::release() {
  if (id_) {
    GLuint t = id_;
    glDeleteTextures(1, &t);
  }
  id_ = 0, width_ = 0, height_ = 0;
}

void DisplayTexture::ensure(int width, int height) {
  if (id_ && width == width_ && height == height_) return;
  release();
  if (width <= 0 || height <= 0) return;
  GLuint t = 0;
  glCreateTextures(GL_TEXTURE_2D, 1, &t);
  glTextureStorage2D(t, 1, GL_RGBA8, width, height);
  glTextureParameteri(t, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTextureParameteri(t, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTextureParameteri(t, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTextureParameteri(t, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  id_ = t, width_ = width, height_ = height;
}

void DisplayTexture::upload_rows(const Image& rows, int row0) {
  if (!id_ || rows.width != width_ || row0 < 0 || row0 + rows.height > height_ || rows.height <= 0)
    return;
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
  glTextureSubImage2D(id_, 0, 0, row0, rows.width, rows.height, GL_RGBA, GL_UNSIGNED_BYTE,
                      rows.rgba.data());
}

}  // namespace gm::viewer
