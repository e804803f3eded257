#version 450 core
// colormap.frag — the R32F field -> RGBA8 through the view's range, scale and colormap table.
// The value -> colour-index map is done bit-exactly like gm::colorize on the CPU: the renderer
// computes, in float64 with gm::normalize_value itself, the smallest float at which each index
// 1..255 starts (u_thresholds, 256x1 R32F; texel j-1 holds the start of index j, -inf/+inf where
// an index starts below every float or is never reached), and this shader counts the thresholds
// at or below the value by binary search. A decreasing map (vmin > vmax) is handled by negating
// value and thresholds (u_sign = -1). Non-finite values take index u_nonfinite_index.
// Output row t is field row t (same orientation as the field texture: top row = texture row 0).

layout(binding = 0) uniform sampler2D u_field;       // R32F, W x H
layout(binding = 1) uniform sampler2D u_thresholds;  // R32F, 256 x 1, ascending after * u_sign
layout(binding = 2) uniform sampler2D u_table;       // RGBA8, 256 x 1, GL_NEAREST

layout(location = 0) uniform float u_sign;
layout(location = 1) uniform int u_nonfinite_index;

layout(location = 0) out vec4 o_color;

void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  float v = texelFetch(u_field, p, 0).r;
  int index;
  if (isnan(v) || isinf(v)) {
    index = u_nonfinite_index;
  } else {
    float sv = u_sign * v;
    // count = number of j in [0, 255) with threshold[j] <= sv (thresholds ascending)
    int lo = 0, hi = 255;
    while (lo < hi) {
      int mid = (lo + hi) >> 1;
      if (u_sign * texelFetch(u_thresholds, ivec2(mid, 0), 0).r <= sv) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    index = lo;
  }
  o_color = vec4(texelFetch(u_table, ivec2(index, 0), 0).rgb, 1.0);
}
