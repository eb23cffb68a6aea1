import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AcquiredDevice } from '../../../src/backends/webgpu/device.js';
import { mapForReading } from '../../../src/backends/webgpu/readback-wait.js';
import { dispatchAndCopy, testDevice } from '../../helpers/gpu.js';

let gpu: AcquiredDevice;
beforeAll(async () => {
  gpu = await testDevice();
});
afterAll(() => gpu.device.destroy());

/**
 * A buffer whose GPU work ends `busyMs` after it is made: mapAsync resolves (as Dawn does, within a turn of
 * the event loop) once that time has passed, and a map still pending when unmap is called rejects with an
 * AbortError, as the WebGPU specification says; or every map fails with `failure`.
 */
function fakeBuffer(busyMs: number, failure?: Error) {
  const readyAt = performance.now() + busyMs;
  const calls = { maps: 0, unmaps: 0, mapped: false };
  let cancel: ((error: Error) => void) | undefined;
  const buffer = {
    mapAsync(): Promise<void> {
      calls.maps++;
      if (failure) return Promise.reject(failure);
      if (performance.now() >= readyAt) {
        calls.mapped = true;
        return Promise.resolve();
      }
      return new Promise<void>((_, reject) => {
        cancel = reject;
      });
    },
    unmap() {
      calls.unmaps++;
      cancel?.(new DOMException('mapping cancelled by unmap', 'AbortError'));
      cancel = undefined;
    },
  };
  return { buffer: buffer as unknown as GPUBuffer, calls };
}

describe('mapForReading', () => {
  test('polling tries a map per turn, cancels those the GPU has not finished, and maps once it has', async () => {
    const { buffer, calls } = fakeBuffer(40);
    const start = performance.now();
    const tries = await mapForReading(buffer, true);
    expect(performance.now() - start).toBeGreaterThanOrEqual(39);
    expect(calls.mapped).toBe(true);
    expect(tries).toBeGreaterThan(1);
    expect(calls.maps).toBe(tries);
    expect(calls.unmaps).toBe(tries - 1);
  });

  test('polling stops at the first map that fails for another reason than its cancelling', async () => {
    const lost = new DOMException('device lost', 'OperationError');
    const { buffer, calls } = fakeBuffer(0, lost);
    await expect(mapForReading(buffer, true)).rejects.toBe(lost);
    expect(calls.maps).toBe(1);
  });

  test('without polling, mapAsync is awaited once', async () => {
    const { buffer, calls } = fakeBuffer(30);
    const waiting = mapForReading(buffer, false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toEqual({ maps: 1, unmaps: 0, mapped: false });
    buffer.unmap();
    await expect(waiting).rejects.toThrow('cancelled');
  });

  test('a polled readback of a real dispatch gives the values the GPU wrote', async () => {
    const { device } = gpu;
    // long enough on SwiftShader that the first tries find the GPU busy
    const code = `@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id: vec3u) {
  var s = 0.0;
  for (var i = 0u; i < 2000000u; i++) { s = s * 0.5 + 1.0; }
  data[id.x] = s + f32(id.x);
}`;
    const readable = dispatchAndCopy(device, code, 2, 32);
    expect(await mapForReading(readable, true)).toBeGreaterThanOrEqual(1);
    expect([...new Float32Array(readable.getMappedRange())]).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    readable.unmap();
  });
});
