// The one interface between the trainer and a backend. The CPU backend (backends/cpu) is its readable
// specification; the WebGPU backend (backends/webgpu) is its fast twin and must give the same numbers to
// float32 rounding. Work is expressed in whole training steps over a resident data set, never per op, so
// the GPU backend can keep everything on the device and put many steps into one command buffer.

import type { GpuData, ParameterBuffers } from '../model/gpu-data.js';
import type { OptimizerSpec, OptimizerState } from '../model/optimizer.js';
import type { LayerParams, NetworkSpec } from '../model/spec.js';

export type { OptimizerSpec, OptimizerState } from '../model/optimizer.js';

export type BackendKind = 'cpu' | 'webgpu';

export interface Backend {
  readonly kind: BackendKind;
  /** Human-readable, e.g. "cpu (float64 accumulation)" or "google swiftshader" */
  readonly adapterDescription: string;
  /** `spec` has been validated (model/validate.ts); `params` hold one entry per layer. */
  createNetwork(spec: NetworkSpec, params: LayerParams[]): BackendNetwork;
  /** Frees what the backend owns. A GPUDevice passed in by the user is never destroyed. */
  dispose(): void;
}

export interface StepOptions {
  batchSize: number;
  /** η for these steps, after the learning-rate schedule */
  learningRate: number;
  l1: number;
  l2: number;
  decayBiases: boolean;
  /** dropout rate per hidden layer (length = hidden layers; 0 = none). Inverted dropout: kept units are scaled by 1/(1 − rate). */
  dropout: number[];
  /** seeds the dropout masks: see model/random.ts dropoutUniform(seed, step, layer, row, unit) */
  dropoutSeed: number;
}

/** Sums over examples, so metrics of several calls can be added. */
export interface Metrics {
  /** Σ per-example loss (mean = lossSum / count) */
  lossSum: number;
  /** examples whose prediction matches the target: argmax for several outputs, both sides of 0.5 for one */
  correct: number;
  count: number;
  /** false when any output or loss was NaN or ±Infinity */
  finite: boolean;
}

export interface Evaluation extends Metrics {
  /** confusion[actual * classes + predicted]; classes = outputs, or 2 for a single output */
  confusion: Uint32Array;
  classes: number;
}

/** What endEpoch() reads back in one go: a few bytes, however large the network. */
export interface EpochEnd {
  /** the training metrics summed since the last take, then zeroed (as takeTrainingMetrics) */
  training: Metrics;
  /** the current weights over the validation data set, no dropout (as evaluate, without the confusion matrix) */
  validation: Metrics | undefined;
  /** every weight and bias is finite (the NaN guard: a diverged step can leave NaN in the weights alone) */
  paramsFinite: boolean;
}

/**
 * A copy of a network's parameters, kept where the backend computes (GPU memory on webgpu), so that the
 * trainer can keep the last finite and the best epoch's weights without reading them back.
 */
export interface ParamsCopy {
  /** Overwrites the copy with the network's current parameters. */
  update(): void;
  /** Makes the copy the network's parameters again. */
  restore(): void;
  /** The copy's values, laid out as readParams(): one readback on webgpu. */
  read(): Promise<LayerParams[]>;
  dispose(): void;
}

/** Counters for tests and the benchmark: what crossed between CPU and GPU, and what is alive on the GPU. */
export interface BackendStats {
  uploads: number;
  uploadBytes: number;
  readbacks: number;
  submits: number;
  dispatches: number;
  liveBuffers: number;
  liveBytes: number;
}

/** A data set copied once to where the backend computes (GPU memory for webgpu). */
export interface BackendDataset {
  readonly count: number;
  readonly inputSize: number;
  readonly outputSize: number;
  dispose(): void;
}

export interface BackendNetwork {
  readParams(): Promise<LayerParams[]>;
  writeParams(params: LayerParams[]): void;
  /**
   * A copy of the current parameters, or of `params` when given (checked as writeParams). The network
   * owns it: dispose() of the network frees it too.
   */
  copyParams(params?: LayerParams[]): ParamsCopy;

  /** inputs: count × inputSize row-major → count × outputs row-major */
  predict(inputs: Float32Array, count: number): Promise<Float32Array>;
  /** ∂(mean loss over the batch)/∂(weights, biases), no decay, no dropout; same shapes as the params */
  gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<LayerParams[]>;

  /**
   * Makes the examples available to train/evaluate. A backend may read `inputs` and `targets` in place until
   * the data set is disposed (the CPU backend does, so that no copy doubles a large data set's memory); the
   * WebGPU backend copies them to the GPU at once.
   */
  upload(inputs: Float32Array, targets: Float32Array, count: number): BackendDataset;
  /**
   * A data set of `count` examples whose values do not matter (zeros), uploading nothing: what prepare
   * needs, since what it compiles depends on the shapes, not on the data.
   */
  placeholder(count: number): BackendDataset;

  /** Chooses the optimizer and zeroes its state. */
  setOptimizer(spec: OptimizerSpec): void;
  readOptimizerState(): Promise<OptimizerState>;
  writeOptimizerState(state: OptimizerState): void;

  /**
   * Compiles what train(training, …) with this batch size and optimizer, and evaluate(evaluated), will run,
   * without blocking, and resolves when it is ready (the CPU backend has nothing to compile). Changes no
   * state: calling it is optional, since train and evaluate compile whatever is missing, blocking, when
   * called. Fit awaits it before its first step; Network.ready() awaits it before any data. It records
   * synchronously: the data sets may be disposed as soon as it has returned its promise.
   */
  prepare(
    training: BackendDataset,
    /** dropout: whether any hidden layer drops units (a dropout rate above 0) */
    step: { batchSize: number; optimizer: OptimizerSpec; dropout: boolean },
    evaluated?: BackendDataset,
  ): Promise<void>;
  /** The order in which `train` visits the examples of `dataset` (an epoch's permutation): one upload. */
  setOrder(dataset: BackendDataset, order: Uint32Array): void;
  /**
   * Takes `batchCount` optimizer steps on the batches order[(firstBatch + b)·batchSize …] (the last batch of
   * the order may be short), adding each step's forward-pass loss and correct count (with dropout applied)
   * to the training metrics. A batchSize ≥ the data set's count is one full batch: the same work, memory
   * and results as batchSize = count. May return before the work is done (the GPU queues it); later reads see it.
   */
  train(dataset: BackendDataset, firstBatch: number, batchCount: number, options: StepOptions): void;
  /** The training metrics summed since the last call, then zeroed: one readback. */
  takeTrainingMetrics(): Promise<Metrics>;
  /** Loss, accuracy and confusion matrix of the current weights over a whole data set; no dropout. */
  evaluate(dataset: BackendDataset): Promise<Evaluation>;
  /**
   * The end of an epoch in one readback: takes the training metrics, evaluates `validation` (if given) and
   * checks that every parameter is finite. What fit needs per epoch; the weights stay where they are.
   */
  endEpoch(validation: BackendDataset | undefined): Promise<EpochEnd>;

  stats(): BackendStats;
  dispose(): void;

  /** GPU backends only: data, predictions and parameters in GPUBuffers (docs/embedding.md). */
  readonly gpu?: GpuDataNetwork;
}

/** What only GPU backends offer (BackendNetwork.gpu): data, predictions and parameters in GPUBuffers. */
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
