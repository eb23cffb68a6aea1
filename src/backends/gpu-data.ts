// The part of the backend contract that only GPU backends have: data, predictions and parameters that
// stay in GPUBuffers (docs/embedding.md). A BackendNetwork offers it as `gpu`; the CPU backend does not.

import { MlpError } from '../errors.js';
import type { GpuData } from '../model/gpu-data.js';
import type { BackendDataset } from './backend.js';

/** One layer's parameters inside a live GPUBuffer: weights [units, inputs] row-major, then biases [units]. */
export interface LayerParameterBuffer {
  buffer: GPUBuffer;
  /** byte offset of w_00 */
  weightsOffset: number;
  /** byte offset of b_0 */
  biasesOffset: number;
  units: number;
  inputs: number;
}

/** The network's live parameter buffers: read-only for the caller, valid until dispose(). */
export interface ParameterBuffers {
  /** changes whenever training or setWeights changes the parameters */
  version: number;
  layers: LayerParameterBuffer[];
}

export interface GpuDataNetwork {
  /**
   * A data set bound in place on the caller's buffers (never destroyed by the backend); usage and sizes
   * were checked (model/gpu-data.ts checkGpuData). Rejects with MlpError('wrong-device') when a buffer
   * belongs to another device.
   */
  adopt(data: Required<GpuData>): Promise<BackendDataset>;
  /** predict() on inputs in a GPUBuffer (checked for 'predict'): the outputs read back. */
  predictFromBuffer(inputs: GPUBuffer, count: number): Promise<Float32Array>;
  /** Records the forward pass into `output` (or a new buffer the caller owns); reads nothing back. */
  predictBuffer(inputs: GPUBuffer, count: number, output?: GPUBuffer): GPUBuffer;
  parameterBuffers(): ParameterBuffers;
}

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
