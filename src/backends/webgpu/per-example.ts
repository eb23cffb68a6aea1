// Per-example training in one dispatch per 256 steps (shaders/per-example.wgsl): for networks trained at
// batch size 1, where 3 dispatches per layer and step would cost more than the arithmetic. The per-layer parameter
// and optimizer-slot buffers are copied (on the GPU) into packed buffers before, and back after, so every
// other kernel keeps seeing the usual layout. FusedTrainer runs this kernel and its mini-batch twin
// (mini-batch.ts), which share bindings, network table and packing.

import { type OptimizerSpec, slotCount } from '../../model/optimizer.js';
import type { NetworkSpec } from '../../model/spec.js';
import { isCpuAdapter } from './kernel-choice.js';
import { activationCodes, type KernelFamily, lossCodes, perExampleKernel } from './kernels.js';
import { type GpuDatasetBuffers, type NetworkBuffers, parameterCount } from './network-buffers.js';
import { type BoundKernel, bindKernel, kernelPipeline } from './pipelines.js';
import { encodeUniform } from './reflect.js';
import type { CommandRecorder, GpuMemory } from './scheduler.js';

/** Steps one dispatch runs at most (and entries in the static buffer of step counts). */
export const maxStepsPerDispatch = 256;
/** Layers per-example.wgsl's NetworkTable holds. */
const maxLayers = 8;
/** Floats of per-example.wgsl's `partials` per invocation when they fit: layers of ≤ 4 units need 4. */
const widePartials = 4;
/** fused-output.wgsl's hiddenActivation for hidden layers of different activations (or none). */
const mixedActivations = 6;
/** Invocations of the one workgroup on a GPU. */
const gpuWorkgroupSize = 64;

/** What the fused kernel does on an adapter. */
export interface PerExampleDevice {
  /** invocations of the one workgroup */
  workgroupSize: number;
  /** whether networks whose weights do not fit workgroup memory run it too, weights in storage */
  storageWeights: boolean;
  /** whether weights that fit workgroup memory go there (else they stay in storage) */
  workgroupWeights: boolean;
}

/** Where per-example.wgsl keeps what, for one network, optimizer and device. */
export interface PerExampleLayout {
  workgroupSize: number;
  /** the weights in workgroup memory (else they stay in the packed storage buffer) */
  weightsInWorkgroup: boolean;
  /** the optimizer slots in workgroup memory */
  slotsInWorkgroup: boolean;
  /** floats of scratch: 4 per invocation when they fit after the rest, else 1 */
  partialCount: number;
}

/**
 * `workgroupSize` invocations (as measured for the adapter, per-example-workgroup.ts; ruleWorkgroupSize before).
 * On a CPU adapter (SwiftShader, WARP, llvmpipe: isFallbackAdapter) a workgroup runs on one thread, one
 * subgroup (SIMD width) at a time, switching at every barrier, and one workgroup with the weights in
 * storage still beats ~11 dispatches per step by far (measured on SwiftShader, README).
 * On a GPU, only networks whose weights fit workgroup memory: one workgroup streaming a large network's
 * weights from storage would leave the rest of the chip idle.
 * On a CPU adapter whose workgroup memory the implementation zero-initialises (a browser; any device the
 * caller gives), the weights stay in storage even when they fit: SwiftShader's compile time grows with the
 * workgroup arrays when Dawn zeroes them (960-3-4 with sgd: about 6 s against 1.3 s), and workgroup weights
 * save only ~20% of a steady epoch there (docs/webgpu-design.md "Pipeline compilation").
 */
export function perExampleDevice(
  info: Partial<GPUAdapterInfo> | undefined,
  workgroupMemoryZeroed: boolean,
  workgroupSize = ruleWorkgroupSize(info),
): PerExampleDevice {
  if (isCpuAdapter(info)) {
    return { workgroupSize, storageWeights: true, workgroupWeights: !workgroupMemoryZeroed };
  }
  return { workgroupSize, storageWeights: false, workgroupWeights: true };
}

/**
 * The workgroup size the rule gives an adapter: one subgroup on a CPU adapter, 64 invocations on a GPU.
 * The backend measures others against it (per-example-workgroup.ts).
 */
export function ruleWorkgroupSize(info: Partial<GPUAdapterInfo> | undefined): number {
  return isCpuAdapter(info) ? Math.max(1, info?.subgroupMinSize ?? 4) : gpuWorkgroupSize;
}

export function sizes(spec: NetworkSpec) {
  let inputs = spec.inputSize;
  let parameters = 0;
  let units = 0;
  let blocks = 0;
  for (const layer of spec.layers) {
    parameters += layer.units * inputs + layer.units;
    units += layer.units;
    blocks += Math.ceil(layer.units / 4);
    inputs = layer.units;
  }
  return { parameters, units, blocks };
}

