// The GPU buffers of one network and the bound kernels that use them, all made before any training loop.
// NetworkBuffers: parameters, gradients, optimizer slots, the step counter, metrics and options: they live
// as long as the network. Workspace: the per-row buffers of one batch capacity (inputs, z, o, δ per layer)
// with every dispatch of a step already bound; rebuilt only when the capacity changes.

import { MlpError } from '../../errors.js';
import type { Activation, NetworkSpec } from '../../model/spec.js';
import {
  activationCodes,
  elementWorkgroup,
  gatherKernel,
  lossCodes,
  lossKernel,
  matmulKernel,
  matmulTile,
  updateKernel,
} from './kernels.js';
import { type BoundKernel, bindKernel, kernelPipeline } from './pipelines.js';
import { encodeUniform, reflectKernel, type UniformValues } from './reflect.js';
import type { CommandRecorder, GpuMemory } from './scheduler.js';

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

/** Workgroups for `elements` one-per-invocation elements: two-dimensional beyond the x limit. */
export function elementGroups(device: GPUDevice, elements: number): [number, number] {
  const groups = Math.max(1, Math.ceil(elements / elementWorkgroup));
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= maxX) return [groups, 1];
  return [maxX, Math.ceil(groups / maxX)];
}

/** matmul.wgsl's shape uniform. */
interface MatmulShape {
  rows: number;
  columns: number;
  depth: number;
  leftRowStride: number;
  leftDepthStride: number;
  rightDepthStride: number;
  rightColumnStride: number;
  layer: number;
}

/**
 * Whether matmul.wgsl may stage a product's operands with vec4 loads: each operand is contiguous along one
 * dimension whose size is a multiple of 4, and its other stride is a multiple of 4 (so vectors are aligned
 * and lie wholly inside or outside the matrix).
 */
