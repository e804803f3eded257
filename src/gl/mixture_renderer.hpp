// mixture_renderer.hpp — scene -> R32F field (mixture.frag) -> colormapped RGBA8 (colormap.frag).
// Needs a current GL 4.5 core context; takes the context's function loader (GLFW's in the viewer,
// EGL's headless) and never owns a window. Kernels go to a std140 uniform buffer; past its capacity
// they go to a shader storage buffer. With a cutoff and many kernels, kernels are binned into
// screen tiles on the CPU and each pixel loops over its tile's list only (set_tiling). Textures
// hold the top row first (row 0 = y0, as the field), so readback copies straight into the field.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/colormap.hpp"
#include "core/field.hpp"
#include "core/image_io.hpp"
#include "core/scene.hpp"

namespace gm::gl {

// Tiled binning of cut-off kernels (see set_tiling).
enum class Tiling {
  Auto,   // tiles when the scene has a cutoff and the binned loop is estimated cheaper (default)
  Off,    // never: every pixel loops over every kernel
  On,     // whenever the scene has a cutoff (tests, bench)
  Splat,  // the splat pass wherever the scene and the GL allow it (tests, bench), else the loop
};

// How the field pass reads kernel records and tile lists (see set_fetch).
enum class Fetch {
  Auto,    // texels on a software rasterizer, blocks elsewhere (default)
  Blocks,  // uniform block (storage block past its capacity), storage blocks for the tile lists
  Texels,  // buffer textures, texelFetch (blocks where the GL's buffer-texture limit is too small)
};

using LoadProc = void* (*)(const char* name);

class MixtureRenderer {
 public:
  // Loads GL entry points through `load`, checks for GL 4.5 core, compiles the shaders.
  // Throws GlError with a one-line reason (context too old, shader log with file name, ...).
  explicit MixtureRenderer(LoadProc load);
  ~MixtureRenderer();
  MixtureRenderer(MixtureRenderer&&) noexcept;
  MixtureRenderer& operator=(MixtureRenderer&&) noexcept;
  MixtureRenderer(const MixtureRenderer&) = delete;
  MixtureRenderer& operator=(const MixtureRenderer&) = delete;

  // Evaluate the scene's field into the R32F target at the scene's width x height, or only the
  // window's rows x cols of the scene's grid: the same bits as that slice of the whole field (pixel
  // centres from global indices through the whole render's arithmetic). A window outside the grid
  // or empty -> InputError.
  void render_field(const Scene& scene, const std::optional<Window>& window = std::nullopt);
  // Make `field` (computed elsewhere, e.g. by the CPU backend) the current field, as if rendered:
  // render_colormap, read_field and field_texture() then use it.
  void upload_field(const Field& field);
  // Colormap the current field through view settings and range into the RGBA8 target.
  void render_colormap(const View& view, ValueRange range);

  Field read_field() const;  // (H, W) floats, row 0 on top
  Image read_image() const;  // RGBA8 of the last colormap pass, row 0 on top

  unsigned field_texture() const;  // GL names, for a viewer to draw (top row = texture row 0)
  unsigned color_texture() const;
  double last_gpu_ms() const;  // GPU time of the last render_field (timer query), -1 if none;
                               // the first call after a render waits for the GPU
  // Whether render_field issues that timer query: not on a software rasterizer, where it would
  // time little of the work and cost a command in every 64x64 block of the target.
  bool timer_queries() const;
  bool last_used_ssbo() const;  // the last render_field needed the storage-buffer path
  // Where the records come from. A software rasterizer (llvmpipe) gathers a block member one
  // float at a time for the 8 lanes it shades together (a storage block even lane by lane), but
  // fetches a whole RGBA32F texel at once: on llvmpipe texel fetches took k64 from 1.1-1.2x the
  // naive uniform-block shader to 0.7x. On a GPU a uniform block is what a loop with a uniform
  // index reads best. Both give the same field bit for bit.
  void set_fetch(Fetch mode);
  bool last_used_texels() const;  // the last render_field read the records as texels
  // The last render_field took the extended-precision path (strongly sheared kernels); else the
  // plain float32 one (docs/semantics.md, "GPU float32 paths").
  bool last_used_extended() const;
  // Pixels the last render_field's rim pass redid (cut-off scenes: where some kernel's rim passes
  // within 2e-5 of k^2 of the pixel centre, src/gl/rim_pixels.hpp).
  std::size_t last_rim_pixels() const;
  int ubo_capacity() const;           // kernels that fit the uniform buffer
  std::string renderer_name() const;  // GL_RENDERER string

  // Big jobs are drawn in horizontal strips so that no single draw runs for seconds (a viewer
  // stays responsive, a software rasterizer gets flushed). rows > 0 forces that many rows per
  // strip; 0 (default) picks them from the size, kernel count and sampling.
  void set_strip_rows(int rows);
  int last_strip_count() const;  // draws the last render_field used

  // Tiled binning (cut-off scenes only; without a cutoff every kernel reaches every pixel). Each
  // tile of pixels (4x4 on a software rasterizer, 8x8 on a GPU) loops over the kernels whose cutoff
  // ellipse may reach it, and only tiles with a kernel are drawn (the rest is cleared to 0), so the
  // cost follows the area the kernels cover; the field is bit-identical to the untiled loop. Auto
  // tiles where a measured cost model says it is cheaper. Either mode falls back to the untiled
  // loop when the lists would exceed 16M entries (64 MiB; e.g. huge kernels with a cutoff, where
  // every tile holds every kernel). Kernel records stay in the uniform buffer up to its capacity,
  // tiled or not; the tile lists are storage buffers.
  void set_tiling(Tiling mode);
  bool last_used_tiles() const;  // the last render_field used the tile lists
  // The splat pass: one quad per kernel over its cutoff box, blended into the target in kernel
  // order (sum: +, max: max, prob_or: c (1 - acc) + acc), the float64 rim pass after it. Taken by
  // Auto where its cost (the boxes' area) is below the loop's and the tiles', with texel records,
  // point sampling (max: weights >= 0), and only on a GL whose blend reproduces the loop's field
  // bit for bit (probed once on a fixed scene, each combine rule).
  bool last_used_splat() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::gl
