import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { type AcquiredDevice, acquireDevice } from '../../../src/backends/webgpu/device.js';
import { nodePlatform } from '../../../src/platform.js';
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

describe("workgroup memory: zeroed except on the Node platform's own Dawn instance", () => {
  afterEach(() => vi.unstubAllGlobals());

  const acquiredWith = async (gpu: GPU) => {
    vi.stubGlobal('navigator', { gpu, userAgent: 'test' });
    const acquired = await acquireDevice();
    acquired?.device.destroy();
    return acquired?.workgroupMemoryZeroed;
  };

  test("our instance, even reached through navigator.gpu (the benchmark's reference engines set it), does not zero it", async () => {
    const own = await nodePlatform()?.webgpu();
    if (!own) throw new Error('no Dawn instance');
    expect(await acquiredWith(own)).toBe(false);
  });

  test('another entry point is taken to zero it, as a browser does', async () => {
    const own = await nodePlatform()?.webgpu();
    if (!own) throw new Error('no Dawn instance');
    const foreign = { requestAdapter: (options?: GPURequestAdapterOptions) => own.requestAdapter(options) };
    expect(await acquiredWith(foreign as GPU)).toBe(true);
  });
});
