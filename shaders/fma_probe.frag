#version 450 core
// fma_probe.frag — tells the renderer whether this driver's fma() is fused (one rounding). Real
// GPUs fuse it; Mesa's llvmpipe may not. mixture.frag's exact products (GM_EXACT_FMA) rely on it,
// else they use Dekker's split. Writes fma(a, b, -a*b): the exact rounding error of a*b when fused,
// 0 when not (the renderer passes a, b whose product is inexact in float).
layout(location = 0) uniform float u_a;
layout(location = 1) uniform float u_b;
layout(location = 0) out float o_value;
void main() {
  precise float p = u_a * u_b;
  precise float e = fma(u_a, u_b, -p);
  o_value = e;
}
