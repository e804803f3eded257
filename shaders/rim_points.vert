#version 450 core
// rim_points.vert — the rim pass of mixture.frag (GM_RIM_PASS): one point per listed pixel, at its
// centre in the target. The pixels (global col, row pairs) come from src/gl/rim_pixels.cpp; a
// window render subtracts its origin. Points are 1 pixel (the renderer sets glPointSize(1)).
layout(std430, binding = 4) readonly buffer GmRimPixels { ivec2 gm_rim_px[]; };
layout(location = 3) uniform ivec2 u_origin;  // global (col, row) of the target's top-left pixel
layout(location = 9) uniform vec2 u_target;   // target cols, rows
void main() {
  vec2 p = vec2(gm_rim_px[gl_VertexID] - u_origin) + 0.5;
  gl_Position = vec4(p / u_target * 2.0 - 1.0, 0.0, 1.0);
}
