import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AcquiredDevice } from '../../../src/backends/webgpu/device.js';
import { testDevice } from '../../helpers/gpu.js';

let gpu: AcquiredDevice;
beforeAll(async () => {
  gpu = await testDevice();
});
afterAll(() => gpu.device.destroy());

test('a device is acquired and runs a compute pass', async () => {
  const { device } = gpu;
  const module = device.createShaderModule({
    code: '@group(0) @binding(0) var<storage, read_write> data: array<u32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&data)) { data[id.x] = id.x * 3u; } }',
  });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const buffer = device.createBuffer({ size: 400, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const readback = device.createBuffer({
    size: 400,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer } }],
    }),
  );
  pass.dispatchWorkgroups(2);
  pass.end();
  encoder.copyBufferToBuffer(buffer, 0, readback, 0, 400);
  device.queue.submit([encoder.finish()]);
  await readback.mapAsync(GPUMapMode.READ);
  const values = new Uint32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  expect(values[99]).toBe(297);
  expect(gpu.adapterDescription.length).toBeGreaterThan(0);
});
