#version 450 core
// tile_spans.vert — the tiled field pass (mixture.frag with GM_TILED) draws only the tiles some
// kernel can reach: one quad (6 vertices) per rectangle of non-empty tiles; the rest of the
// target keeps the cleared 0, the value an empty tile list gives. Rectangles: tile columns [x, y)
// by tile rows [z, w), from src/gl/mixture_renderer.cpp, disjoint. Quad edges lie on pixel edges,
// so every pixel centre is covered exactly once.
layout(std430, binding = 5) readonly buffer GmSpans { ivec4 gm_spans[]; };
layout(location = 9) uniform vec2 u_target;  // target cols, rows
layout(location = 10) uniform int u_tile;    // tile side, pixels
void main() {
  const ivec2 corner[6] =
      ivec2[6](ivec2(0, 0), ivec2(1, 0), ivec2(1, 1), ivec2(0, 0), ivec2(1, 1), ivec2(0, 1));
  ivec4 s = gm_spans[gl_VertexID / 6];
  ivec2 c = corner[gl_VertexID % 6];
  vec2 p = min(vec2(c.x == 0 ? s.x : s.y, c.y == 0 ? s.z : s.w) * float(u_tile), u_target);
  gl_Position = vec4(p / u_target * 2.0 - 1.0, 0.0, 1.0);
}
