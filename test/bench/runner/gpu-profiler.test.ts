import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installGpuProfiler, profileGpu } from '../../../bench/runner/gpu-profiler.js';
import type { AcquiredDevice } from '../../../src/backends/webgpu/device.js';
import { testDevice } from '../../helpers/gpu.js';

let acquired: AcquiredDevice;

beforeAll(async () => {
  acquired = await testDevice();
  installGpuProfiler();
});

afterAll(() => acquired.device.destroy());

describe('bench/runner/gpu-profiler', () => {
  it('times each dispatch by family and keeps what the dispatches compute', async () => {
    const { device } = acquired;
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> counts: array<u32>;
             @compute @workgroup_size(64) fn addOne(@builtin(global_invocation_id) id: vec3u) {
               if (id.x < arrayLength(&counts)) { counts[id.x] += 1u; }
             }`,
    });
    const pipeline = device.createComputePipeline({
      label: 'counts.wgsl addOne:{"variant":1}',
      layout: 'auto',
      compute: { module, entryPoint: 'addOne' },
    });
    const counts = device.createBuffer({
      size: 256 * 4,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    });
    const readable = device.createBuffer({
      size: 256 * 4,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: counts } }],
    });
    const times = await profileGpu(async () => {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < 3; i++) pass.dispatchWorkgroups(4);
      pass.end();
      encoder.copyBufferToBuffer(counts, 0, readable, 0, 256 * 4);
      device.queue.submit([encoder.finish()]);
      await readable.mapAsync(GPUMapMode.READ);
    });
    const values = new Uint32Array(readable.getMappedRange().slice(0));
    readable.unmap();
    expect(new Set(values)).toEqual(new Set([3]));
    expect([...times.keys()]).toEqual(['counts.wgsl addOne']);
    const time = times.get('counts.wgsl addOne');
    expect(time?.dispatches).toBe(3);
    expect(time?.milliseconds).toBeGreaterThan(0);
    counts.destroy();
    readable.destroy();
  });
});
