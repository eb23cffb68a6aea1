// Runs once before the unit tests: fail the whole run, loudly, when there is no WebGPU adapter,
// rather than let GPU tests skip.
import { acquireDevice, noAdapterHelp } from '../src/backends/webgpu/device.js';
import '../src/node-platform.js';

export default async function setup(): Promise<void> {
  const acquired = await acquireDevice();
  if (!acquired) throw new Error(`GPU tests cannot run. ${noAdapterHelp}`);
  acquired.device.destroy();
}
