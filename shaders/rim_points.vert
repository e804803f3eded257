#version 450 core
// rim_points.vert — the rim pass of mixture.frag (GM_RIM_PASS): one point per listed pixel, at its
// centre in the target. The pixels (global col, row pairs) come from src/gl/rim_pixels.cpp; a
// window render subtracts its origin. Points are 1 pixel (the renderer sets glPointSize(1)).
// Per pixel: col, row, and the range [b0, b2) of its kernel list (mixture.frag's GM_RIM_LISTS;
// unused otherwise).
layout(std430, binding = 4) readonly buffer GmRimPixels { ivec4 gm_rim_px[]; };
layout(location = 3) uniform ivec2 u_origin;  // global (col, row) of the target's top-left pixel
layout(location = 9) uniform vec2 u_target;   // target cols, rows
flat out ivec2 v_rim_range;
void main() {
  ivec4 r = gm_rim_px[gl_VertexID];
  vec2 p = vec2(r.xy - u_origin) + 0.5;
  v_rim_range = r.zw;
  gl_Position = vec4(p / u_target * 2.0 - 1.0, 0.0, 1.0);
}
