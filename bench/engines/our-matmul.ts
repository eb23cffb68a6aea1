// Our side of the matmul microbenchmark: the forward entry point of shaders/matmul.wgsl (the kernel every
// training step runs: z = X·Wᵀ + b, o = f(z), here with f linear and b = 0) on an n×n by n×n product.
// The uniform layout comes from the WGSL through reflect.ts, as in the backend.

import { acquireDevice, noAdapterHelp } from '../../src/backends/webgpu/device.js';
import { activationCodes, matmulKernel, matmulTile } from '../../src/backends/webgpu/kernels.js';
import {
  bindKernel,
  compiledKernels,
  kernelPipeline,
  pipelineOf,
} from '../../src/backends/webgpu/pipelines.js';
import { reflectKernel } from '../../src/backends/webgpu/reflect.js';
import type { MatmulEngine } from './matmul-engine.js';

function uniformBytes(name: string, values: Record<string, number> = {}): ArrayBuffer {
  const layout = reflectKernel(matmulKernel).uniforms.get(name);
  if (!layout) throw new Error(`shaders/matmul.wgsl: no uniform "${name}"`);
  const bytes = new ArrayBuffer(layout.size);
  const view = new DataView(bytes);
  for (const [member, value] of Object.entries(values)) {
    const field = layout.members.get(member);
    if (!field) throw new Error(`shaders/matmul.wgsl: uniform "${name}" has no member "${member}"`);
    view.setUint32(field.offset, value, true);
  }
  return bytes;
}

export async function ourMatmul(): Promise<MatmulEngine> {
  const acquired = await acquireDevice();
  if (!acquired) throw new Error(noAdapterHelp);
  const { device } = acquired;
  const kernel = kernelPipeline(device, matmulKernel, 'forward', { activation: activationCodes.linear });
  await compiledKernels([kernel]);
  return {
    name: 'webgpu',
    async prepare(size, a, b) {
      const buffers: GPUBuffer[] = [];
      const buffer = (byteLength: number, usage: number, contents?: ArrayBuffer | Float32Array) => {
        const created = device.createBuffer({ size: byteLength, usage: usage | GPUBufferUsage.COPY_DST });
        if (contents) device.queue.writeBuffer(created, 0, contents);
        buffers.push(created);
        return created;
      };
      const matrixBytes = size * size * 4;
      const storage = GPUBufferUsage.STORAGE;
      // C = A·B as the forward kernel sees it: left = X = A (rows × depth), right = W with W[n, k] = B(k, n),
      // so B(k, n) = right[k·rightDepthStride + n·rightColumnStride] with strides 1 and n.
      const shape = uniformBytes('shape', {
        rows: size,
        columns: size,
        depth: size,
        leftRowStride: size,
        leftDepthStride: 1,
        rightDepthStride: 1,
        rightColumnStride: size,
        layer: 0,
      });
      const resources = {
        shape: buffer(shape.byteLength, GPUBufferUsage.UNIFORM, shape),
        left: buffer(matrixBytes, storage, a),
        right: buffer(matrixBytes, storage, b),
        product: buffer(matrixBytes, storage | GPUBufferUsage.COPY_SRC),
        bias: buffer(size * 4, storage),
        activated: buffer(matrixBytes, storage),
        // All-zero options: no dropout on any layer.
        options: buffer(uniformBytes('options').byteLength, GPUBufferUsage.UNIFORM),
        control: buffer(16, storage),
        // Read only by layer 0's gathered products (override `gather`), which this is not.
        order: buffer(16, storage),
      };
      const readable = device.createBuffer({
        size: matrixBytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
      buffers.push(readable);
      const { bindGroup } = bindKernel(device, kernel, resources);
      const workgroups = Math.ceil(size / matmulTile);
      return {
        async multiply(count) {
          const encoder = device.createCommandEncoder();
          const pass = encoder.beginComputePass();
          pass.setPipeline(pipelineOf(device, kernel));
          pass.setBindGroup(0, bindGroup);
          for (let i = 0; i < count; i++) pass.dispatchWorkgroups(workgroups, workgroups);
          pass.end();
          // Read the last product back, as TF.js's side does with data(): the work is then done.
          encoder.copyBufferToBuffer(resources.product, 0, readable, 0, matrixBytes);
          device.queue.submit([encoder.finish()]);
          await readable.mapAsync(GPUMapMode.READ);
          readable.unmap();
        },
        dispose() {
          for (const created of buffers) created.destroy();
        },
      };
    },
    dispose() {
      if (acquired.owned) device.destroy();
    },
  };
}
