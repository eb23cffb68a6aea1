// The reference engines look for WebGPU where a browser has it, navigator.gpu: in Node (20 has no
// navigator) give them our one Dawn instance there, so that every engine in the process shares it (Dawn
// wants one create() per process, kept referenced: src/node-platform.ts holds it).

import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';

/**
 * Makes navigator.gpu our WebGPU entry point and gives navigator a userAgent (jax-js reads it to pick its
 * browser-specific settings), defining navigator where Node has none. Returns the entry point.
 */
export async function provideNavigatorGpu(): Promise<GPU | null> {
  const gpu = await webgpuEntryPoint();
  const userAgent = `Node.js/${process.versions.node}`;
  if (typeof navigator === 'undefined') {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu, userAgent }, configurable: true });
    return gpu;
  }
  if (gpu && !navigator.gpu) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  if (!navigator.userAgent)
    Object.defineProperty(navigator, 'userAgent', { value: userAgent, configurable: true });
  return gpu;
}
