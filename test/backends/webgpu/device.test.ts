import { afterAll, beforeAll, expect, test } from 'vitest';
import type { AcquiredDevice } from '../../../src/backends/webgpu/device.js';
import { dispatchAndCopy, testDevice } from '../../helpers/gpu.js';

let gpu: AcquiredDevice;
beforeAll(async () => {
  gpu = await testDevice();
});
afterAll(() => gpu.device.destroy());

test('a device is acquired and runs a compute pass', async () => {
  const { device } = gpu;
  const readback = dispatchAndCopy(
    device,
    '@group(0) @binding(0) var<storage, read_write> data: array<u32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) { if (id.x < arrayLength(&data)) { data[id.x] = id.x * 3u; } }',
    2,
    400,
  );
  await readback.mapAsync(GPUMapMode.READ);
  const values = new Uint32Array(readback.getMappedRange().slice(0));
  readback.unmap();
  expect(values[99]).toBe(297);
  expect(gpu.adapterDescription.length).toBeGreaterThan(0);
});
