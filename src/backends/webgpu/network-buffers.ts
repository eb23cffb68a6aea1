// The GPU buffers of one network that live as long as it: parameters, gradients, optimizer slots (one buffer
// of each per layer: weights then biases), the step counter, metrics and options; and the layouts and limits
// the kernels share (binding limits, matmul shapes, the step options' encoding). The per-row buffers of one
// batch capacity and the kernels bound to them are workspace.ts.

import { MlpError } from '../../errors.js';
import type { Activation, NetworkSpec } from '../../model/spec.js';
import type { Metrics } from '../backend.js';
import { lossKernel, matmulBlock, matmulKernel, type optimizerCodes } from './kernels.js';
import { encodeUniform, storageMemberOffset, structLayout, type UniformValues } from './reflect.js';
import type { GpuMemory } from './scheduler.js';

const floatBytes = 4;

/** Largest buffer a kernel may bind on this device. */
export function bindingLimit(device: GPUDevice): number {
  return Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
}

/** Refuses a buffer the device cannot bind, naming what it is for. */
export function checkBindingSize(device: GPUDevice, what: string, byteLength: number): void {
  const limit = bindingLimit(device);
  if (byteLength > limit) {
    throw new MlpError(
      'device-limit',
      `${what} needs ${byteLength} bytes in one GPU buffer; this device binds at most ${limit} bytes (maxStorageBufferBindingSize / maxBufferSize)`,
    );
  }
}

/** The sizes and operand strides of one matmul.wgsl product. */
export interface MatmulLayout {
  rows: number;
  columns: number;
  depth: number;
  leftRowStride: number;
  leftDepthStride: number;
  rightDepthStride: number;
  rightColumnStride: number;
}

/** matmul.wgsl's shape uniform. */
export interface MatmulShape extends MatmulLayout {
  layer: number;
  biasOffset: number;
}

/**
 * Whether matmul.wgsl may stage a product's operands with vec4 loads: each operand is contiguous along one
 * dimension whose size is a multiple of 4, and its other stride is a multiple of 4 (so vectors are aligned
 * and lie wholly inside or outside the matrix).
 */
export function vectorLoadsFit(shape: MatmulLayout): boolean {
  const fits = (contiguous: number, size: number, otherStride: number) =>
    contiguous === 1 && size % 4 === 0 && otherStride % 4 === 0;
  const left =
    fits(shape.leftDepthStride, shape.depth, shape.leftRowStride) ||
    fits(shape.leftRowStride, shape.rows, shape.leftDepthStride);
  const right =
    fits(shape.rightDepthStride, shape.depth, shape.rightColumnStride) ||
    fits(shape.rightColumnStride, shape.columns, shape.rightDepthStride);
  return left && right;
}

/**
 * matmul.wgsl's grid of invocations for a product: 8 × 8 (64 × 64 tiles), narrowed to the blocks a product
 * with fewer rows or columns needs (960-3-4's forward at batch 32: 4 × 1), so small layers do not pay for a
 * tile of padding.
 */
export function matmulGrid(shape: Pick<MatmulLayout, 'rows' | 'columns'>): {
  workgroupRows: number;
  workgroupColumns: number;
} {
  const blocks = (size: number) => Math.min(8, Math.max(1, Math.ceil(size / matmulBlock)));
  return { workgroupRows: blocks(shape.rows), workgroupColumns: blocks(shape.columns) };
}

export interface LayerBuffers {
  inputs: number;
  units: number;
  activation: Activation;
  /** weights [units, inputs] row-major, then biases [units] from element units·inputs (matmul.wgsl) */
  parameters: GPUBuffer;
  /** the gradients() result, in the parameters' layout */
  gradient: GPUBuffer;
  /** optimizer slots 0 and 1 (sgd uses slot 0), in the parameters' layout */
  slots: [GPUBuffer, GPUBuffer];
}

/** Elements of a layer's parameter buffer: its weights, then its biases. */
export function parameterCount(layer: { inputs: number; units: number }): number {
  return layer.units * layer.inputs + layer.units;
}

/** Byte layout of loss.wgsl's Metrics struct, read from the shader. */
export function metricsLayout() {
  const { size, offsets } = structLayout(lossKernel, 'Metrics', [
    'lossSum',
    'lossCompensation',
    'correct',
    'count',
    'nonFinite',
  ] as const);
  return { size, ...offsets };
}

/** The metrics loss.wgsl sums (Metrics at `layout`'s offsets), as the backend contract gives them. */
export function parseMetrics(bytes: ArrayBuffer, layout: ReturnType<typeof metricsLayout>): Metrics {
  const view = new DataView(bytes);
  // Kahan: the compensation holds the low-order part that the float32 sum lost, negated.
  const lossSum = view.getFloat32(layout.lossSum, true) - view.getFloat32(layout.lossCompensation, true);
  return {
    lossSum,
    correct: view.getUint32(layout.correct, true),
    count: view.getUint32(layout.count, true),
    finite: view.getUint32(layout.nonFinite, true) === 0 && Number.isFinite(lossSum),
  };
}

export class NetworkBuffers {
  readonly layers: LayerBuffers[];
  readonly control: GPUBuffer;
  /** bound as matmul.wgsl's `order` by kernels that gather nothing (never read) */
  readonly noOrder: GPUBuffer;
  readonly trainingMetrics: GPUBuffer;
  readonly evaluationMetrics: GPUBuffer;
  readonly confusion: GPUBuffer;
  readonly trainingOptions: GPUBuffer;
  readonly inferenceOptions: GPUBuffer;
  readonly classes: number;

