// Which kernel takes a product, where more than one can: the rules, with the measurements behind them in
// docs/webgpu-kernels.md. Kept apart from the kernels' binding code so that a rule can change (or become a
// measurement per adapter) without touching how the kernels are bound.

/**
 * Whether an adapter runs shaders on the CPU (SwiftShader, WARP, llvmpipe): a workgroup then runs on one
 * thread, a subgroup (SIMD width) at a time, switching subgroups at every barrier.
 */
export function isCpuAdapter(info: Partial<GPUAdapterInfo> | undefined): boolean {
  return info?.isFallbackAdapter === true || info?.architecture === 'swiftshader';
}

/** Units up to which a layer's training update runs weight-update.wgsl rather than matmul.wgsl fed staged. */
export const maxUnitsForRowUpdate = 64;
/** The same on CPU adapters (measured up to 256 units: 784-256-256-10). */
export const maxUnitsForRowUpdateOnCpu = 256;

/**
 * The weight update of a layer with `units` units: 'rows' (weight-update.wgsl: each invocation sums its
 * 8 × 4 weights' gradients over the batch's rows straight from memory) or 'matmul' (matmul.wgsl
 * weightUpdate). Where matmul.wgsl would run this product fed direct (`direct`: the feed measured faster
 * on the adapter, matmul-feed.ts, and a layout that allows vec4 loads), it takes every layer: on SwiftShader
 * it measured 1.5–1.6× the row kernel's speed (docs/webgpu-kernels.md). Fed staged, its 8 × 8 register
 * blocks and 64-row tiles are mostly padding for layers of few units; for wide layers its staged tiles are
 * reused 64 times where the row kernel reads X once per 8 units, which on a GPU with idle cores to spare is
 * the better trade. So staged, the row kernel takes layers up to 64 units on GPUs, and up to 256 on CPU
 * adapters, where it measured faster than the staged product up to 784-256-256-10.
 */
export function weightUpdateKernelFor(
  layer: { units: number },
  adapter: Partial<GPUAdapterInfo> | undefined,
  direct: boolean,
): 'rows' | 'matmul' {
  if (direct) return 'matmul';
  const limit = isCpuAdapter(adapter) ? maxUnitsForRowUpdateOnCpu : maxUnitsForRowUpdate;
  return layer.units <= limit ? 'rows' : 'matmul';
}

/** Invocations of loss.wgsl's one workgroup at most (one per row of a batch up to 256 rows). */
export const maxLossWorkgroupSize = 256;

/**
 * loss.wgsl's workgroup for a batch capacity: the capacity rounded up to a power of two (its reduction
 * halves), at most 256. A batch of 32 then sums 32 partial losses through 5 barriers, not 256 through 8;
 * on CPU adapters every barrier switches between all of a workgroup's subgroups.
 */
export function lossWorkgroupSize(capacity: number): number {
  return Math.min(maxLossWorkgroupSize, 2 ** Math.ceil(Math.log2(Math.max(1, capacity))));
}
