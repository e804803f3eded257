// field_program.hpp — the shader programs of the field pass: FieldVariant (the compile-time
// switches of shaders/mixture.frag, chosen per scene on the CPU), the program cache that links each
// variant on first use, shader compile/link helpers with one-line errors, and the fma probe.
//
// A software rasterizer (llvmpipe) runs both sides of every branch under a mask, so scene-wide
// switches are #defines, not uniforms: a pixel pays only for the path its scene needs.
#pragma once

#include <map>
#include <string>

#include "core/scene.hpp"
#include "gl_objects.hpp"
#include "shader_sources.hpp"

namespace gm::gl {

// "use --backend cpu, or update the GL driver (Mesa)": what every GL failure message ends with.
extern const char* const kDriverHint;

// GAUSSMAP_GL_SIMULATE (mixture_renderer.cpp's test hook); "" when unset.
std::string simulated_failure();

// Compiles one shader file; `defines` go right after its #version line, followed by a #line so the
// driver's line numbers match the file. Throws GlError naming the file and the log's first line.
Shader compile_shader(GLenum type, const ShaderFile& file, const std::string& defines);
Program link_program(const ShaderFile& vert, const ShaderFile& frag, const std::string& defines);

// Which mixture.frag a scene's field takes. Precision (docs/semantics.md, "GPU float32 paths"):
// the plain path forms the whitened offset z2 = w21 u + w22 v in float32, exact enough while the
// shear |rho| / sqrt(1 - rho^2) of every kernel is at most kPlainMaxShear (kernel_block.hpp); past
// it z2 cancels and the extended path forms it from exact products (fma or Dekker's split) and
// float64 remainders. The centre is always split into integer + fraction, so large coordinate
// offsets cost nothing.
struct FieldVariant {
  bool ssbo = false;   // kernels in the storage buffer (past the uniform block, or tiled)
  bool tiled = false;  // loop over the pixel's tile's kernel list (needs cutoff)
  Combine combine = Combine::Sum;
  Sampling sampling = Sampling::Point;
  bool cutoff = false;    // zero beyond k sigma, float64 re-decision near the rim
  bool extended = false;  // z2 from exact products (see above)
  bool all_axis = false;  // every kernel axis-aligned: z2 = w22 v (plain path, one product less)
  bool rim_pass = false;  // the float64 rim decisions at listed pixels (rim_pixels.hpp), as points
  // Kernel records and tile lists read from buffer textures (texelFetch) instead of the blocks;
  // per renderer, not per scene (MixtureRenderer: on a software rasterizer).
  bool texels = false;
  // The splat pass (shaders/splat.vert): one blended quad per kernel over its cutoff box.
  bool splat = false;
  bool rim_lists = false;  // the splat's rim pass: each rim pixel loops over its own kernel list

  static constexpr int kCount = 2 * 2 * 3 * 2 * 2 * 2 * 2 * 2 * 2 * 2 * 2;
  // Whether a scene of this variant may take the splat pass: point sampling and a cutoff (the
  // boxes); area sampling's axis-aligned-first order is left to the loop. Max needs, besides,
  // kernels of weight >= 0 (MixtureRenderer checks): a pixel outside a kernel's box starts from
  // the cleared 0, which the loop's max only includes where some kernel is cut off.
  bool splat_allowed() const { return cutoff && sampling == Sampling::Point; }
  int index() const;  // 0 .. kCount-1
  std::string defines(bool exact_fma, int tile) const;
};

// The linked field programs, each variant linked on first use. A cutoff variant is linked together
// with its rim pass, its tiled twin and its splat twin, so the set of programs a
// renderer holds does not depend on which path a scene took (the soak test counts them).
class FieldPrograms {
 public:
  void configure(bool exact_fma, int tile, std::string extra_defines) {
    exact_fma_ = exact_fma;
    tile_ = tile;
    extra_ = std::move(extra_defines);
  }
  const Program& get(const FieldVariant& v);

 private:
  std::map<int, Program> programs_;
  bool exact_fma_ = false;
  int tile_ = 8;
  std::string extra_;  // appended to every variant's defines (the shader-error test hook)
};

// Whether fma() is fused on this driver: draws fma(a, b, -a*b) into a 1x1 R32F target for an a*b
// that is inexact in float; a fused fma gives its rounding error, an unfused one 0. `vao`: any
// vertex array (the draw takes no attributes).
bool probe_fma(const VertexArray& vao);

}  // namespace gm::gl
