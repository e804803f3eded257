#version 450 core
// splat.vert — the splat field pass (mixture.frag with GM_SPLAT): one instance per kernel whose
// cutoff box reaches the target, in kernel order, drawn as a quad over that box (6 vertices);
// each fragment evaluates that one kernel and the blend unit folds it into the target (sum:
// ONE, ONE; max: MAX; prob_or: ONE_MINUS_DST_COLOR, ONE), instance after instance, as the loop folds kernel
// after kernel. Boxes come from src/gl/tile_binning.cpp (kernel_pixel_box): pixel columns [x, y)
// by rows [z, w) of the target, then the kernel's index. Quad edges lie on pixel edges.
layout(std430, binding = 5) readonly buffer GmSplats { ivec4 gm_splats[]; };
layout(location = 9) uniform vec2 u_target;  // target cols, rows
flat out int v_kernel;
void main() {
  const ivec2 corner[6] =
      ivec2[6](ivec2(0, 0), ivec2(1, 0), ivec2(1, 1), ivec2(0, 0), ivec2(1, 1), ivec2(0, 1));
  ivec4 s = gm_splats[2 * gl_InstanceID];
  ivec2 c = corner[gl_VertexID];
  vec2 p = vec2(c.x == 0 ? s.x : s.y, c.y == 0 ? s.z : s.w);
  gl_Position = vec4(p / u_target * 2.0 - 1.0, 0.0, 1.0);
  v_kernel = gm_splats[2 * gl_InstanceID + 1].x;
}