  constructor(
    private readonly memory: GpuMemory,
    readonly spec: NetworkSpec,
  ) {
    const { device } = memory;
    // Every layer is checked before any buffer is made, so a refused network leaves nothing behind.
    let inputs = spec.inputSize;
    spec.layers.forEach(({ units }, l) => {
      const bytes = parameterCount({ units, inputs }) * floatBytes;
      checkBindingSize(device, `layer ${l} (${units} units × ${inputs} inputs, weights and biases)`, bytes);
      inputs = units;
    });
    inputs = spec.inputSize;
    this.layers = spec.layers.map(({ units, activation }, l) => {
      const bytes = parameterCount({ units, inputs }) * floatBytes;
      const layer: LayerBuffers = {
        inputs,
        units,
        activation,
        parameters: memory.storage(`parameters ${l}`, bytes),
        gradient: memory.storage(`gradient ${l}`, bytes),
        slots: [memory.storage(`slot 0 ${l}`, bytes), memory.storage(`slot 1 ${l}`, bytes)],
      };
      inputs = units;
      return layer;
    });
    const outputs = spec.layers[spec.layers.length - 1].units;
    this.classes = outputs === 1 ? 2 : outputs;
    const metricsBytes = metricsLayout().size;
    this.control = memory.storage('control', floatBytes);
    this.noOrder = memory.storage('no order', storageMemberOffset(lossKernel, 'Order', 'examples') + 4);
    this.trainingMetrics = memory.storage('training metrics', metricsBytes);
    this.evaluationMetrics = memory.storage('evaluation metrics', metricsBytes);
    this.confusion = memory.storage('confusion', this.classes * this.classes * 4);
    const noOptions = encodeStepOptions({ batchSize: 0 });
    this.trainingOptions = memory.uniform('training options', noOptions);
    this.inferenceOptions = memory.uniform('inference options', noOptions);
  }

  /** Every layer's parameters (weights then biases), in readParams order. */
  parameterBuffers(): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layerRanges((layer) => layer.parameters);
  }

  slotBuffers(slot: number): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layerRanges((layer) => layer.slots[slot]);
  }

  gradientBuffers(): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layerRanges((layer) => layer.gradient);
  }

  /** One buffer of each layer, all in the parameters' layout, with the bytes it holds. */
  private layerRanges(pick: (layer: LayerBuffers) => GPUBuffer): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layers.map((layer) => ({
      buffer: pick(layer),
      byteLength: parameterCount(layer) * floatBytes,
    }));
  }

  destroy(): void {
    for (const layer of this.layers) {
      for (const buffer of [layer.parameters, layer.gradient, ...layer.slots]) this.memory.destroy(buffer);
    }
    for (const buffer of [
      this.control,
      this.noOrder,
      this.trainingMetrics,
      this.evaluationMetrics,
      this.confusion,
      this.trainingOptions,
      this.inferenceOptions,
    ]) {
      this.memory.destroy(buffer);
    }
  }
}

export interface StepOptionValues {
  learningRate?: number;
  l1?: number;
  l2?: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  decayBiases?: boolean;
  dropoutSeed?: number;
  batchSize: number;
  /** dropout rate per hidden layer */
  dropout?: readonly number[];
}

/** The most hidden layers step.wgsl's StepOptions holds dropout rates for. */
export const maxDropoutLayers = 32;

/** The bytes of step.wgsl's StepOptions. Dropout: keep when (hash >> 8) ≥ ceil(rate · 2^24), exactly. */
export function encodeStepOptions(values: StepOptionValues): ArrayBuffer {
  const rates = values.dropout ?? [];
  if (rates.length > maxDropoutLayers && rates.slice(maxDropoutLayers).some((rate) => rate > 0)) {
    throw new MlpError(
      'invalid-argument',
      `dropout: the WebGPU backend takes dropout on at most ${maxDropoutLayers} hidden layers, got ${rates.length}`,
    );
  }
  const thresholds = new Array<number>(maxDropoutLayers).fill(0);
  const scales = new Array<number>(maxDropoutLayers).fill(1);
  rates.slice(0, maxDropoutLayers).forEach((rate, l) => {
    thresholds[l] = Math.ceil(rate * 16777216);
    scales[l] = 1 / (1 - rate);
  });
  const fields: UniformValues = {
    learningRate: values.learningRate ?? 0,
    l1: values.l1 ?? 0,
    l2: values.l2 ?? 0,
    momentum: values.momentum ?? 0,
    beta1: values.beta1 ?? 0,
    beta2: values.beta2 ?? 0,
    epsilon: values.epsilon ?? 0,
    weightDecay: values.weightDecay ?? 0,
    decayBiases: values.decayBiases ? 1 : 0,
    dropoutSeed: (values.dropoutSeed ?? 0) >>> 0,
    batchSize: values.batchSize,
    dropoutThreshold: thresholds,
    dropoutScale: scales,
  };
  return encodeUniform(matmulKernel, 'options', fields);
}

/** A data set on the GPU: inputs, targets, and its visiting order with the device-side cursor. */
export interface GpuDatasetBuffers {
  count: number;
  inputs: GPUBuffer;
  targets: GPUBuffer;
  /** step.wgsl Order: cursor, count, examples */
  order: GPUBuffer;
  /** identity order for evaluate(), made on first use */
  evaluationOrder: GPUBuffer | undefined;
}

/** update.wgsl's overrides for one optimizer. */
export interface OptimizerConstants {
  optimizer: (typeof optimizerCodes)[keyof typeof optimizerCodes];
  nesterov: boolean;
  decoupledDecay: boolean;
}
