// field_program.cpp — field shader variants, their cache, compile/link helpers, the fma probe
// (see field_program.hpp).
#include "field_program.hpp"

#include <glad/gl.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "gl_state.hpp"
#include "kernel_block.hpp"
#include "tile_binning.hpp"

namespace gm::gl {

namespace {

std::string shader_log(GLuint shader) {
  GLint len = 0;
  glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &len);
  std::string log(std::size_t(std::max(len, 1)), '\0');
  glGetShaderInfoLog(shader, len, nullptr, log.data());
  log.resize(std::strlen(log.c_str()));
  return log;
}

std::string program_log(GLuint program) {
  GLint len = 0;
  glGetProgramiv(program, GL_INFO_LOG_LENGTH, &len);
  std::string log(std::size_t(std::max(len, 1)), '\0');
  glGetProgramInfoLog(program, len, nullptr, log.data());
  log.resize(std::strlen(log.c_str()));
  return log;
}

// Driver logs span lines; our errors are one line: the log's first non-empty line.
std::string one_line(std::string s) {
  std::size_t b = s.find_first_not_of(" \r\n\t");
  if (b == std::string::npos) return "(empty driver log)";
  std::size_t e = s.find_first_of("\r\n", b);
  s = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

}  // namespace

const char* const kDriverHint = "use --backend cpu, or update the GL driver (Mesa)";

std::string simulated_failure() {
  const char* v = std::getenv("GAUSSMAP_GL_SIMULATE");
  return v ? std::string(v) : std::string();
}

Shader compile_shader(GLenum type, const ShaderFile& file, const std::string& defines) {
  std::string text = file.text;
  std::size_t eol = text.find('\n');
  if (eol == std::string::npos || text.rfind("#version", 0) != 0)
    throw GlError(std::string(file.name) + ": must start with a #version line");
  std::string src = text.substr(0, eol + 1) + defines + "#line 2\n" + text.substr(eol + 1);
  Shader sh(glCreateShader(type));
  const char* p = src.c_str();
  glShaderSource(sh.id(), 1, &p, nullptr);
  glCompileShader(sh.id());
  GLint ok = GL_FALSE;
  glGetShaderiv(sh.id(), GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE)
    throw GlError(std::string(file.name) + ": shader compile failed: " +
                  one_line(shader_log(sh.id())) + " (" + kDriverHint + ")");
  return sh;
}

Program link_program(const ShaderFile& vert, const ShaderFile& frag, const std::string& defines) {
  Shader vs = compile_shader(GL_VERTEX_SHADER, vert, "");
  Shader fs = compile_shader(GL_FRAGMENT_SHADER, frag, defines);
  Program prog(glCreateProgram());
  glAttachShader(prog.id(), vs.id());
  glAttachShader(prog.id(), fs.id());
  glLinkProgram(prog.id());
  GLint ok = GL_FALSE;
  glGetProgramiv(prog.id(), GL_LINK_STATUS, &ok);
  glDetachShader(prog.id(), vs.id());
  glDetachShader(prog.id(), fs.id());
  if (ok != GL_TRUE)
    throw GlError(std::string(vert.name) + " + " + frag.name + ": shader link failed: " +
                  one_line(program_log(prog.id())) + " (" + kDriverHint + ")");
  return prog;
}

int FieldVariant::index() const {
  int i = int(ssbo);
  i = i * 2 + int(tiled);
  i = i * 3 + int(combine);
  i = i * 2 + int(sampling);
  i = i * 2 + int(cutoff);
  i = i * 2 + int(extended);
  i = i * 2 + int(rim_pass);
  i = i * 2 + int(all_axis);
  i = i * 2 + int(texels);
  i = i * 2 + int(splat);
  i = i * 2 + int(rim_lists);
  return i;
}

std::string FieldVariant::defines(bool exact_fma, int tile) const {
  std::string d = "#define GM_UBO_KERNELS " + std::to_string(kUboKernels) + "\n";
  if (ssbo) d += "#define GM_USE_SSBO 1\n";
  if (texels) d += "#define GM_TEXELS 1\n";
  if (splat) d += "#define GM_SPLAT 1\n";
  if (rim_lists) d += "#define GM_RIM_LISTS 1\n";
  if (tiled) d += "#define GM_TILED 1\n#define GM_TILE " + std::to_string(tile) + "\n";
  d += "#define GM_COMBINE " + std::to_string(int(combine)) + "\n";
  d += "#define GM_AREA " + std::to_string(int(sampling)) + "\n";
  d += "#define GM_CUTOFF " + std::to_string(int(cutoff)) + "\n";
  d += "#define GM_EXTENDED " + std::to_string(int(extended)) + "\n";
  d += "#define GM_ALL_AXIS " + std::to_string(int(all_axis)) + "\n";
  d += "#define GM_RIM_PASS " + std::to_string(int(rim_pass)) + "\n";
  d += "#define GM_EXACT_FMA " + std::to_string(int(exact_fma)) + "\n";
  return d;
}

const Program& FieldPrograms::get(const FieldVariant& v) {
  FieldVariant base = v;
  base.rim_pass = base.tiled = base.splat = base.rim_lists = false;
  std::vector<FieldVariant> group = {base};
  if (v.cutoff) {
    for (bool rim : {false, true})
      for (bool tiled : {false, true}) {
        FieldVariant t = base;
        t.rim_pass = rim, t.tiled = tiled;
        if (rim || tiled) group.push_back(t);
      }
    if (base.splat_allowed() && base.texels) {  // the renderer splats with texel records only
      FieldVariant t = base;
      t.splat = true;
      group.push_back(t);
      t.splat = false, t.rim_pass = t.rim_lists = true;  // its rim pass
      group.push_back(t);
    }
  }
  for (const FieldVariant& w : group) {
    Program& p = programs_[w.index()];
    if (!p)
      p = link_program(w.rim_pass ? shader_src::rim_points_vert
                       : w.splat  ? shader_src::splat_vert
                       : w.tiled  ? shader_src::tile_spans_vert
                                  : shader_src::fullscreen_vert,
                       shader_src::mixture_frag, w.defines(exact_fma_, tile_) + extra_);
  }
  return programs_[v.index()];
}

bool probe_fma(const VertexArray& vao) {
  StateGuard guard;
  Program prog = link_program(shader_src::fullscreen_vert, shader_src::fma_probe_frag, "");
  Texture tex = make_texture(GL_TEXTURE_2D);
  glTextureStorage2D(tex.id(), 1, GL_R32F, 1, 1);
  Framebuffer fbo = make_framebuffer();
  glNamedFramebufferTexture(fbo.id(), GL_COLOR_ATTACHMENT0, tex.id(), 0);
  glNamedFramebufferDrawBuffer(fbo.id(), GL_COLOR_ATTACHMENT0);
  const float a = 1.0f + 0x1p-12f + 0x1p-20f, b = 3.0f + 0x1p-11f;
  const float expect = std::fma(a, b, -(a * b));  // nonzero: a * b is inexact
  glProgramUniform1f(prog.id(), 0, a);
  glProgramUniform1f(prog.id(), 1, b);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, fbo.id());
  StateGuard::set_pass_state();
  glViewport(0, 0, 1, 1);
  glUseProgram(prog.id());
  glBindVertexArray(vao.id());
  glDrawArrays(GL_TRIANGLES, 0, 3);
  float got = 0;
  GLint pack_alignment = 4, pack_buffer = 0;
  glGetIntegerv(GL_PACK_ALIGNMENT, &pack_alignment);
  glGetIntegerv(GL_PIXEL_PACK_BUFFER_BINDING, &pack_buffer);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
  glGetTextureImage(tex.id(), 0, GL_RED, GL_FLOAT, sizeof got, &got);
  glPixelStorei(GL_PACK_ALIGNMENT, pack_alignment);
  glBindBuffer(GL_PIXEL_PACK_BUFFER, GLuint(pack_buffer));
  return got == expect;
}

}  // namespace gm::gl
