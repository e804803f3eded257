// mixture_renderer.cpp — MixtureRenderer: scene (or a window of its grid) -> R32F field
// (shaders/mixture.frag) -> RGBA8 (shaders/colormap.frag), readback, GPU timing, strips. Shader
// variants and their cache: field_program.*; GL state: gl_state.*; tiling: tile_binning.*; colour
// thresholds: core/color_thresholds.*.
//
// Conventions and caveats:
// - Texture row 0 is the *top* row of the picture, as in the field (row 0 = y0): readback copies
//   the texture straight into the field or image, no flip and no second buffer; a viewer draws the
//   textures with uv (0, 0) at the top-left.
// - Kernels: up to kUboKernels (204, sized for the 16 KiB uniform-block minimum) in a std140
//   uniform buffer, more in a std430 shader storage buffer (GM_USE_SSBO). Layout: kernel_block.hpp.
//   On a software rasterizer (set_fetch) the same records, and the tile lists, are read as buffer
//   textures instead (GM_TEXELS, texture units 3-5): llvmpipe gathers block members one float at
//   a time but fetches a whole RGBA32F texel at once.
// - Cut-off scenes take one of three field passes, whichever a cost model (tile_binning.hpp) finds
//   cheapest: the untiled loop, the tiles, or the splat (texels only: one blended quad per kernel
//   over its cutoff box, splat.vert; used only where a probe shows that the blend reproduces the
//   loop's fold bit for bit). All three give the same bits.
// - Tiled binning (cutoff scenes, set_tiling): tile_binning.cpp bins the kernels into tiles (4x4 on
// a software rasterizer, else 8x8);
//   offsets, indices and the spans of non-empty tiles go to storage buffers at bindings 1, 2 and
//   5 (the kernels stay where their count puts them), the GM_TILED variant loops over its tile's
//   list, and only the non-empty tiles are drawn (tile_spans.vert) over a cleared target.
// - Cutoff rims: the field pass decides d2 > k^2 in float; rim_pixels.cpp lists the few pixels a
//   rim passes close to, and the rim pass (rim_points.vert, GM_RIM_PASS) redoes those in float64
//   as the reference does. Programs of one scene's passes (tiled twin, rim pass) are linked
//   together, so the set of programs a renderer holds does not depend on which path a scene took
//   (the soak test counts them).
// - mixture.frag is built in variants (FieldVariant, field_program.hpp: storage x tiling x combine
//   x sampling x cutoff x precision, as #defines), linked on first use: a software rasterizer runs
//   both sides of every branch, so scene-wide switches are compile-time. A shader error in a
//   variant surfaces on its first render_field. GM_EXACT_FMA comes from a probe at construction
//   (shaders/fma_probe.frag): llvmpipe's fma() is not fused, so there the exact products of the
//   extended path use Dekker's split instead.
// - The constructor draws once (a 1x1 empty field): llvmpipe's first GL_TIME_ELAPSED result on a
//   context is garbage, and the default program gets compiled by the driver.
// - Big jobs are drawn in horizontal strips (scissor), each flushed, so no single draw runs for
//   seconds on a software rasterizer; set_strip_rows() overrides the automatic choice.
// - Every GL state the passes rely on is set here, and what is touched (framebuffers, viewport,
//   scissor, program, VAO, enables, texture units 0-2, indexed buffer binding 0, pack state) is
//   saved and restored, so the viewer can share the context with ImGui.
// - glad's GL entry points are process-global; all MixtureRenderers share them (one loader).
// - Destroy the renderer while its context is current.
// - GL failures are one-line GlErrors that say what failed and what to do: a shader that does not
//   compile (file name + the driver log's first line), GL_OUT_OF_MEMORY or any GL error after
//   allocating the targets and buffers, an incomplete framebuffer, a context older than 4.5.
//   Test hook: GAUSSMAP_GL_SIMULATE=old-context | shader-error | out-of-memory makes the real
//   checks fire (tests/cli/gl_failures.sh): the version check sees 3.3, mixture.frag gets an
//   #error line, the field/colour texture allocation (past 1x1) reports GL_OUT_OF_MEMORY;
//   inexact-blend makes the splat probe see one differing pixel (tests/gl/test_tiles.cpp).
#include "mixture_renderer.hpp"

#include <glad/gl.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/color_thresholds.hpp"
#include "core/errors.hpp"
#include "core/window.hpp"
#include "field_program.hpp"
#include "gl_objects.hpp"
#include "gl_state.hpp"
#include "kernel_block.hpp"
#include "rim_pixels.hpp"
#include "shader_sources.hpp"
#include "tile_binning.hpp"

