// display_texture.cpp — the viewer's own RGBA8 display texture (GL 4.5 DSA through glad).
#include "viewer/display_texture.hpp"

#include <glad/gl.h>

#include <string>
#include <utility>

#include "core/errors.hpp"

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

void DisplayTexture::check_size(int width, int height) {
  GLint max = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max);
  if (width <= max && height <= max) return;
  const char* gl = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  throw InputError("the field is " + std::to_string(width) + "x" + std::to_string(height) +
                   ", over GL_MAX_TEXTURE_SIZE = " + std::to_string(max) + " of this GL (" +
                   (gl ? gl : "?") +
                   "), which shows it; use `gaussmap render --backend cpu` (the viewer needs GL)");
}

void DisplayTexture::ensure(int width, int height) {
  if (id_ && width == width_ && height == height_) return;
  check_size(width, height);
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