/**
 * How the fused kernel takes a network, or undefined when it does not: at most 8 layers, and z, o and δ
 * of every unit and one float per invocation must fit the device's workgroup memory
 * (maxComputeWorkgroupStorageSize, 16 KiB by default); then the weights go there when they fit too (960-3-4
 * has 2,899 parameters) and the device wants them there (workgroupWeights) — else they stay in storage where
 * the device allows it — then the optimizer slots,
 * then 3 more floats of scratch per invocation.
 */
export function perExampleLayout(
  limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>,
  spec: NetworkSpec,
  optimizer: OptimizerSpec,
  device: PerExampleDevice,
): PerExampleLayout | undefined {
  const { parameters, units } = sizes(spec);
  const capacity = limits.maxComputeWorkgroupStorageSize / 4;
  // z, o and δ (3 more) of every unit, one float of scratch per invocation
  const always = 3 * units + 3 + device.workgroupSize;
  if (spec.layers.length > maxLayers || always > capacity) return undefined;
  const weightsInWorkgroup = device.workgroupWeights && always + parameters <= capacity;
  if (!weightsInWorkgroup && !device.storageWeights) return undefined;
  const slotsInWorkgroup =
    weightsInWorkgroup && always + parameters * (1 + slotCount(optimizer.kind)) <= capacity;
  const held =
    always +
    (weightsInWorkgroup ? parameters : 0) +
    (slotsInWorkgroup ? parameters * slotCount(optimizer.kind) : 0);
  const wide = held + (widePartials - 1) * device.workgroupSize <= capacity;
  return {
    workgroupSize: device.workgroupSize,
    weightsInWorkgroup,
    slotsInWorkgroup,
    partialCount: (wide ? widePartials : 1) * device.workgroupSize,
  };
}

/** A fused kernel (per-example.wgsl or mini-batch.wgsl) and its override constants for one network. */
export interface FusedKernel {
  family: KernelFamily;
  constants: Record<string, number | boolean>;
}

/** per-example.wgsl's constants for a network, optimizer and layout. */
export function perExampleKernelFor(
  spec: NetworkSpec,
  optimizer: OptimizerSpec,
  dropout: boolean,
  layout: PerExampleLayout,
): FusedKernel {
  const { parameters, units } = sizes(spec);
  const slots = slotCount(optimizer.kind);
  return {
    family: perExampleKernel,
    constants: {
      workgroupSize: layout.workgroupSize,
      parameterCount: parameters,
      unitCount: units,
      partialCount: layout.partialCount,
      weightsInWorkgroup: layout.weightsInWorkgroup,
      workgroupWeightCount: layout.weightsInWorkgroup ? parameters : 1,
      slotsInWorkgroup: layout.slotsInWorkgroup,
      workgroupSlotCount: layout.slotsInWorkgroup ? parameters * slots : 1,
      // every layer takes all its units per input (per-example.wgsl takesAllUnits)
      narrowLayers: spec.layers.every(
        (layer) => layer.units <= widePartials && layer.units * layout.workgroupSize <= layout.partialCount,
      ),
      ...sharedConstants(spec, optimizer, dropout),
    },
  };
}

/**
 * The overrides both fused kernels share: fused-update.wgsl's (the optimizer), fused-output.wgsl's (the
 * loss, the output layer's activation and the hidden layers' when they all have the one) and `dropout`
 * (whether a hidden layer drops units): constants, so that the pipeline holds only the code the network
 * and the fit use (SwiftShader compiles every branch).
 */
export function sharedConstants(
  spec: NetworkSpec,
  optimizer: OptimizerSpec,
  dropout: boolean,
): Record<string, number | boolean> {
  const hidden = new Set(spec.layers.slice(0, -1).map((layer) => activationCodes[layer.activation]));
  return {
    dropout,
    optimizer: optimizer.kind === 'sgd' ? 0 : 1,
    nesterov: optimizer.kind === 'sgd' && optimizer.nesterov,
    decoupledDecay: optimizer.kind === 'adamw',
    loss: lossCodes[spec.loss],
    outputActivation: activationCodes[spec.layers[spec.layers.length - 1].activation],
    outputCount: spec.layers[spec.layers.length - 1].units,
    hiddenActivation: hidden.size === 1 ? [...hidden][0] : mixedActivations,
  };
}

/** Runs a fused kernel: many training steps per dispatch on packed copies of the parameters and slots. */
export class FusedTrainer {
  private readonly packedParameters: GPUBuffer;
  private readonly packedSlots: GPUBuffer;
  private readonly slotCount: number;
  private readonly parameterBytes: number;
  private readonly table: GPUBuffer;
  private readonly stepCounts: GPUBuffer;
  private readonly stepCountStride: number;
  private readonly bound = new Map<GpuDatasetBuffers, BoundKernel>();

