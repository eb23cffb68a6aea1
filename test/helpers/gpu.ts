// A WebGPU device for a test file, or a failure that says why: never a skip.
import { type AcquiredDevice, acquireDevice, noAdapterHelp } from '../../src/backends/webgpu/device.js';

export async function testDevice(): Promise<AcquiredDevice> {
  const acquired = await acquireDevice();
  if (!acquired) throw new Error(`This test needs WebGPU. ${noAdapterHelp}`);
  return acquired;
}

/** `device` reporting `adapterInfo` instead of its own, so the backend makes the choices it makes there. */
export function withAdapterInfo(device: GPUDevice, adapterInfo: Partial<GPUAdapterInfo>): GPUDevice {
  return new Proxy(device, {
    get(target, key) {
      if (key === 'adapterInfo') return adapterInfo;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * `device` as a GPU adapter would show it (not a fallback adapter, subgroups of 32): the backend then makes
 * the choices it makes on a hardware GPU (the batched kernels at batch sizes > 1, not mini-batch.wgsl),
 * whatever the adapter really is.
 */
export function seenAsGpu(device: GPUDevice): GPUDevice {
  return withAdapterInfo(device, { vendor: 'test', isFallbackAdapter: false, subgroupMinSize: 32 });
}

/**
 * Records the label of every pipeline `device` compiles asynchronously from now on (the kernels' labels
 * name file, entry point and constants), until `restore()`.
 */
export function recordCompiles(device: GPUDevice): { labels: string[]; restore(): void } {
  const labels: string[] = [];
  const compile = device.createComputePipelineAsync;
  device.createComputePipelineAsync = (descriptor) => {
    labels.push(descriptor.label ?? '');
    return compile.call(device, descriptor);
  };
  return {
    labels,
    restore() {
      device.createComputePipelineAsync = compile;
    },
  };
}

/**
 * Compiles `code` (entry point `main`, one storage buffer at binding 0 of `byteLength` bytes), submits one
 * dispatch of `workgroups` and a copy of the buffer into a new mappable one, and returns that one, unmapped:
 * map it to read what the shader wrote.
 */
export function dispatchAndCopy(
  device: GPUDevice,
  code: string,
  workgroups: number,
  byteLength: number,
): GPUBuffer {
  const pipeline = device.createComputePipeline({
    layout: 'auto',
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  const storage = device.createBuffer({
    size: byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const readable = device.createBuffer({
    size: byteLength,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: storage } }],
    }),
  );
  pass.dispatchWorkgroups(workgroups);
  pass.end();
  encoder.copyBufferToBuffer(storage, 0, readable, 0, byteLength);
  device.queue.submit([encoder.finish()]);
  return readable;
}
