// gl_peers.cpp — the GPU path beside the two shaders anyone would write first, on the same GL in
// the same run: field render + R32F readback, wall milliseconds, median of --repeats after a
// warm-up. Not part of the gaussmap binary (CMake target gaussmap_gl_peers).
//   gaussmap  gm::gl::MixtureRenderer::render_field + read_field
//   naive     one full-screen pass, a float32 loop of amp * exp(-d2 / 2) over kernels held in a
//             std140 uniform block (512 kernels at most: larger scenes are skipped)
//   splat     deck.gl-style: one additive quad per kernel over its cutoff box (the whole image
//             without a cutoff), float32 blending into the R32F target (sum: ONE, ONE; max:
//             MAX; prob_or: p + c (1 - p) as ONE_MINUS_DST, ONE)
// Both peers evaluate in pixel-index units with the inverse covariance in float32 (point sampling
// only; area-sampled scenes are skipped) and read back without any row flip. Each row also gives
// the peer's max |difference| to gaussmap's field over its peak, so the rows compare like with
// like.
//   gaussmap_gl_peers [--repeats N] [--case NAME] [SCENE.json ...]
// Without scene files: the cases of `gaussmap bench` (same sizes, seeds and kernels).
#include <glad/gl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include "core/bench_cases.hpp"
#include "core/kernel_math.hpp"
#include "core/scene.hpp"
#include "core/scene_io.hpp"
#include "gl/headless_context.hpp"
#include "gl/mixture_renderer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kNaiveMax = 512;  // 2 vec4 per kernel in a 16 KiB uniform block

// Per kernel, pixel-index units (col, row with row 0 on top): centre, amp, cutoff d2; inverse
// covariance; the half extents of the cutoff box.
struct PeerKernel {
  float cx, cy, amp, cut2;
  float ia, ib, ic, pad0;
  float hx, hy, pad1, pad2;
};

std::vector<PeerKernel> peer_kernels(const gm::Scene& s) {
  const gm::Grid g = gm::Grid::of(s);
  const double sx = g.dx != 0 ? g.dx : 1.0, sy = g.dy != 0 ? g.dy : 1.0;
  std::vector<PeerKernel> out;
  for (const gm::Kernel& k : s.kernels) {
    if (!k.visible) continue;
    const gm::Gaussian q = gm::resolve(k, s.normalization, s.cutoff_sigma);
    PeerKernel p{};
    p.cx = float((q.cx - g.x0) / sx), p.cy = float((q.cy - g.y0) / sy);
    p.amp = float(q.amp);
    p.cut2 = s.cutoff_sigma ? float(q.cutoff_d2) : 3.0e38f;
    p.ia = float(q.ia * sx * sx), p.ib = float(q.ib * sx * sy), p.ic = float(q.ic * sy * sy);
    const double k_sig = s.cutoff_sigma ? *s.cutoff_sigma : 0.0;
    p.hx = s.cutoff_sigma ? float(k_sig * q.sx / std::abs(sx) + 1.0) : 1e9f;
    p.hy = s.cutoff_sigma ? float(k_sig * q.sy / std::abs(sy) + 1.0) : 1e9f;
    out.push_back(p);
  }
  return out;
}

// ---- shaders (GLSL 4.50) ----

const char* kFullscreenVert = R"(#version 450 core
void main() {
  vec2 p = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
})";

// Shared by both peers: one kernel's value at pixel p.
const char* kKernelValue = R"(
float combine_fold(float acc, float v) {
#if COMBINE == 1
  return max(acc, v);
#elif COMBINE == 2
  float c = clamp(v, 0.0, 1.0);
  return acc + c * (1.0 - acc);
#else
  return acc + v;
#endif
}
float kernel_value(vec4 a, vec4 b, vec2 p) {
  vec2 d = p - a.xy;
  float d2 = b.x * d.x * d.x + 2.0 * b.y * d.x * d.y + b.z * d.y * d.y;
  return d2 > a.w ? 0.0 : a.z * exp(-0.5 * d2);
}
)";

const char* kNaiveFrag = R"(
layout(std140, binding = 0) uniform Kernels { vec4 k[2 * 512]; };
layout(location = 0) uniform int u_count;
layout(location = 0) out float o_value;
void main() {
  vec2 p = gl_FragCoord.xy - 0.5;  // texture row 0 = field row 0: no flip on readback
#if COMBINE == 1
  float acc = -3.0e38;
#else
  float acc = 0.0;
#endif
  for (int i = 0; i < u_count; ++i) acc = combine_fold(acc, kernel_value(k[2 * i], k[2 * i + 1], p));
#if COMBINE == 1
  if (u_count == 0) acc = 0.0;
#endif
  o_value = acc;
})";

