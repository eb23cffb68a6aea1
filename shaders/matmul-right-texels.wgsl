// Library of matmul.wgsl's direct feeds for the "texels" feed: in the loops over 4 depths, B is read from
// `rightTexels`, an rgba32float texture that holds B(4v…4v+3, n) at texel (v, n) (zeros past B's depth),
// written by matmul.wgsl's mirrorRight entry point before each product; the last depths of a depth that
// is not a multiple of 4 are still read from `right`. The same values reach the same arithmetic as with
// matmul-right-buffer.wgsl, so a product's sums are the same. Why: on SwiftShader a storage vec4 load is
// four gathers of one float per lane, each lane a branch of its own, while a texel load is one 16-byte load
// per lane (docs/webgpu-kernels.md "What a load costs on SwiftShader"). A texel's row is its column of B,
// which stays the same through the depth loop: texels whose row changed with the depth measured no faster
// than storage there.
// Bindings: rightTexels texture_2d<f32>, ⌈depth / 4⌉ texels wide, one row per column of B.

@group(0) @binding(11) var rightTexels: texture_2d<f32>;

const texels = true;

// B at depths 4v…4v+3 of columns column0…column0 + 7: b[h] column kk holds B(4v + kk, column0 + 4h…4h+3).
fn rightTexelBlocks(column0: u32, v: u32) -> array<mat4x4f, 2> {
  let lines0 = mat4x4f(
    textureLoad(rightTexels, vec2u(v, column0), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 1u), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 2u), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 3u), 0),
  );
  let lines1 = mat4x4f(
    textureLoad(rightTexels, vec2u(v, column0 + 4u), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 5u), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 6u), 0),
    textureLoad(rightTexels, vec2u(v, column0 + 7u), 0),
  );
  return array<mat4x4f, 2>(transpose(lines0), transpose(lines1));
}
