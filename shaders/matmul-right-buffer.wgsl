// Library of matmul.wgsl's direct feeds (no bindings, no entry points): B read from the storage buffer
// `right` only. matmul-right-texels.wgsl reads B's 4-depth blocks from a texture instead.

const texels = false;

// Never called here (texels is false): matmul-right-texels.wgsl's function.
fn rightTexelBlocks(column0: u32, v: u32) -> array<mat4x4f, 2> {
  return array<mat4x4f, 2>();
}
