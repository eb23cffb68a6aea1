// The WebGPU backend runs the one conformance suite, on a device of its own (SwiftShader here), and again
// on a device seen as a GPU adapter: on a CPU adapter small networks at batch sizes > 1 train on the fused
// mini-batch kernel, so the second run keeps the batched kernels (a GPU's path) under the same checks.
// The first runs matmul.wgsl fed texels and subgroup (what SwiftShader measures fastest), the second
// staged (a GPU's), all pinned so that none depends on a timing; kernels.test.ts runs the direct feed too.
import { afterAll, expect } from 'vitest';
import { matmulFeedOf, useMatmulFeed } from '../../../src/backends/webgpu/matmul-feed.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { seenAsGpu, testDevice } from '../../helpers/gpu.js';
import { describeBackendConformance } from '../conformance.js';

for (const feed of ['texels', 'subgroup'] as const) {
  describeBackendConformance(`webgpu fed ${feed}`, async () => {
    const backend = await WebGpuBackend.create();
    useMatmulFeed(backend.device, feed);
    expect(matmulFeedOf(backend.device)).toBe(feed);
    return backend;
  });
}

let device: GPUDevice | undefined;
afterAll(() => device?.destroy());
describeBackendConformance('webgpu seen as a GPU adapter', async () => {
  const acquired = await testDevice();
  device = acquired.device;
  const backend = await WebGpuBackend.create(seenAsGpu(device), acquired.workgroupMemoryZeroed);
  useMatmulFeed(backend.device, 'staged');
  return backend;
});
