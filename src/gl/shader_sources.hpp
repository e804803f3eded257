// shader_sources.hpp — the GLSL files of shaders/, embedded at build time by embed_shaders.cmake
// (the definitions are generated into the build folder). `name` is the path shown in compile
// errors.
#pragma once

namespace gm::gl {

struct ShaderFile {
  const char* name;  // e.g. "shaders/mixture.frag"
  const char* text;  // the file's full text, #version line first
};

namespace shader_src {
extern const ShaderFile fullscreen_vert;
extern const ShaderFile mixture_frag;
extern const ShaderFile colormap_frag;
extern const ShaderFile fma_probe_frag;
extern const ShaderFile rim_points_vert;
extern const ShaderFile tile_spans_vert;
extern const ShaderFile splat_vert;
}  // namespace shader_src

}  // namespace gm::gl
