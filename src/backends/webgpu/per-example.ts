// Per-example SGD in one dispatch per 256 steps (shaders/per-example.wgsl): for small networks trained at
// batch size 1, where ~16 dispatches per step would cost more than the arithmetic. The per-layer parameter
// and velocity buffers are copied (on the GPU) into packed buffers before, and back after, so every other
// kernel keeps seeing the usual layout.

import type { NetworkSpec } from '../../model/spec.js';
import { activationCodes, lossCodes, perExampleKernel } from './kernels.js';
import { type GpuDatasetBuffers, type NetworkBuffers, parameterCount } from './network-buffers.js';
import { type BoundKernel, bindKernel, kernelPipeline } from './pipelines.js';
import { encodeUniform } from './reflect.js';
import type { CommandRecorder, GpuMemory } from './scheduler.js';

/** Steps one dispatch runs at most (and entries in the static buffer of step counts). */
export const maxStepsPerDispatch = 256;
/** Layers per-example.wgsl's NetworkTable holds. */
const maxLayers = 8;
/** Invocations of per-example.wgsl's one workgroup, each with one float of scratch. */
const workgroupInvocations = 64;

function sizes(spec: NetworkSpec) {
  let inputs = spec.inputSize;
  let parameters = 0;
  let units = 0;
  for (const layer of spec.layers) {
    parameters += layer.units * inputs + layer.units;
    units += layer.units;
    inputs = layer.units;
  }
  return { parameters, units };
}

/**
 * Whether the fused kernel takes a network: at most 8 layers, and its weights, z, o and δ of every unit and
 * 64 floats of scratch fit the device's workgroup memory (16 KiB by default: e.g. 960-3-4 with 2,899
 * parameters, or about 3,800 parameters in all).
 */
export function perExampleFits(device: GPUDevice, spec: NetworkSpec): boolean {
  const { parameters, units } = sizes(spec);
  const bytes = 4 * (parameters + 3 * units + workgroupInvocations);
  return spec.layers.length <= maxLayers && bytes <= device.limits.maxComputeWorkgroupStorageSize;
}

export class PerExampleTrainer {
  private readonly packedParameters: GPUBuffer;
  private readonly packedVelocity: GPUBuffer;
  private readonly table: GPUBuffer;
  private readonly stepCounts: GPUBuffer;
  private readonly stepCountStride: number;
  private readonly bound = new Map<GpuDatasetBuffers, BoundKernel>();
  private readonly constants: Record<string, number | boolean>;

  constructor(
    private readonly memory: GpuMemory,
    private readonly net: NetworkBuffers,
    nesterov: boolean,
  ) {
    const { spec } = net;
    const { parameters, units } = sizes(spec);
    this.constants = { parameterCount: parameters, unitCount: units, nesterov };
    this.packedParameters = memory.storage('packed parameters', parameters * 4);
    this.packedVelocity = memory.storage('packed velocity', parameters * 4);
    const layers: number[] = [];
    const offsets: number[] = [];
    let weightOffset = 0;
    let unitOffset = 0;
    for (const layer of net.layers) {
      const biasOffset = weightOffset + layer.units * layer.inputs;
      layers.push(layer.inputs, layer.units, activationCodes[layer.activation], weightOffset);
      offsets.push(biasOffset, unitOffset, 0, 0);
      weightOffset = biasOffset + layer.units;
      unitOffset += layer.units;
    }
    this.table = memory.uniform(
      'per-example network',
      encodeUniform(perExampleKernel, 'network', {
        layerCount: net.layers.length,
        loss: lossCodes[spec.loss],
        layers,
        offsets,
      }),
    );
    // Entry k holds k + 1: a dispatch of n steps binds offset (n − 1)·stride, so no step count is uploaded.
    this.stepCountStride = memory.device.limits.minUniformBufferOffsetAlignment;
    const counts = new Uint32Array((maxStepsPerDispatch * this.stepCountStride) / 4);
    for (let k = 0; k < maxStepsPerDispatch; k++) counts[(k * this.stepCountStride) / 4] = k + 1;
    this.stepCounts = memory.uniform('per-example step counts', counts.buffer);
  }

  private kernelFor(dataset: GpuDatasetBuffers): BoundKernel {
    let bound = this.bound.get(dataset);
    if (!bound) {
      const { device } = this.memory;
      bound = bindKernel(device, kernelPipeline(device, perExampleKernel, 'train', this.constants), {
        run: this.stepCounts,
        network: this.table,
        options: this.net.trainingOptions,
        control: this.net.control,
        order: dataset.order,
        datasetInputs: dataset.inputs,
        datasetTargets: dataset.targets,
        parameters: this.packedParameters,
        velocity: this.packedVelocity,
        metrics: this.net.trainingMetrics,
      });
      this.bound.set(dataset, bound);
    }
    return bound;
  }

  /** Records `steps` per-example steps on the data set's order, from its device-side cursor. */
  record(recorder: CommandRecorder, dataset: GpuDatasetBuffers, steps: number): void {
    const parts = this.net.layers.map((layer) => ({
      parameters: layer.parameters,
      velocity: layer.slots[0],
      byteLength: parameterCount(layer) * 4,
    }));
    let offset = 0;
    for (const part of parts) {
      recorder.copy(part.parameters, 0, this.packedParameters, offset, part.byteLength);
      recorder.copy(part.velocity, 0, this.packedVelocity, offset, part.byteLength);
      offset += part.byteLength;
    }
    const kernel = this.kernelFor(dataset);
    for (let done = 0; done < steps; done += maxStepsPerDispatch) {
      const count = Math.min(maxStepsPerDispatch, steps - done);
      recorder.dispatch(kernel, 1, 1, [(count - 1) * this.stepCountStride]);
    }
    offset = 0;
    for (const part of parts) {
      recorder.copy(this.packedParameters, offset, part.parameters, 0, part.byteLength);
      recorder.copy(this.packedVelocity, offset, part.velocity, 0, part.byteLength);
      offset += part.byteLength;
    }
  }

  forgetDataset(dataset: GpuDatasetBuffers): void {
    this.bound.delete(dataset);
  }

  destroy(): void {
    for (const buffer of [this.packedParameters, this.packedVelocity, this.table, this.stepCounts]) {
      this.memory.destroy(buffer);
    }
    this.bound.clear();
  }
}
