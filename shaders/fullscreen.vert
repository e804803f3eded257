#version 450 core
// fullscreen.vert — one attribute-less triangle covering the viewport (draw 3 vertices with an
// empty VAO). Vertex i lands at (-1,-1), (3,-1), (-1,3): the clip square is inside, nothing is
// clipped twice, and no diagonal seam splits the pixels.
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}