const char* kSplatVert = R"(#version 450 core
struct K { vec4 a; vec4 b; vec4 box; };
layout(std430, binding = 0) readonly buffer Kernels { K k[]; };
layout(location = 0) uniform vec2 u_size;
flat out int v_kernel;
void main() {
  const vec2 corner[6] = vec2[6](vec2(-1, -1), vec2(1, -1), vec2(1, 1), vec2(-1, -1), vec2(1, 1),
                                 vec2(-1, 1));
  K q = k[gl_InstanceID];
  vec2 half_ext = min(q.box.xy, u_size + 2.0);  // no cutoff: the whole image
  vec2 p = q.a.xy + 0.5 + corner[gl_VertexID] * half_ext;  // pixel-edge coordinates
  gl_Position = vec4(p / u_size * 2.0 - 1.0, 0.0, 1.0);
  v_kernel = gl_InstanceID;
})";

const char* kSplatFrag = R"(
struct K { vec4 a; vec4 b; vec4 box; };
layout(std430, binding = 0) readonly buffer Kernels { K k[]; };
flat in int v_kernel;
layout(location = 0) out float o_value;
void main() {
  K q = k[v_kernel];
  float v = kernel_value(q.a, q.b, gl_FragCoord.xy - 0.5);
#if COMBINE == 2
  v = clamp(v, 0.0, 1.0);  // the blend adds v (1 - dst)
#endif
  o_value = v;
})";

GLuint compile(GLenum type, const std::string& src) {
  GLuint sh = glCreateShader(type);
  const char* p = src.c_str();
  glShaderSource(sh, 1, &p, nullptr);
  glCompileShader(sh);
  GLint ok = 0;
  glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048];
    glGetShaderInfoLog(sh, sizeof log, nullptr, log);
    std::fprintf(stderr, "peer shader: %s\n", log);
    std::exit(1);
  }
  return sh;
}

GLuint program(const std::string& vert, const std::string& frag, int combine) {
  const std::string head = "#version 450 core\n#define COMBINE " + std::to_string(combine) + "\n";
  GLuint p = glCreateProgram();
  GLuint vs = compile(GL_VERTEX_SHADER, vert), fs = compile(GL_FRAGMENT_SHADER, head + frag);
  glAttachShader(p, vs);
  glAttachShader(p, fs);
  glLinkProgram(p);
  glDeleteShader(vs);
  glDeleteShader(fs);
  return p;
}

// One R32F target with its framebuffer; the peers' state.
struct Peers {
  GLuint naive[3] = {}, splat[3] = {}, vao = 0, ubo = 0, ssbo = 0, tex = 0, fbo = 0;
  int w = 0, h = 0;
  Peers() {
    for (int c = 0; c < 3; ++c) {
      naive[c] = program(kFullscreenVert, std::string(kKernelValue) + kNaiveFrag, c);
      splat[c] = program(kSplatVert, std::string(kKernelValue) + kSplatFrag, c);
    }
    glCreateVertexArrays(1, &vao);
    glCreateBuffers(1, &ubo);
    glNamedBufferStorage(ubo, 16384, nullptr, GL_DYNAMIC_STORAGE_BIT);
  }
  void target(int width, int height) {
    if (tex && w == width && h == height) return;
    if (tex) glDeleteTextures(1, &tex), glDeleteFramebuffers(1, &fbo);
    glCreateTextures(GL_TEXTURE_2D, 1, &tex);
    glTextureStorage2D(tex, 1, GL_R32F, width, height);
    glCreateFramebuffers(1, &fbo);
    glNamedFramebufferTexture(fbo, GL_COLOR_ATTACHMENT0, tex, 0);
    w = width, h = height;
  }
  std::vector<float> read() {
    std::vector<float> out(std::size_t(w) * std::size_t(h));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glGetTextureImage(tex, 0, GL_RED, GL_FLOAT, GLsizei(out.size() * sizeof(float)), out.data());
    return out;
  }
  std::vector<float> run_naive(const gm::Scene& s) {
    std::vector<PeerKernel> ks = peer_kernels(s);
    std::vector<float> block;
    for (const PeerKernel& k : ks)
      block.insert(block.end(), {k.cx, k.cy, k.amp, k.cut2, k.ia, k.ib, k.ic, 0.0f});
    target(s.width, s.height);
    if (!block.empty())
      glNamedBufferSubData(ubo, 0, GLsizeiptr(block.size() * sizeof(float)), block.data());
    glBindBufferBase(GL_UNIFORM_BUFFER, 0, ubo);
    const GLuint p = naive[int(s.combine)];
    glUseProgram(p);
    glProgramUniform1i(p, 0, int(ks.size()));
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glViewport(0, 0, w, h);
    glDisable(GL_BLEND);
    glBindVertexArray(vao);
    glDrawArrays(GL_TRIANGLES, 0, 3);
    return read();
  }
  std::vector<float> run_splat(const gm::Scene& s) {
    std::vector<PeerKernel> ks = peer_kernels(s);
    target(s.width, s.height);
    if (ssbo) glDeleteBuffers(1, &ssbo);
    glCreateBuffers(1, &ssbo);
    glNamedBufferStorage(ssbo, GLsizeiptr(std::max<std::size_t>(ks.size(), 1) * sizeof(PeerKernel)),
                         ks.empty() ? nullptr : ks.data(), 0);
    glBindBufferBase(GL_SHADER_STORAGE_BUFFER, 0, ssbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glViewport(0, 0, w, h);
    // Max starts from 0 (what a pixel no kernel reaches holds); the others too.
    const float zero[4] = {0, 0, 0, 0};
    glClearNamedFramebufferfv(fbo, GL_COLOR, 0, zero);
    glEnable(GL_BLEND);
    glBlendEquation(s.combine == gm::Combine::Max ? GL_MAX : GL_FUNC_ADD);
    if (s.combine == gm::Combine::ProbOr)
      glBlendFunc(GL_ONE_MINUS_DST_COLOR, GL_ONE);
    else
      glBlendFunc(GL_ONE, GL_ONE);
    const GLuint p = splat[int(s.combine)];
    glUseProgram(p);
    glProgramUniform2f(p, 0, float(w), float(h));
    glBindVertexArray(vao);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 6, GLsizei(ks.size()));
    glDisable(GL_BLEND);
    return read();
  }
};

