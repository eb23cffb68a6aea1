// Our side of the matmul microbenchmark: the forward entry point of shaders/matmul.wgsl (the kernel every
// training step runs: z = X·Wᵀ + b, o = f(z), here with f linear and b = 0) on an n×n by n×n product, fed
// as the backend feeds it on this adapter (src/backends/webgpu/matmul-feed.ts measures which feed is
// faster, as createEngine does).

import { acquireDevice, noAdapterHelp } from '../../src/backends/webgpu/device.js';
import { chooseMatmulFeed, standaloneForward } from '../../src/backends/webgpu/matmul-feed.js';
import { compiledKernels } from '../../src/backends/webgpu/pipelines.js';
import type { MatmulEngine } from './matmul-engine.js';

export async function ourMatmul(): Promise<MatmulEngine> {
  const acquired = await acquireDevice();
  if (!acquired) throw new Error(noAdapterHelp);
  const { device, workgroupMemoryZeroed } = acquired;
  const feed = await chooseMatmulFeed(device, workgroupMemoryZeroed);
  return {
    name: 'webgpu',
    note: `matmul.wgsl fed ${feed} (measured for this adapter)`,
    async prepare(size, a, b) {
      const product = standaloneForward(device, { rows: size, columns: size, depth: size }, feed);
      device.queue.writeBuffer(product.left, 0, a);
      // standaloneForward's right operand is Bᵀ, as a layer's weights; the benchmark's b is given as such.
      device.queue.writeBuffer(product.right, 0, b);
      await compiledKernels(product.kernels);
      const matrixBytes = size * size * 4;
      const readable = device.createBuffer({
        size: matrixBytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      return {
        async multiply(count) {
          product.run(count);
          // Read the last product back, as TF.js's side does with data(): the work is then done.
          const encoder = device.createCommandEncoder();
          encoder.copyBufferToBuffer(product.product, 0, readable, 0, matrixBytes);
          device.queue.submit([encoder.finish()]);
          await readable.mapAsync(GPUMapMode.READ);
          readable.unmap();
        },
        dispose() {
          product.destroy();
          readable.destroy();
        },
      };
    },
    dispose() {
      if (acquired.owned) device.destroy();
    },
  };
}
