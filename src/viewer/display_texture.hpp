// display_texture.hpp — an RGBA8 texture the viewer owns for pictures it colorizes itself (drag
// previews, fields refined band by band on a slow GL). Row 0 of the image is texture row 0, so it
// is drawn with uv (0,0) at the top-left. Move-only RAII; needs the window's GL context current.
#pragma once

#include "core/image_io.hpp"

namespace gm::viewer {

class DisplayTexture {
 public:
  DisplayTexture() = default;
  ~DisplayTexture();
  DisplayTexture(DisplayTexture&& o) noexcept;
  DisplayTexture& operator=(DisplayTexture&& o) noexcept;
  DisplayTexture(const DisplayTexture&) = delete;
  DisplayTexture& operator=(const DisplayTexture&) = delete;

  // Throws InputError (exit 2 in scripted runs) naming GL_MAX_TEXTURE_SIZE and `gaussmap render
  // --backend cpu` when this GL cannot hold a width x height texture; call before computing a
  // field that is to be shown.
  static void check_size(int width, int height);
  // (Re)allocate for width x height when the size changed (contents undefined then); check_size
  // first.
  void ensure(int width, int height);
  // Upload rows [row0, row0 + rows.height) from an image `rows.width` (== width) wide.
  void upload_rows(const Image& rows, int row0);

  unsigned id() const { return id_; }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  void release();
  unsigned id_ = 0;
  int width_ = 0, height_ = 0;
};

}  // namespace gm::viewer
