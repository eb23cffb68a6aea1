// A WebGPU device for a test file, or a failure that says why: never a skip.
import { type AcquiredDevice, acquireDevice, noAdapterHelp } from '../../src/backends/webgpu/device.js';

export async function testDevice(): Promise<AcquiredDevice> {
  const acquired = await acquireDevice();
  if (!acquired) throw new Error(`This test needs WebGPU. ${noAdapterHelp}`);
  return acquired;
}
