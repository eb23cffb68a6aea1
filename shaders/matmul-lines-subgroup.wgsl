// Library of matmul.wgsl's direct feed (no bindings, no entry points) for devices with the `subgroups`
// feature: matmul-lines.wgsl's functions, with each of four loads made by one lane of a subgroup and shared
// with subgroupBroadcast. On SwiftShader every load costs per lane and per component (docs/webgpu-kernels.md
// "What a load costs on SwiftShader"), and this reads a quarter of A. It is right only where a subgroup is
// the 4 invocations of one grid row at columns 4h…4h+3, lane i at column 4h + i, so that all four compute
// blocks of the same rows of C: matmul-feed.ts uses it on adapters whose subgroups are exactly 4 wide, after
// checking that it reproduces matmul-lines.wgsl's product, and workspace.ts only for grids 8 columns wide.
enable subgroups;
// The loops around these calls run the same trip count on every lane (it comes from uniforms and the batch),
// which the uniformity analysis cannot see.
diagnostic(off, subgroup_uniformity);

fn leftLines(starts: vec4u, own: u32, v: u32) -> mat4x4f {
  return fromLanes(left[own + v]);
}

fn leftDepths(first: u32, lane: u32, k: u32) -> mat4x4f {
  return fromLanes(leftRowsAt(first, k + lane));
}

// The vectors of lanes 0…3 as columns 0…3.
fn fromLanes(own: vec4f) -> mat4x4f {
  return mat4x4f(subgroupBroadcast(own, 0u), subgroupBroadcast(own, 1u), subgroupBroadcast(own, 2u), subgroupBroadcast(own, 3u));
}