  constructor(
    private readonly memory: GpuMemory,
    private readonly net: NetworkBuffers,
    optimizer: OptimizerSpec,
    private readonly kernel: FusedKernel,
  ) {
    const { spec } = net;
    const { parameters } = sizes(spec);
    this.slotCount = slotCount(optimizer.kind);
    this.parameterBytes = parameters * 4;
    this.packedParameters = memory.storage('packed parameters', parameters * 4);
    this.packedSlots = memory.storage('packed optimizer slots', parameters * this.slotCount * 4);
    // The kernels derive the bias and input offsets from these (their biases follow their weights; a
    // layer's inputs are the outputs of the one below, stored before its own), so that one row per layer
    // holds what both passes read.
    const layers: number[] = [];
    const extras: number[] = [];
    let weightOffset = 0;
    let unitOffset = 0;
    let blockOffset = 0;
    for (const layer of net.layers) {
      layers.push(layer.inputs, layer.units, unitOffset, weightOffset);
      extras.push(activationCodes[layer.activation], blockOffset, 0, 0);
      weightOffset += (layer.inputs + 1) * layer.units;
      unitOffset += layer.units;
      blockOffset += Math.ceil(layer.units / 4);
    }
    this.table = memory.uniform(
      `${kernel.family.file} network`,
      encodeUniform(kernel.family, 'network', {
        layerCount: net.layers.length,
        layers,
        extras,
      }),
    );
    // Entry k holds k + 1: a dispatch of n steps binds offset (n − 1)·stride, so no step count is uploaded.
    this.stepCountStride = memory.device.limits.minUniformBufferOffsetAlignment;
    const counts = new Uint32Array((maxStepsPerDispatch * this.stepCountStride) / 4);
    for (let k = 0; k < maxStepsPerDispatch; k++) counts[(k * this.stepCountStride) / 4] = k + 1;
    this.stepCounts = memory.uniform(`${kernel.family.file} step counts`, counts.buffer);
  }

  private kernelFor(dataset: GpuDatasetBuffers): BoundKernel {
    let bound = this.bound.get(dataset);
    if (!bound) {
      const { device } = this.memory;
      const { family, constants } = this.kernel;
      bound = bindKernel(device, kernelPipeline(device, family, 'train', constants), {
        run: this.stepCounts,
        network: this.table,
        options: this.net.trainingOptions,
        control: this.net.control,
        order: dataset.order,
        datasetInputs: dataset.inputs,
        datasetTargets: dataset.targets,
        parameters: this.packedParameters,
        slots: this.packedSlots,
        metrics: this.net.trainingMetrics,
      });
      this.bound.set(dataset, bound);
    }
    return bound;
  }

  /** Records `steps` training steps on the data set's order, from its device-side cursor. */
  record(recorder: CommandRecorder, dataset: GpuDatasetBuffers, steps: number): void {
    const parts = this.net.layers.map((layer) => ({
      parameters: layer.parameters,
      slots: layer.slots,
      byteLength: parameterCount(layer) * 4,
    }));
    const copy = (toPacked: boolean) => {
      let offset = 0;
      for (const part of parts) {
        const pairs: [GPUBuffer, GPUBuffer, number][] = [[part.parameters, this.packedParameters, offset]];
        for (let k = 0; k < this.slotCount; k++)
          pairs.push([part.slots[k], this.packedSlots, k * this.parameterBytes + offset]);
        for (const [own, packed, at] of pairs) {
          if (toPacked) recorder.copy(own, 0, packed, at, part.byteLength);
          else recorder.copy(packed, at, own, 0, part.byteLength);
        }
        offset += part.byteLength;
      }
    };
    copy(true);
    const kernel = this.kernelFor(dataset);
    for (let done = 0; done < steps; done += maxStepsPerDispatch) {
      const count = Math.min(maxStepsPerDispatch, steps - done);
      recorder.dispatch(kernel, 1, 1, [(count - 1) * this.stepCountStride]);
    }
    copy(false);
  }

  /** Whether this trainer runs `kernel` (same family and constants). */
  runs(kernel: FusedKernel): boolean {
    return (
      kernel.family === this.kernel.family &&
      JSON.stringify(kernel.constants) === JSON.stringify(this.kernel.constants)
    );
  }

  forgetDataset(dataset: GpuDatasetBuffers): void {
    this.bound.delete(dataset);
  }

  destroy(): void {
    for (const buffer of [this.packedParameters, this.packedSlots, this.table, this.stepCounts]) {
      this.memory.destroy(buffer);
    }
    this.bound.clear();
  }
}