namespace gm::gl {

// Mesa's CPU rasterizers (the GL runs on the same cores as everything else).
static bool is_software_renderer(const std::string& name) {
  for (const char* s : {"llvmpipe", "softpipe", "swrast", "SwiftShader"})
    if (name.find(s) != std::string::npos) return true;
  return false;
}

struct MixtureRenderer::Impl {
  FieldPrograms field_programs;
  Program colormap;
  VertexArray vao;
  Buffer ubo, ssbo, tile_offsets, tile_indices, tile_spans, rim, rim_px, kernel_texel_buf;
  std::size_t ssbo_bytes = 0, tile_offsets_bytes = 0, tile_indices_bytes = 0, tile_spans_bytes = 0,
              rim_bytes = 0, rim_px_bytes = 0, kernel_texel_bytes = 0;
  // Buffer textures over kernel_texel_buf, tile_offsets and tile_indices (FieldVariant::texels).
  Texture kernel_texels, tile_offs_texels, tile_idx_texels;
  GLuint kernel_texels_buf = 0, tile_offs_texels_buf = 0, tile_idx_texels_buf = 0;  // attached
  Fetch fetch = Fetch::Auto;
  bool software = false;  // a CPU rasterizer (is_software_renderer)
  GLint max_texels = 0;   // GL_MAX_TEXTURE_BUFFER_SIZE
  std::size_t last_rim_pixels = 0;
  Tiling tiling = Tiling::Auto;
  bool used_tiles = false, used_splat = false;
  int splat_exact = -1;  // the blend folds as combine_fold does, bit for bit (-1: not probed yet)
  FieldVariant variant;  // of the last render_field
  int tile_size = 8;     // tile side in pixels (constructor)
  Texture field_tex, color_tex, table_tex, threshold_tex;
  Framebuffer field_fbo, color_fbo;
  int field_w = 0, field_h = 0, color_w = 0, color_h = 0;
  int table_colormap = -1;
  bool exact_fma = false;  // the driver's fma() rounds once (probe_fma)
  Query timer;
  bool timer_pending = false;
  double gpu_ms = -1;
  bool used_ssbo = false;
  int strip_rows = 0;  // 0 = automatic
  int last_strips = 0;
  GLint max_texture = 0, max_renderbuffer = 0, max_fb_w = 0, max_fb_h = 0, max_viewport[2] = {0, 0};
  GLint64 max_ssbo_bytes = 0;
  std::string renderer;
  std::string simulate;  // GAUSSMAP_GL_SIMULATE (test hook)