// ---- the cases of `gaussmap bench` (core/bench_cases.hpp) that have a GPU column ----

struct Case {
  std::string name;
  gm::Scene scene;
};

std::vector<Case> bench_cases() {
  std::vector<Case> cs;
  for (gm::BenchCase& b : gm::bench_cases())
    if (b.name != "points" && b.name != "k100k-cut3") cs.push_back({b.name, std::move(b.scene)});
  return cs;
}

// CPU time of the whole process (all threads: llvmpipe's included), ms. On a shared machine it
// moves far less with other people's load than wall time does.
double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return 1e3 * double(t.tv_sec) + 1e-6 * double(t.tv_nsec);
}

struct Timing {
  double wall = -1, cpu = -1;  // medians, ms
};

// Times the runners interleaved (a, b, c, a, b, c, ...) after one warm-up each, so that a change
// of the machine's load hits every runner alike; a runner that is null is skipped.
std::vector<Timing> time_interleaved(int repeats, const std::vector<std::function<void()>>& fs) {
  for (const auto& f : fs)
    if (f) f();  // warm-up (compiles the driver's code, allocates)
  std::vector<std::vector<double>> wall(fs.size()), cpu(fs.size());
  for (int i = 0; i < repeats; ++i)
    for (std::size_t j = 0; j < fs.size(); ++j) {
      if (!fs[j]) continue;
      const auto t0 = Clock::now();
      const double c0 = process_cpu_ms();
      fs[j]();
      cpu[j].push_back(process_cpu_ms() - c0);
      wall[j].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  std::vector<Timing> out(fs.size());
  for (std::size_t j = 0; j < fs.size(); ++j) {
    if (wall[j].empty()) continue;
    std::sort(wall[j].begin(), wall[j].end());
    std::sort(cpu[j].begin(), cpu[j].end());
    out[j] = {wall[j][wall[j].size() / 2], cpu[j][cpu[j].size() / 2]};
  }
  return out;
}

// Max |a - b| over max |b|.
template <class A, class B>
double rel_diff(const A& a, const B& b) {
  double peak = 0, d = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    peak = std::max(peak, std::abs(double(b[i])));
    d = std::max(d, std::abs(double(a[i]) - double(b[i])));
  }
  return peak > 0 ? d / peak : d;
}

