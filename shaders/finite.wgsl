// fit's NaN guard on the GPU: whether every parameter of a layer is finite, so that the weights need not be
// read back to be checked. Dispatched once per layer at the end of an epoch (webgpu/resident-params.ts);
// the flag is read back in the same mapping as the epoch's metrics.
//
// Bindings:
//   values:    read       array<vec4u> — one layer's parameter buffer as the bits of 4 floats per element:
//                                        weights [units, inputs] row-major, then biases [units], then zero
//                                        padding to 16 bytes (finite; every buffer is whole vectors)
//   nonFinite: read_write atomic<u32> — set to 1 when a value is NaN or ±Infinity; cleared by the caller
// Overrides: none. Workgroup: 256 invocations; the dispatch may have any number of workgroups.
//
// Algorithm: invocation g of the G = 256 · workgroups checks vectors g, g + G, g + 2G, … (4 floats per load:
// on SwiftShader that halved the check's time against one float per load, mnist, 2026-12-03). A float32 is
// NaN or ±Infinity exactly when its 8 exponent bits are all ones; the test is on the bits, as WGSL lets a
// compiler assume that float arithmetic sees no NaN. Only an invocation that found one touches the atomic.

@group(0) @binding(0) var<storage, read> values: array<vec4u>;
@group(0) @binding(1) var<storage, read_write> nonFinite: atomic<u32>;

const exponentBits = vec4u(0x7f800000u);

@compute @workgroup_size(256)
fn check(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let stride = groups.x * 256u;
  var found = false;
  for (var i = id.x; i < arrayLength(&values); i += stride) {
    found = found || any((values[i] & exponentBits) == exponentBits);
  }
  if (found) {
    atomicStore(&nonFinite, 1u);
  }
}