export function vectorLoadsFit(shape: MatmulShape): boolean {
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

export interface LayerBuffers {
  inputs: number;
  units: number;
  activation: Activation;
  weights: GPUBuffer;
  biases: GPUBuffer;
  weightGradient: GPUBuffer;
  biasGradient: GPUBuffer;
  /** optimizer slots 0 and 1 (sgd uses slot 0) */
  slots: { weights: GPUBuffer; biases: GPUBuffer }[];
}

/** Byte layout of loss.wgsl's Metrics struct, read from the shader. */
export function metricsLayout() {
  const info = reflectKernel(lossKernel).reflect.getStructInfo('Metrics');
  if (!info) throw new Error('shaders/loss.wgsl: no struct Metrics');
  const offset = (name: string) => {
    const member = info.members.find((m) => m.name === name);
    if (!member) throw new Error(`shaders/loss.wgsl: struct Metrics has no member "${name}"`);
    return member.offset;
  };
  return {
    size: info.size,
    lossSum: offset('lossSum'),
    lossCompensation: offset('lossCompensation'),
    correct: offset('correct'),
    count: offset('count'),
    nonFinite: offset('nonFinite'),
  };
}

export class NetworkBuffers {
  readonly layers: LayerBuffers[];
  readonly control: GPUBuffer;
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
      const bytes = units * inputs * floatBytes;
      checkBindingSize(device, `layer ${l} (${units} units × ${inputs} inputs) weights`, bytes);
      inputs = units;
    });
    inputs = spec.inputSize;
    this.layers = spec.layers.map(({ units, activation }, l) => {
      const weightBytes = units * inputs * floatBytes;
      const biasBytes = units * floatBytes;
      const pair = (what: string) => ({
        weights: memory.storage(`${what} weights ${l}`, weightBytes),
        biases: memory.storage(`${what} biases ${l}`, biasBytes),
      });
      const params = pair('parameter');
      const gradient = pair('gradient');
      const layer: LayerBuffers = {
        inputs,
        units,
        activation,
        weights: params.weights,
        biases: params.biases,
        weightGradient: gradient.weights,
        biasGradient: gradient.biases,
        slots: [pair('slot 0'), pair('slot 1')],
      };
      inputs = units;
      return layer;
    });
    const outputs = spec.layers[spec.layers.length - 1].units;
    this.classes = outputs === 1 ? 2 : outputs;
    const metricsBytes = metricsLayout().size;
    this.control = memory.storage('control', floatBytes);
    this.trainingMetrics = memory.storage('training metrics', metricsBytes);
    this.evaluationMetrics = memory.storage('evaluation metrics', metricsBytes);
    this.confusion = memory.storage('confusion', this.classes * this.classes * 4);
    const noOptions = encodeStepOptions({ batchSize: 0 });
    this.trainingOptions = memory.uniform('training options', noOptions);
    this.inferenceOptions = memory.uniform('inference options', noOptions);
  }

  /** Every parameter buffer, in readParams order: weights then biases of each layer. */
  parameterBuffers(): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layers.flatMap((layer) => [
      { buffer: layer.weights, byteLength: layer.units * layer.inputs * floatBytes },
      { buffer: layer.biases, byteLength: layer.units * floatBytes },
    ]);
  }

  slotBuffers(slot: number): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layers.flatMap((layer) => [
      { buffer: layer.slots[slot].weights, byteLength: layer.units * layer.inputs * floatBytes },
      { buffer: layer.slots[slot].biases, byteLength: layer.units * floatBytes },
    ]);
  }

  gradientBuffers(): { buffer: GPUBuffer; byteLength: number }[] {
    return this.layers.flatMap((layer) => [
      { buffer: layer.weightGradient, byteLength: layer.units * layer.inputs * floatBytes },
      { buffer: layer.biasGradient, byteLength: layer.units * floatBytes },
    ]);
  }

  destroy(): void {
    for (const layer of this.layers) {
      for (const buffer of [
        layer.weights,
        layer.biases,
        layer.weightGradient,
        layer.biasGradient,
        ...layer.slots.flatMap((s) => [s.weights, s.biases]),
      ]) {
        this.memory.destroy(buffer);
      }
    }
    for (const buffer of [
      this.control,
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
  return encodeUniform(updateKernel, 'options', fields);
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

/**
 * The per-row buffers of one batch capacity and every kernel of a step, bound. `training` workspaces read
 * the training options (dropout on); inference ones the inference options (no dropout).
 */
export class Workspace {
  readonly inputs: GPUBuffer;
  readonly targets: GPUBuffer;
  readonly z: GPUBuffer[];
  readonly outputs: GPUBuffer[];
  readonly delta: GPUBuffer[];
  private readonly shapes: GPUBuffer[] = [];
  readonly forward: { bound: BoundKernel; groups: [number, number] }[];
  readonly backward: { bound: BoundKernel; groups: [number, number] }[];
  readonly lossGradient: BoundKernel;
  readonly lossPredict: BoundKernel;
  private readonly perDataset = new Map<GpuDatasetBuffers, { gather: BoundKernel; loss: BoundKernel }>();
  private readonly gatherShape: GPUBuffer;
  private readonly lossShape: GPUBuffer;
  private readonly gatherGroups: [number, number];

  constructor(
    private readonly memory: GpuMemory,
    private readonly net: NetworkBuffers,
    readonly capacity: number,
    readonly training: boolean,
  ) {
    const { device } = memory;
    const { spec, layers } = net;
    const options = training ? net.trainingOptions : net.inferenceOptions;
    const outputSize = layers[layers.length - 1].units;
    // Refuse before allocating anything: the widest per-row buffer, and the matmul dispatch along rows.
    const widest = Math.max(spec.inputSize, ...layers.map((layer) => layer.units));
    checkBindingSize(
      device,
      `a batch of ${capacity} rows × ${widest} values`,
      capacity * widest * floatBytes,
    );
    const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    if (Math.ceil(capacity / matmulTile) > maxGroups || Math.ceil(widest / matmulTile) > maxGroups) {
      throw new MlpError(
        'device-limit',
        `a batch of ${capacity} rows × ${widest} values needs more than this device's ${maxGroups} workgroups per dispatch dimension (maxComputeWorkgroupsPerDimension)`,
      );
    }
    const rowsBuffer = (what: string, width: number) => memory.storage(what, capacity * width * floatBytes);
    this.inputs = rowsBuffer('batch inputs', spec.inputSize);
    this.targets = rowsBuffer('batch targets', outputSize);
    this.z = layers.map((layer, l) => rowsBuffer(`z ${l}`, layer.units));
    this.outputs = layers.map((layer, l) => rowsBuffer(`o ${l}`, layer.units));
    this.delta = layers.map((layer, l) => rowsBuffer(`delta ${l}`, layer.units));
    const shape = (
      kernel: typeof matmulKernel | typeof lossKernel | typeof gatherKernel,
      values: UniformValues,
    ) => {
      const buffer = memory.uniform(`${kernel.file} shape`, encodeUniform(kernel, 'shape', values));
      this.shapes.push(buffer);
      return buffer;
    };
    /** One product of matmul.wgsl, bound, with vec4 loads where the layout allows. */
    const matmul = (
      entry: 'forward' | 'hiddenDelta' | 'weightGradient',
      activation: Activation,
      values: MatmulShape,
      resources: Record<string, GPUBuffer>,
    ) => ({
      bound: bindKernel(
        device,
        kernelPipeline(device, matmulKernel, entry, {
          activation: activationCodes[activation],
          vectorLoads: vectorLoadsFit(values),
        }),
        { shape: shape(matmulKernel, { ...values }), ...resources },
      ),
      groups: [Math.ceil(values.columns / matmulTile), Math.ceil(values.rows / matmulTile)] as [
        number,
        number,
      ],
    });
    const layerInput = (l: number) => (l === 0 ? this.inputs : this.outputs[l - 1]);
    this.forward = layers.map((layer, l) =>
      matmul(
        'forward',
        layer.activation,
        {
          rows: capacity,
          columns: layer.units,
          depth: layer.inputs,
          leftRowStride: layer.inputs,
          leftDepthStride: 1,
          rightDepthStride: 1,
          rightColumnStride: layer.inputs,
          layer: l,
        },
        {
          left: layerInput(l),
          right: layer.weights,
          bias: layer.biases,
          product: this.z[l],
          activated: this.outputs[l],
          options,
          control: net.control,
        },
      ),
    );
    // Backward, from the output layer down: each layer's weight gradient, then the delta of the layer below.
    this.backward = [];
    for (let l = layers.length - 1; l >= 0; l--) {
      const layer = layers[l];
      this.backward.push(
        matmul(
          'weightGradient',
          'linear',
          {
            rows: layer.units,
            columns: layer.inputs,
            depth: capacity,
            leftRowStride: 1,
            leftDepthStride: layer.units,
            rightDepthStride: layer.inputs,
            rightColumnStride: 1,
            layer: l,
          },
          {
            left: this.delta[l],
            right: layerInput(l),
            product: layer.weightGradient,
            biasGradient: layer.biasGradient,
          },
        ),
      );
      if (l > 0) {
        const below = layers[l - 1];
        this.backward.push(
          matmul(
            'hiddenDelta',
            below.activation,
            {
              rows: capacity,
              columns: below.units,
              depth: layer.units,
              leftRowStride: layer.units,
              leftDepthStride: 1,
              rightDepthStride: below.units,
              rightColumnStride: 1,
              layer: l - 1,
            },
            {
              left: this.delta[l],
              right: layer.weights,
              product: this.delta[l - 1],
              zBelow: this.z[l - 1],
              options,
              control: net.control,
            },
          ),
        );
      }
    }
    const last = layers.length - 1;
    this.lossShape = shape(lossKernel, { units: outputSize, classes: net.classes });
    const lossResources = {
      shape: this.lossShape,
      options,
      z: this.z[last],
      activated: this.outputs[last],
      targets: this.targets,
      delta: this.delta[last],
      metrics: training ? net.trainingMetrics : net.evaluationMetrics,
      confusion: net.confusion,
      control: net.control,
    };
    this.lossGradient = bindKernel(device, this.lossPipeline('gradient'), lossResources);
    this.lossPredict = bindKernel(device, this.lossPipeline('predict'), lossResources);
    this.gatherShape = shape(gatherKernel, {
      inputSize: spec.inputSize,
      outputSize,
      capacity,
    });
    this.gatherGroups = elementGroups(device, capacity * Math.max(spec.inputSize, outputSize));
  }

  private lossPipeline(entry: 'train' | 'evaluate' | 'gradient' | 'predict') {
    const { spec } = this.net;
    const output = spec.layers[spec.layers.length - 1];
    return kernelPipeline(this.memory.device, lossKernel, entry, {
      activation: activationCodes[output.activation],
      loss: lossCodes[spec.loss],
    });
  }

  /** The gather and loss kernels bound to a data set's order (train) or identity order (evaluate). */
  private datasetKernels(dataset: GpuDatasetBuffers, order: GPUBuffer) {
    let kernels = this.perDataset.get(dataset);
    if (!kernels) {
      const { device } = this.memory;
      const options = this.training ? this.net.trainingOptions : this.net.inferenceOptions;
      const last = this.net.layers.length - 1;
      kernels = {
        gather: bindKernel(device, kernelPipeline(device, gatherKernel, 'gather'), {
          shape: this.gatherShape,
          options,
          order,
          datasetInputs: dataset.inputs,
          datasetTargets: dataset.targets,
          inputs: this.inputs,
          targets: this.targets,
        }),
        loss: bindKernel(device, this.lossPipeline(this.training ? 'train' : 'evaluate'), {
          shape: this.lossShape,
          options,
          z: this.z[last],
          activated: this.outputs[last],
          targets: this.targets,
          delta: this.delta[last],
          metrics: this.training ? this.net.trainingMetrics : this.net.evaluationMetrics,
          confusion: this.net.confusion,
          order,
          control: this.net.control,
        }),
      };
      this.perDataset.set(dataset, kernels);
    }
    return kernels;
  }

  forgetDataset(dataset: GpuDatasetBuffers): void {
    this.perDataset.delete(dataset);
  }

  recordForward(recorder: CommandRecorder): void {
    for (const { bound, groups } of this.forward) recorder.dispatch(bound, ...groups);
  }

  recordBackward(recorder: CommandRecorder): void {
    for (const { bound, groups } of this.backward) recorder.dispatch(bound, ...groups);
  }

  /** One step's forward pass on the data set's next batch (gather, layers, loss with metrics). */
  recordBatch(recorder: CommandRecorder, dataset: GpuDatasetBuffers, order: GPUBuffer): void {
    const { gather, loss } = this.datasetKernels(dataset, order);
    recorder.dispatch(gather, ...this.gatherGroups);
    this.recordForward(recorder);
    recorder.dispatch(loss, 1);
  }

  destroy(): void {
    for (const buffer of [
      this.inputs,
      this.targets,
      ...this.z,
      ...this.outputs,
      ...this.delta,
      ...this.shapes,
    ]) {
      this.memory.destroy(buffer);
    }
    this.perDataset.clear();
  }
}

/** The optimizer pass of every parameter buffer, bound for one optimizer. */
export function bindUpdates(
  memory: GpuMemory,
  net: NetworkBuffers,
  kind: 'sgd' | 'adam',
  constants: { nesterov: boolean; decoupledDecay: boolean },
): { updates: { bound: BoundKernel; groups: [number, number] }[]; shapes: GPUBuffer[] } {
  const { device } = memory;
  const kernel = kernelPipeline(device, updateKernel, kind, constants);
  const shapes: GPUBuffer[] = [];
  const updates = net.layers.flatMap((layer) =>
    (['weights', 'biases'] as const).map((part) => {
      const length = part === 'weights' ? layer.units * layer.inputs : layer.units;
      const shape = memory.uniform(
        'update shape',
        encodeUniform(updateKernel, 'shape', { length, isBias: part === 'biases' ? 1 : 0 }),
      );
      shapes.push(shape);
      return {
        bound: bindKernel(device, kernel, {
          shape,
          options: net.trainingOptions,
          control: net.control,
          parameters: layer[part],
          gradient: part === 'weights' ? layer.weightGradient : layer.biasGradient,
          slot0: layer.slots[0][part],
          slot1: layer.slots[1][part],
        }),
        groups: elementGroups(device, length),
      };
    }),
  );
  return { updates, shapes };
}