// The path gaussmap's last render took.
std::string path(const gm::gl::MixtureRenderer& r) {
  char b[128];
  std::snprintf(b, sizeof b, "%s%s%s%s, %d draws, %zu rim px",
                r.last_used_splat()   ? "splat"
                : r.last_used_tiles() ? "tiles"
                                      : "loop",
                r.last_used_ssbo() ? ",ssbo" : "", r.last_used_texels() ? ",texels" : "",
                r.last_used_extended() ? ",extended" : "", r.last_strip_count(),
                r.last_rim_pixels());
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  int strip_rows = 0;  // gaussmap's automatic choice
  gm::gl::Tiling tiling = gm::gl::Tiling::Auto;
  std::string only;
  std::vector<Case> cases;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--repeats" && i + 1 < argc) {
        repeats = std::max(1, std::atoi(argv[++i]));
      } else if (a == "--case" && i + 1 < argc) {
        only = argv[++i];
      } else if (a == "--tiling" && i + 1 < argc) {
        const std::string m = argv[++i];
        tiling = m == "on"      ? gm::gl::Tiling::On
                 : m == "off"   ? gm::gl::Tiling::Off
                 : m == "splat" ? gm::gl::Tiling::Splat
                                : gm::gl::Tiling::Auto;
      } else if (a == "--strip-rows" && i + 1 < argc) {
        strip_rows = std::max(0, std::atoi(argv[++i]));
      } else if (a == "--help" || a == "-h") {
        std::printf(
            "usage: gaussmap_gl_peers [--repeats N] [--case NAME] [--tiling auto|on|off|splat]\n"
            "                         [--strip-rows N] [SCENE.json ...]\n");
        return 0;
      } else {
        cases.push_back({a, gm::load_scene(a)});
      }
    }
    if (cases.empty()) cases = bench_cases();
    auto ctx = gm::gl::HeadlessContext::create();
    gm::gl::MixtureRenderer renderer(ctx->loader());  // also loads glad's GL entry points
    renderer.set_tiling(tiling);
    renderer.set_strip_rows(strip_rows);
    Peers peers;
    std::printf(
        "GL: %s; median of %d after a warm-up, ms (field render + R32F readback): wall time, then\n"
        "process CPU time (all threads)\n",
        renderer.renderer_name().c_str(), repeats);
    std::printf("%-12s %10s %8s | %9s %9s %9s %7s | %9s %9s %9s %7s |  %s\n", "case", "size",
                "kernels", "gaussmap", "naive", "splat", "g/best", "cpu:gm", "naive", "splat",
                "g/best", "peer max diff / peak | gaussmap path");
    for (const Case& c : cases) {
      if (!only.empty() && c.name != only) continue;
      const gm::Scene& s = c.scene;
      gm::Field ours;
      const bool point = s.sampling == gm::Sampling::Point;
      std::vector<float> naive, splat;
      std::function<void()> run_ours = [&] {
        renderer.render_field(s);
        ours = renderer.read_field();
      };
      std::function<void()> run_naive, run_splat;
      if (point && peer_kernels(s).size() <= std::size_t(kNaiveMax))
        run_naive = [&] { naive = peers.run_naive(s); };
      if (point) run_splat = [&] { splat = peers.run_splat(s); };
      const std::vector<Timing> times = time_interleaved(repeats, {run_ours, run_naive, run_splat});
      const Timing &t_ours = times[0], &t_naive = times[1], &t_splat = times[2];
      auto cell = [](double t) {
        char b[32];
        if (t < 0) return std::string("-");
        std::snprintf(b, sizeof b, "%.2f", t);
        return std::string(b);
      };
      auto ratio = [&](double ours_t, double a, double b) {
        double best = -1;
        for (double t : {a, b})
          if (t > 0 && (best < 0 || t < best)) best = t;
        return best > 0 ? cell(ours_t / best) : std::string("-");
      };
      char size[32];
      std::snprintf(size, sizeof size, "%dx%d", s.width, s.height);
      std::printf(
          "%-12s %10s %8zu | %9s %9s %9s %7s | %9s %9s %9s %7s |  naive %.1e, splat %.1e | %s\n",
          c.name.c_str(), size, s.kernels.size(), cell(t_ours.wall).c_str(),
          cell(t_naive.wall).c_str(), cell(t_splat.wall).c_str(),
          ratio(t_ours.wall, t_naive.wall, t_splat.wall).c_str(), cell(t_ours.cpu).c_str(),
          cell(t_naive.cpu).c_str(), cell(t_splat.cpu).c_str(),
          ratio(t_ours.cpu, t_naive.cpu, t_splat.cpu).c_str(),
          naive.empty() ? -1.0 : rel_diff(naive, ours.data),
          splat.empty() ? -1.0 : rel_diff(splat, ours.data), path(renderer).c_str());
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gaussmap_gl_peers: %s\n", e.what());
    return 1;
  }
  return 0;
}
