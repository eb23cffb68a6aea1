// Library of matmul.wgsl's direct feed (no bindings, no entry points): four of A's lines at a time, each
// invocation reading all four itself. matmul-lines-subgroup.wgsl reads them once per subgroup instead;
// both give the same values, so a product's sums are the same with either.

// A's four lines starting at `starts` (in vectors; A contiguous along depth) at vector v: column i is line
// i's four depths. (`own`, the line this invocation reads for its subgroup, is for the subgroup version.)
fn leftLines(starts: vec4u, own: u32, v: u32) -> mat4x4f {
  return mat4x4f(left[starts.x + v], left[starts.y + v], left[starts.z + v], left[starts.w + v]);
}

// A(m…m+3, k + kk) for kk = 0…3 (A contiguous along rows; `first` = leftRowsFirst(m)): column kk is depth
// k + kk's. (`lane`, the depth this invocation reads for its subgroup, is for the subgroup version.)
fn leftDepths(first: u32, lane: u32, k: u32) -> mat4x4f {
  return mat4x4f(leftRowsAt(first, k), leftRowsAt(first, k + 1u), leftRowsAt(first, k + 2u), leftRowsAt(first, k + 3u));
}