  void ensure_target(Texture& tex, Framebuffer& fbo, int& cur_w, int& cur_h, int w, int h,
                     GLenum format, const char* what);
  void check_size(int w, int h) const;
  int rows_per_strip(const Scene& scene, const Window& win, double kernels) const;
  void upload_storage(Buffer& buf, std::size_t& cap, const void* data, std::size_t bytes,
                      GLint binding, const char* what);
  void attach_texels(Texture& tex, GLuint& attached, const Buffer& buf, GLenum format, GLuint unit);
  bool probe_splat(MixtureRenderer& r);
};

// Copies `bytes` into a storage buffer bound at `binding` (< 0: not bound as a storage buffer),
// growing it geometrically (a new buffer object: immutable storage cannot be resized). Out of GPU
// memory -> GlError.
void MixtureRenderer::Impl::upload_storage(Buffer& buf, std::size_t& cap, const void* data,
                                           std::size_t bytes, GLint binding, const char* what) {
  if (GLint64(bytes) > max_ssbo_bytes)
    throw GlError(
        std::string(what) + " need " + std::to_string(bytes) +
        " bytes, over GL_MAX_SHADER_STORAGE_BLOCK_SIZE = " + std::to_string(max_ssbo_bytes) +
        " of this GL; use fewer kernels or --backend cpu");
  if (bytes > cap || !buf) {
    std::size_t want = std::max({bytes, cap * 2, std::size_t(256)});
    if (GLint64(want) > max_ssbo_bytes) want = bytes;
    buf = make_buffer();
    cap = 0;
    glNamedBufferStorage(buf.id(), GLsizeiptr(want), nullptr, GL_DYNAMIC_STORAGE_BIT);
    GLenum err = glGetError();
    if (err != GL_NO_ERROR)
      throw GlError(std::string("cannot allocate ") + std::to_string(want) +
                    " bytes of GPU memory for " + what + " (" + gl_error_name(err) +
                    "); use fewer kernels, a smaller --size, or --backend cpu");
    cap = want;
  }
  if (bytes > 0) glNamedBufferSubData(buf.id(), 0, GLsizeiptr(bytes), data);
  if (binding >= 0) glBindBufferBase(GL_SHADER_STORAGE_BUFFER, GLuint(binding), buf.id());
}

// Makes `tex` a buffer texture of `format` over `buf` and binds it to texture unit `unit`.
// `attached`: the buffer it was last attached to (upload_storage replaces the buffer object when
// it grows; re-attaching an unchanged one would make the driver rebuild its view every render).
void MixtureRenderer::Impl::attach_texels(Texture& tex, GLuint& attached, const Buffer& buf,
                                          GLenum format, GLuint unit) {
  if (!tex) tex = make_texture(GL_TEXTURE_BUFFER), attached = 0;
  if (attached != buf.id()) glTextureBuffer(tex.id(), format, buf.id());
  attached = buf.id();
  glBindTextureUnit(unit, tex.id());
}

void MixtureRenderer::Impl::check_size(int w, int h) const {
  if (w < 1 || h < 1)
    throw InputError("render size must be at least 1x1, got " + std::to_string(w) + "x" +
                     std::to_string(h));
  // Over a limit of this GL is bad input for this machine (exit 2), said before any allocation.
  auto over = [&](const char* limit, GLint value) {
    throw InputError("render size " + std::to_string(w) + "x" + std::to_string(h) + " exceeds " +
                     limit + " = " + std::to_string(value) + " of this GL (" + renderer +
                     "); use --backend cpu");
  };
  if (w > max_texture || h > max_texture) over("GL_MAX_TEXTURE_SIZE", max_texture);
  if (w > max_renderbuffer || h > max_renderbuffer)
    over("GL_MAX_RENDERBUFFER_SIZE", max_renderbuffer);
  if (w > max_fb_w) over("GL_MAX_FRAMEBUFFER_WIDTH", max_fb_w);
  if (h > max_fb_h) over("GL_MAX_FRAMEBUFFER_HEIGHT", max_fb_h);
  if (w > max_viewport[0] || h > max_viewport[1])
    over("GL_MAX_VIEWPORT_DIMS", std::min(max_viewport[0], max_viewport[1]));
}

void MixtureRenderer::Impl::ensure_target(Texture& tex, Framebuffer& fbo, int& cur_w, int& cur_h,
                                          int w, int h, GLenum format, const char* what) {
  if (tex && cur_w == w && cur_h == h) return;
  fbo.reset();
  tex.reset();
  cur_w = cur_h = 0;
  clear_gl_errors();
  Texture t = make_texture(GL_TEXTURE_2D);
  glTextureStorage2D(t.id(), 1, format, w, h);
  glTextureParameteri(t.id(), GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTextureParameteri(t.id(), GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTextureParameteri(t.id(), GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTextureParameteri(t.id(), GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  GLenum err = glGetError();
  if (simulate == "out-of-memory" && std::int64_t(w) * h > 1) err = GL_OUT_OF_MEMORY;
  if (err != GL_NO_ERROR)
    throw GlError(std::string("out of GPU memory? cannot allocate the ") + what + " texture " +
                  std::to_string(w) + "x" + std::to_string(h) + " (" + gl_error_name(err) +
                  "); reduce --size or use --backend cpu");
  Framebuffer f = make_framebuffer();
  glNamedFramebufferTexture(f.id(), GL_COLOR_ATTACHMENT0, t.id(), 0);
  glNamedFramebufferDrawBuffer(f.id(), GL_COLOR_ATTACHMENT0);
  glNamedFramebufferReadBuffer(f.id(), GL_COLOR_ATTACHMENT0);
  GLenum status = glCheckNamedFramebufferStatus(f.id(), GL_DRAW_FRAMEBUFFER);
  if (status != GL_FRAMEBUFFER_COMPLETE)
    throw GlError(std::string("the ") + what + " framebuffer is incomplete (status 0x" + [&] {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04x", status);
      return std::string(buf);
    }() + "); " + kDriverHint);
  tex = std::move(t);
  fbo = std::move(f);
  cur_w = w, cur_h = h;
}

// Rows per draw so that one draw evaluates about kBudget kernel-pixels (weighted by the cost of
// the sampling mode); 0 kernels or small jobs -> one draw.
// `kernels`: per pixel (the mean tile-list length when tiled).
int MixtureRenderer::Impl::rows_per_strip(const Scene& scene, const Window& win,
                                          double kernels) const {
  if (strip_rows > 0) return strip_rows;
  constexpr double kBudget = 32.0 * 1024 * 1024;
  double cost = 1.0;                                  // point sampling, one kernel
  if (scene.sampling == Sampling::Area) cost = 40.0;  // rotated kernels: quadrature (~30-100x)
  double per_row = double(win.cols) * std::max(kernels, 1.0) * cost;
  double rows = std::floor(kBudget / per_row);
  if (rows >= tile_size) rows = std::floor(rows / tile_size) * tile_size;  // whole tile rows
  return int(std::clamp(rows, 1.0, double(win.rows)));
}

// Whether the splat pass gives the loop's field bit for bit on this GL: GL does not pin down the
// blend unit's arithmetic (precision, a fused multiply-add in prob_or's c (1 - dst) + dst), so a
// fixed scene of overlapping cut-off kernels is drawn both ways, for each combine rule (max's
// GL_MAX blend is exact, but costs one more pair of small renders), and the fields compared; the
// splat is used only where they agree. Runs once, on the first scene that could take the splat.
bool MixtureRenderer::Impl::probe_splat(MixtureRenderer& r) {
  Scene probe;
  probe.width = 29, probe.height = 23;
  probe.normalization = Normalization::Peak;
  probe.cutoff_sigma = 3.0;
  for (int i = 0; i < 9; ++i) {
    Kernel k;
    k.cx = 3.1 + 2.7 * i, k.cy = 2.3 + 2.2 * i * (i % 3 == 0 ? 1.0 : 0.7);
    k.sx = 2.0 + 0.37 * i, k.sy = 3.3 - 0.21 * i;
    k.weight = 0.35 + 0.07 * i;
    probe.kernels.push_back(k);
  }
  const Tiling saved = tiling;
  splat_exact = 1;  // lets the probe's own splat render through
  bool same = true;
  for (Combine c : {Combine::Sum, Combine::Max, Combine::ProbOr}) {
    probe.combine = c;
    tiling = Tiling::Off;
    r.render_field(probe);
    const Field loop = r.read_field();
    tiling = Tiling::Splat;
    r.render_field(probe);
    Field splat = r.read_field();
    if (simulate == "inexact-blend")  // test hook: a blend that rounds differently somewhere
      splat.data[splat.data.size() / 2] = std::nextafter(splat.data[splat.data.size() / 2], 1.0f);
    same = same && used_splat &&
           std::memcmp(loop.data.data(), splat.data.data(), loop.data.size() * sizeof(float)) == 0;
  }
  tiling = saved;
  splat_exact = same ? 1 : 0;
  return same;
}

MixtureRenderer::MixtureRenderer(LoadProc load) : impl_(std::make_unique<Impl>()) {
  if (load == nullptr) throw GlError("no GL: no function loader given");
  struct Loader {
    LoadProc load;
  } loader{load};
  int version = gladLoadGLUserPtr(
      [](void* user, const char* name) -> GLADapiproc {
        return reinterpret_cast<GLADapiproc>(static_cast<Loader*>(user)->load(name));
      },
      &loader);
  if (version == 0)
    throw GlError("no GL: cannot load GL entry points (no current context, or not an OpenGL one)");
  impl_->simulate = simulated_failure();
  int major = GLAD_VERSION_MAJOR(version), minor = GLAD_VERSION_MINOR(version);
  if (impl_->simulate == "old-context") major = 3, minor = 3;
  if (major < 4 || (major == 4 && minor < 5)) {
    const char* v = reinterpret_cast<const char*>(glGetString(GL_VERSION));
    std::string has = impl_->simulate == "old-context" ? std::string("3.3 (simulated)")
                                                       : std::string(v ? v : "an unknown version");
    throw GlError("GL context too old: GL 4.5 core needed, this context has " + has + " (" +
                  kDriverHint + ")");
  }
  Impl& m = *impl_;
  const char* rend = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  m.renderer = rend ? rend : "unknown renderer";
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &m.max_texture);
  glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &m.max_renderbuffer);
  glGetIntegerv(GL_MAX_FRAMEBUFFER_WIDTH, &m.max_fb_w);
  glGetIntegerv(GL_MAX_FRAMEBUFFER_HEIGHT, &m.max_fb_h);
  glGetIntegerv(GL_MAX_VIEWPORT_DIMS, m.max_viewport);
  glGetInteger64v(GL_MAX_SHADER_STORAGE_BLOCK_SIZE, &m.max_ssbo_bytes);
  glGetIntegerv(GL_MAX_TEXTURE_BUFFER_SIZE, &m.max_texels);
  GLint max_ubo = 0;
  glGetIntegerv(GL_MAX_UNIFORM_BLOCK_SIZE, &max_ubo);
  if (max_ubo < GLint(kUboBytes))
    throw GlError("GL_MAX_UNIFORM_BLOCK_SIZE is " + std::to_string(max_ubo) +
                  ", below GL's minimum " + std::to_string(kUboBytes));

  m.vao = make_vertex_array();
  m.exact_fma = probe_fma(m.vao);
  // Tiles of 4x4 on a software rasterizer (fewest kernel visits: 10,000 kernels of sigma 3 cut at
  // 3, 1024x1024, took 103 / 130 / 149 / 340 ms with tiles of 4 / 8 / 16 / 32), 8x8 on a GPU, so
  // that a 32-lane warp (8x4 pixels) stays inside one tile and one kernel list.
  m.software = is_software_renderer(m.renderer);
  m.tile_size = m.software ? 4 : 8;
  m.field_programs.configure(m.exact_fma, m.tile_size,
                             m.simulate == "shader-error"
                                 ? "#error simulated failure (GAUSSMAP_GL_SIMULATE=shader-error)\n"
                                 : "");
  // The default variant now (shader errors surface at construction); the others on first use.
  (void)m.field_programs.get(FieldVariant{});
  m.colormap = link_program(shader_src::fullscreen_vert, shader_src::colormap_frag, "");
  m.ubo = make_buffer();
  glNamedBufferStorage(m.ubo.id(), GLsizeiptr(kUboBytes), nullptr, GL_DYNAMIC_STORAGE_BIT);
  m.ssbo = make_buffer();
  m.timer = make_query(GL_TIME_ELAPSED);
  m.table_tex = make_texture(GL_TEXTURE_2D);
  glTextureStorage2D(m.table_tex.id(), 1, GL_RGBA8, 256, 1);
  m.threshold_tex = make_texture(GL_TEXTURE_2D);
  glTextureStorage2D(m.threshold_tex.id(), 1, GL_R32F, 256, 1);
  for (GLuint t : {m.table_tex.id(), m.threshold_tex.id()}) {
    glTextureParameteri(t, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTextureParameteri(t, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTextureParameteri(t, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTextureParameteri(t, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  }
  check_gl("creating the renderer's GL objects");
  // Warm-up: one tiny timed draw. A context's first GL_TIME_ELAPSED result can be garbage (Mesa's
  // llvmpipe gave its clock since boot); this also compiles the program on the driver side.
  Scene warm;
  warm.width = warm.height = 1;
  render_field(warm);
  (void)last_gpu_ms();
  m.gpu_ms = -1;
  m.field_fbo.reset();  // no field until the caller renders one
  m.field_tex.reset();
  m.field_w = m.field_h = 0;
}

MixtureRenderer::~MixtureRenderer() = default;
MixtureRenderer::MixtureRenderer(MixtureRenderer&&) noexcept = default;
MixtureRenderer& MixtureRenderer::operator=(MixtureRenderer&&) noexcept = default;

void MixtureRenderer::render_field(const Scene& scene, const std::optional<Window>& window) {
  Impl& m = *impl_;
  const Window win = checked_window(scene, window);  // the whole grid without one
  m.check_size(win.cols, win.rows);
  float cut_hi = 0, cut_lo = 0;
  const bool cutoff = pack_cutoff(scene, cut_hi, cut_lo);
  std::vector<double> rim;  // the exact cutoff test's float64 values, in record order
  std::vector<KernelGpu> kernels = pack_kernels(scene, cutoff ? &rim : nullptr);
  const int count = int(kernels.size());
  int count_axis = count;
  if (scene.sampling == Sampling::Area) {  // axis-aligned first: see mixture.frag's main()
    std::vector<std::size_t> order(kernels.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto mid = std::stable_partition(order.begin(), order.end(),
                                     [&](std::size_t i) { return kernels[i].rho == 0.0f; });
    count_axis = int(mid - order.begin());
    std::vector<KernelGpu> sorted;
    std::vector<double> sorted_rim;
    sorted.reserve(kernels.size());
    sorted_rim.reserve(rim.size());
    for (std::size_t i : order) {
      sorted.push_back(kernels[i]);
      if (cutoff) sorted_rim.insert(sorted_rim.end(), rim.begin() + 8 * i, rim.begin() + 8 * i + 8);
    }
    kernels = std::move(sorted);
    rim = std::move(sorted_rim);
  }
  const std::size_t bytes = kernels.size() * sizeof(KernelGpu);
  // Texel fetches (see set_fetch) where the records fit the GL's buffer-texture limit.
  const auto fits_texels = [&](std::size_t texels) { return texels <= std::size_t(m.max_texels); };
  bool texels = (m.fetch == Fetch::Texels || (m.fetch == Fetch::Auto && m.software)) &&
                fits_texels(5 * kernels.size());

  // Which field pass (cut-off scenes; costs: tile_binning.hpp). The splat first (texel records,
  // point sampling, max only with weights >= 0): its cost follows the kernels' box areas and needs
  // no binning, so where it beats the loop and a lower bound of the tiles (every box pixel a
  // tiled visit, plus the per-tile binning) the tiles are never built.
  PixelFrame frame = pixel_frame(scene);
  const double pixels = double(win.cols) * double(win.rows);
  double per_pixel = double(count);  // kernels each pixel loops over (strip sizing)
  std::vector<std::int32_t> splats;  // per quad: box (x0, x1, y0, y1), kernel index, 0, 0, 0
  double splat_cost = -1;            // < 0: the scene cannot take the splat
  m.used_splat = m.used_tiles = false;
  FieldVariant eligible;
  eligible.cutoff = cutoff, eligible.combine = scene.combine, eligible.sampling = scene.sampling;
  const auto no_negative = [&] {
    return std::all_of(kernels.begin(), kernels.end(),
                       [](const KernelGpu& k) { return k.amp >= 0.0f && !std::signbit(k.amp); });
  };
  bool want_splat = false;
  const bool splat_ok = texels && count > 0 && eligible.splat_allowed() &&
                        (scene.combine != Combine::Max || no_negative()) &&
                        (m.tiling == Tiling::Splat || m.tiling == Tiling::Auto);
  if (splat_ok && m.splat_exact == -1) {
    // Once per renderer, before this render chooses its pass: the probe renders its own scenes.
    m.probe_splat(*this);
    m.used_splat = m.used_tiles = false;
  }
  if (splat_ok && m.splat_exact == 1) {
    double area = 0;
    splats.reserve(8 * kernels.size());
    for (int i = 0; i < count; ++i) {
      const PixelBox b = kernel_pixel_box(kernels[std::size_t(i)], *scene.cutoff_sigma, frame,
                                          win.cols, win.rows, win.row0, win.col0);
      if (b.empty()) continue;
      area += double(b.area());
      splats.insert(splats.end(), {b.c0, b.c1 + 1, b.r0, b.r1 + 1, i, 0, 0, 0});
    }
    splat_cost = area * kSplatFragment + double(splats.size() / 8) * kSplatInstance;
    const double tiles =
        std::ceil(win.cols / double(m.tile_size)) * std::ceil(win.rows / double(m.tile_size));
    want_splat =
        m.tiling == Tiling::Splat || (splat_cost < pixels * (kTexelFragment + double(count)) &&
                                      splat_cost < area * kTexelTiled + tiles * kTileGrid);
  }
  // Tiled binning: only with a cutoff; Auto where the cost model says so (tiled_is_cheaper). Over
  // the entry cap: untiled.
  TileLists lists;
  if (cutoff && count > 0 && !want_splat && (m.tiling == Tiling::Auto || m.tiling == Tiling::On)) {
    const std::uint64_t cap = std::min<std::uint64_t>(
        kMaxTileEntries, std::uint64_t(std::max<GLint64>(m.max_ssbo_bytes, 0) / 4));
    if (bin_kernels(kernels, count_axis, *scene.cutoff_sigma, frame, win.cols, win.rows,
                    m.tile_size, cap, lists, win.row0, win.col0)) {
      const int nonempty = lists.nonempty();
      const double covered = double(nonempty) / double(lists.tiles());
      const double mean = double(lists.entries()) / double(std::max(nonempty, 1));
      m.used_tiles = m.tiling == Tiling::On || tiled_is_cheaper(count, covered, mean, texels);
      if (m.used_tiles) per_pixel = mean;
      if (m.used_tiles && !(fits_texels(lists.offsets.size()) && fits_texels(lists.entries())))
        texels = false;
    }
    if (splat_cost >= 0 && m.tiling == Tiling::Auto && texels) {
      const double best = m.used_tiles ? double(lists.nonempty()) * lists.tile * lists.tile *
                                             (kTexelTiledFragment + per_pixel * kTexelTiled)
                                       : pixels * (kTexelFragment + double(count));
      want_splat = splat_cost < best;
    }
  }
  if (want_splat) {
    if (m.splat_exact == -1) m.probe_splat(*this);  // renders: this render's choice is redone
    m.used_splat = m.splat_exact == 1;
    if (m.used_splat) m.used_tiles = false, per_pixel = double(count);
  }

  StateGuard guard;
  clear_gl_errors();
  m.used_ssbo = !texels && count > kUboKernels;
  if (texels) {
    m.upload_storage(m.kernel_texel_buf, m.kernel_texel_bytes, kernels.data(), bytes, -1,
                     (std::to_string(count) + " kernels").c_str());
    m.attach_texels(m.kernel_texels, m.kernel_texels_buf, m.kernel_texel_buf, GL_RGBA32F, 3);
  } else if (!m.used_ssbo) {
    if (bytes > 0) glNamedBufferSubData(m.ubo.id(), 0, GLsizeiptr(bytes), kernels.data());
    glBindBufferBase(GL_UNIFORM_BUFFER, 0, m.ubo.id());
  } else {
    m.upload_storage(m.ssbo, m.ssbo_bytes, kernels.data(), bytes, 0,
                     (std::to_string(count) + " kernels").c_str());
  }
  std::vector<std::int32_t> spans;  // tiled: the rectangles to draw (tile_spans.vert)
  if (m.used_splat)
    m.upload_storage(m.tile_spans, m.tile_spans_bytes, splats.data(),
                     splats.size() * sizeof(std::int32_t), 5, "the splat boxes");
  if (m.used_tiles) {
    spans = nonempty_rects(lists);
    m.upload_storage(m.tile_spans, m.tile_spans_bytes, spans.data(),
                     spans.size() * sizeof(std::int32_t), 5, "the tile spans");
  }
  if (m.used_tiles) {
    m.upload_storage(m.tile_offsets, m.tile_offsets_bytes, lists.offsets.data(),
                     lists.offsets.size() * sizeof(std::uint32_t), texels ? -1 : 1,
                     "the tile offsets");
    m.upload_storage(m.tile_indices, m.tile_indices_bytes, lists.indices.data(),
                     lists.indices.size() * sizeof(std::uint32_t), texels ? -1 : 2,
                     "the tile lists");
    if (texels) {
      m.attach_texels(m.tile_offs_texels, m.tile_offs_texels_buf, m.tile_offsets, GL_R32UI, 4);
      m.attach_texels(m.tile_idx_texels, m.tile_idx_texels_buf, m.tile_indices, GL_R32UI, 5);
    }
  }
  if (cutoff && count > 0)
    m.upload_storage(m.rim, m.rim_bytes, rim.data(), rim.size() * sizeof(double), 3,
                     "the cutoff test's float64 kernel values");
  check_gl("uploading the kernels");
  m.ensure_target(m.field_tex, m.field_fbo, m.field_w, m.field_h, win.cols, win.rows, GL_R32F,
                  "field");

  m.variant = FieldVariant{m.used_ssbo,    m.used_tiles, scene.combine,
                           scene.sampling, cutoff,       needs_extended(kernels)};
  m.variant.all_axis = !m.variant.extended && all_axis_aligned(kernels);
  m.variant.texels = texels;
  m.variant.splat = m.used_splat;
  // The uniforms of the field pass and of its rim pass (rim_pass: + the grid and target size).
  auto set_uniforms = [&](GLuint p, bool rim_pass) {
    glProgramUniform1i(p, 0, count);
    glProgramUniform2i(p, 3, win.col0, win.row0);
    if (scene.sampling == Sampling::Area) glProgramUniform1i(p, 2, count_axis);
    glProgramUniform2f(p, 4, frame.mul_x, frame.mul_y);
    if (scene.sampling == Sampling::Area)
      glProgramUniform2f(p, 5, frame.cell_scale_x, frame.cell_scale_y);
    if (cutoff) glProgramUniform2f(p, 6, cut_hi, cut_lo);
    if (m.used_tiles) glProgramUniform1i(p, 7, lists.tiles_x);
    if (rim_pass) {
      const Grid grid = Grid::of(scene);
      glProgramUniform4d(p, 8, grid.x0, grid.dx, grid.y0, grid.dy);
    }
    if (rim_pass || m.used_tiles || m.used_splat)
      glProgramUniform2f(p, 9, float(win.cols), float(win.rows));
    if (m.used_tiles && !rim_pass) glProgramUniform1i(p, 10, lists.tile);
  };
  const GLuint p = m.field_programs.get(m.variant).id();
  set_uniforms(p, false);

  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, m.field_fbo.id());
  StateGuard::set_pass_state();
  glViewport(0, 0, win.cols, win.rows);
  glUseProgram(p);
  glBindVertexArray(m.vao.id());

  const int rows = m.used_splat ? win.rows : m.rows_per_strip(scene, win, per_pixel);
  const bool strips = rows < win.rows;
  if (strips) glEnable(GL_SCISSOR_TEST);
  // A timer query only where it measures the work: llvmpipe returns from the draw before
  // rasterizing (its GL_TIME_ELAPSED covers little of it) and bins the query's commands into every
  // 64x64 block of the target (~4 ms at 4096x4096).
  const bool timed = !m.software;
  if (timed) glBeginQuery(GL_TIME_ELAPSED, m.timer.id());
  m.last_strips = 0;
  // No kernel: every combine rule gives 0, a clear. Tiled: the tiles no kernel reaches keep it.
  if (m.used_tiles || m.used_splat || count == 0) {
    const float zero[4] = {0, 0, 0, 0};
    glClearNamedFramebufferfv(m.field_fbo.id(), GL_COLOR, 0, zero);
  }
  for (int y = 0; y < win.rows && count > 0; y += rows) {
    if (strips) {
      glScissor(0, y, win.cols, std::min(rows, win.rows - y));
      if (m.last_strips > 0) glFlush();
    }
    if (m.used_splat) {
      // Instance order = kernel order: GL blends a draw's fragments in primitive order.
      glEnable(GL_BLEND);
      glBlendEquation(scene.combine == Combine::Max ? GL_MAX : GL_FUNC_ADD);
      if (scene.combine == Combine::ProbOr)
        glBlendFunc(GL_ONE_MINUS_DST_COLOR, GL_ONE);  // c (1 - acc) + acc
      else
        glBlendFunc(GL_ONE, GL_ONE);  // v + acc (max: the factors are ignored)
      glDrawArraysInstanced(GL_TRIANGLES, 0, 6, GLsizei(splats.size() / 8));
      glDisable(GL_BLEND);
    } else if (m.used_tiles)
      glDrawArrays(GL_TRIANGLES, 0, GLsizei(spans.size() / 4 * 6));
    else
      glDrawArrays(GL_TRIANGLES, 0, 3);
    ++m.last_strips;
  }
  // The rim pass: float64 cutoff decisions at the few pixels a rim passes close to.
  m.last_rim_pixels = 0;
  if (cutoff && count > 0) {
    std::vector<Gaussian> gs;
    for (const Kernel& k : scene.kernels)
      if (k.visible) gs.push_back(resolve(k, scene.normalization, scene.cutoff_sigma));
    std::vector<std::int32_t> px;
    const std::size_t all = std::size_t(win.cols) * std::size_t(win.rows);
    if (!rim_pixels(gs, Grid::of(scene), *scene.cutoff_sigma, win, all, px))
      throw GlError("rim pixel list over its bound (internal error)");
    m.last_rim_pixels = px.size() / 2;
    if (!px.empty()) {
      // Per pixel: col, row and, after the splat, the range of its own kernel list: the kernels
      // whose box holds it, ascending (the others are cut off there, as a tile's list says).
      const std::size_t np = px.size() / 2;
      std::vector<std::uint32_t> start(np + 1, 0), rim_idx;
      if (m.used_splat) {
        // The boxes in kernel order, each over the rim pixels of its rows (pixels bucketed by
        // window row): a pixel's list comes out ascending, at boxes x box rows, not x pixels.
        std::vector<std::uint32_t> row_start(std::size_t(win.rows) + 1, 0), by_row(np);
        for (std::size_t k = 0; k < np; ++k) ++row_start[std::size_t(px[2 * k + 1] - win.row0) + 1];
        for (std::size_t r = 0; r < std::size_t(win.rows); ++r) row_start[r + 1] += row_start[r];
        std::vector<std::uint32_t> next(row_start.begin(), row_start.end() - 1);
        for (std::size_t k = 0; k < np; ++k)
          by_row[next[std::size_t(px[2 * k + 1] - win.row0)]++] = std::uint32_t(k);
        auto each_hit = [&](auto&& f) {
          for (std::size_t q = 0; q < splats.size(); q += 8)
            for (int r = splats[q + 2]; r < splats[q + 3]; ++r)
              for (std::uint32_t i = row_start[std::size_t(r)]; i < row_start[std::size_t(r) + 1];
                   ++i) {
                const std::uint32_t k = by_row[i];
                const int c = px[2 * k] - win.col0;
                if (c >= splats[q] && c < splats[q + 1]) f(k, std::uint32_t(splats[q + 4]));
              }
        };
        each_hit([&](std::uint32_t k, std::uint32_t) { ++start[k + 1]; });
        for (std::size_t k = 0; k < np; ++k) start[k + 1] += start[k];
        rim_idx.resize(start[np]);
        std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
        each_hit([&](std::uint32_t k, std::uint32_t kernel) { rim_idx[fill[k]++] = kernel; });
      }
      // Per pixel: col, row and the range of its list in rim_idx (empty without the splat).
      std::vector<std::int32_t> rim_px;
      rim_px.reserve(4 * np);
      for (std::size_t k = 0; k < np; ++k)
        rim_px.insert(rim_px.end(), {px[2 * k], px[2 * k + 1], std::int32_t(start[k]),
                                     std::int32_t(start[k + 1])});
      m.upload_storage(m.rim_px, m.rim_px_bytes, rim_px.data(),
                       rim_px.size() * sizeof(std::int32_t), 4, "the rim pixels");
      if (m.used_splat) {
        m.upload_storage(m.tile_indices, m.tile_indices_bytes, rim_idx.data(),
                         rim_idx.size() * sizeof(std::uint32_t), -1, "the rim pixels' lists");
        m.attach_texels(m.tile_idx_texels, m.tile_idx_texels_buf, m.tile_indices, GL_R32UI, 5);
      }
      FieldVariant rv = m.variant;
      rv.rim_pass = true;
      rv.splat = false;
      rv.rim_lists = m.used_splat;  // the splat's rim pixels loop over their own lists
      const GLuint rp = m.field_programs.get(rv).id();
      set_uniforms(rp, true);
      glDisable(GL_SCISSOR_TEST);
      glUseProgram(rp);
      glDrawArrays(GL_POINTS, 0, GLsizei(px.size() / 2));
    }
  }
  if (timed) glEndQuery(GL_TIME_ELAPSED);
  m.timer_pending = timed;
  m.gpu_ms = -1;
  check_gl("drawing the field");
}

void MixtureRenderer::upload_field(const Field& field) {
  Impl& m = *impl_;
  m.check_size(field.width, field.height);
  StateGuard guard;
  clear_gl_errors();
  m.ensure_target(m.field_tex, m.field_fbo, m.field_w, m.field_h, field.width, field.height,
                  GL_R32F, "field");
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
  glTextureSubImage2D(m.field_tex.id(), 0, 0, 0, field.width, field.height, GL_RED, GL_FLOAT,
                      field.data.data());  // top row first, as the texture is stored
  m.timer_pending = false;
  m.gpu_ms = -1;
  check_gl("uploading a field");
}

void MixtureRenderer::render_colormap(const View& view, ValueRange range) {
  Impl& m = *impl_;
  if (!m.field_tex) throw GlError("render_colormap called before render_field");
  StateGuard guard;
  clear_gl_errors();
  if (m.table_colormap != int(view.colormap)) {
    const ColormapTable& table = colormap_table(view.colormap);
    std::array<std::uint8_t, 256 * 4> rgba{};
    for (std::size_t i = 0; i < 256; ++i) {
      rgba[4 * i + 0] = table[i][0], rgba[4 * i + 1] = table[i][1], rgba[4 * i + 2] = table[i][2];
      rgba[4 * i + 3] = 255;
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
    glTextureSubImage2D(m.table_tex.id(), 0, 0, 0, 256, 1, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    m.table_colormap = int(view.colormap);
  }
  Thresholds th = color_thresholds(range, view.scale);
  std::array<float, 256> starts{};
  std::copy(th.start.begin(), th.start.end(), starts.begin());
  starts[255] = std::numeric_limits<float>::infinity();  // unused texel
  glTextureSubImage2D(m.threshold_tex.id(), 0, 0, 0, 256, 1, GL_RED, GL_FLOAT, starts.data());

  m.ensure_target(m.color_tex, m.color_fbo, m.color_w, m.color_h, m.field_w, m.field_h, GL_RGBA8,
                  "colour");
  const GLuint p = m.colormap.id();
  glProgramUniform1f(p, 0, th.sign);
  glProgramUniform1i(p, 1, th.nonfinite_index);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, m.color_fbo.id());
  StateGuard::set_pass_state();
  glViewport(0, 0, m.field_w, m.field_h);
  glUseProgram(p);
  glBindVertexArray(m.vao.id());
  glBindTextureUnit(0, m.field_tex.id());
  glBindTextureUnit(1, m.threshold_tex.id());
  glBindTextureUnit(2, m.table_tex.id());
  glDrawArrays(GL_TRIANGLES, 0, 3);
  check_gl("drawing the colormap");
}

namespace {
// The one readback path: a whole texture, stored top row first (mixture.frag), straight into `out`.
void read_texture(GLuint tex, GLenum format, GLenum type, std::size_t bytes, void* out) {
  GLint pack_alignment = 4, pack_buffer = 0;
  glGetIntegerv(GL_PACK_ALIGNMENT, &pack_alignment);
  glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &pack_buffer);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  clear_gl_errors();
  glGetTextureImage(tex, 0, format, type, GLsizei(bytes), out);
  GLenum err = glGetError();
  glPixelStorei(GL_PACK_ALIGNMENT, pack_alignment);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, GLuint(pack_buffer));
  if (err != GL_NO_ERROR)
    throw GlError(std::string("reading back a texture failed: ") + gl_error_name(err));
}
}  // namespace

Field MixtureRenderer::read_field() const {
  const Impl& m = *impl_;
  if (!m.field_tex) throw GlError("read_field called before render_field");
  Field f;
  f.width = m.field_w, f.height = m.field_h;
  f.data.resize(std::size_t(m.field_w) * std::size_t(m.field_h));
  read_texture(m.field_tex.id(), GL_RED, GL_FLOAT, f.data.size() * sizeof(float), f.data.data());
  return f;
}

Image MixtureRenderer::read_image() const {
  const Impl& m = *impl_;
  if (!m.color_tex) throw GlError("read_image called before render_colormap");
  Image img;
  img.width = m.color_w, img.height = m.color_h;
  img.rgba.resize(std::size_t(m.color_w) * std::size_t(m.color_h) * 4);
  read_texture(m.color_tex.id(), GL_RGBA, GL_UNSIGNED_BYTE, img.rgba.size(), img.rgba.data());
  return img;
}

unsigned MixtureRenderer::field_texture() const {
  return impl_->field_tex.id();
}
unsigned MixtureRenderer::color_texture() const {
  return impl_->color_tex.id();
}

double MixtureRenderer::last_gpu_ms() const {
  Impl& m = *impl_;
  if (m.timer_pending) {
    GLuint64 ns = 0;
    glGetQueryObjectui64v(m.timer.id(), GL_QUERY_RESULT, &ns);  // waits for the GPU
    m.gpu_ms = double(ns) * 1e-6;
    m.timer_pending = false;
  }
  return m.gpu_ms;
}

std::size_t MixtureRenderer::last_rim_pixels() const {
  return impl_->last_rim_pixels;
}
bool MixtureRenderer::last_used_extended() const {
  return impl_->variant.extended;
}
bool MixtureRenderer::last_used_ssbo() const {
  return impl_->used_ssbo;
}
bool MixtureRenderer::timer_queries() const {
  return !impl_->software;
}
bool MixtureRenderer::last_used_splat() const {
  return impl_->used_splat;
}
bool MixtureRenderer::last_used_texels() const {
  return impl_->variant.texels;
}
void MixtureRenderer::set_fetch(Fetch mode) {
  impl_->fetch = mode;
}
int MixtureRenderer::ubo_capacity() const {
  return kUboKernels;
}
std::string MixtureRenderer::renderer_name() const {
  return impl_->renderer;
}

void MixtureRenderer::set_tiling(Tiling mode) {
  impl_->tiling = mode;
}
bool MixtureRenderer::last_used_tiles() const {
  return impl_->used_tiles;
}

void MixtureRenderer::set_strip_rows(int rows) {
  impl_->strip_rows = std::max(rows, 0);
}
int MixtureRenderer::last_strip_count() const {
  return impl_->last_strips;
}

}  // namespace gm::gl
