// Reaching the GPU part of a backend network (BackendNetwork.gpu: docs/embedding.md), or saying clearly
// that this backend has none.

import { MlpError } from '../errors.js';
import type { GpuDataNetwork } from './backend.js';

/** The network's GPU part, or MlpError('wrong-backend') when its backend keeps data on the CPU. */
export function gpuPart(network: { gpu?: GpuDataNetwork }, what: string): GpuDataNetwork {
  if (!network.gpu) {
    throw new MlpError(
      'wrong-backend',
      `${what}: GPUBuffers need the webgpu backend; this engine computes on the CPU (pass Float32Arrays, or createEngine({ backend: 'webgpu', device }))`,
    );
  }
  return network.gpu;
}
