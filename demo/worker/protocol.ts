import type { BenchNetworkName, BenchRecord } from 'webgpu-mlp/bench';

// Messages between the page and the training worker. Every request carries an id; the worker answers it
// with exactly one 'done' or 'failed' message, and may send 'progress' messages for it before that.

export type BackendChoice = 'webgpu' | 'cpu';
export type OptimizerChoice = 'sgd' | 'nesterov' | 'adam' | 'adamw';

/** What the setup form describes. */
export interface TrainingSetup {
  hidden: number[];
  activation: 'sigmoid' | 'tanh' | 'relu' | 'leaky-relu';
  loss: 'squared-error' | 'binary-cross-entropy' | 'softmax-cross-entropy';
  optimizer: OptimizerChoice;
  learningRate: number;
  momentum: number;
  batchSize: number;
  epochs: number;
  /** null: no early stopping */
  patience: number | null;
  backend: BackendChoice;
  seed: number;
}

/** A data set as it crosses to the worker: flat row-major arrays, transferred, not copied. */
export interface ExampleSet {
  inputs: Float32Array;
  targets: Float32Array;
  count: number;
}

export interface TrainingData {
  inputSize: number;
  outputSize: number;
  classNames: string[];
  train: ExampleSet;
  validation: ExampleSet | null;
  test: ExampleSet;
}

export interface LayerWeights {
  weights: Float32Array;
  biases: Float32Array;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
  examplesPerSecond: number;
  elapsedSeconds: number;
  /** the first two layers' weights, for the hidden-unit pictures */
  layers: LayerWeights[];
}

export interface TrainingOutcome {
  epochsRun: number;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  stoppedByUser: boolean;
  test: { loss: number; accuracy: number; confusion: Uint32Array; classes: number };
  /** predicted class of each test example */
  predictions: Uint32Array;
  /** the weights the network ended with (the best validation epoch's with early stopping) */
  layers: LayerWeights[];
}

export interface DownloadFile {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** What the compare panel measures: the network of the setup form on its data, or one of the benchmark's. */
export type CompareSubject =
  | { kind: 'form'; setup: TrainingSetup; data: TrainingData }
  | { kind: 'bench'; network: BenchNetworkName };

export interface LoadedModel {
  inputSize: number;
  outputSize: number;
  layers: LayerWeights[];
  description: string;
}

export type Request =
  | { kind: 'probe' }
  | { kind: 'train'; setup: TrainingSetup; data: TrainingData }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'stop' }
  | { kind: 'save' }
  | { kind: 'export'; format: 'tfjs' | 'onnx' }
  | { kind: 'load'; fileName: string; bytes: Uint8Array }
  | { kind: 'classify'; inputs: Float32Array }
  | { kind: 'compare'; subject: CompareSubject };

export interface Probe {
  webgpu: boolean;
  adapter: string;
  /** why there is no WebGPU, when there is none */
  reason: string;
  /** the model exports this build of the library offers */
  exports: ('tfjs' | 'onnx')[];
}

/** The answer to each request kind. */
export interface Answers {
  probe: Probe;
  train: TrainingOutcome;
  pause: null;
  resume: null;
  stop: null;
  save: DownloadFile[];
  export: DownloadFile[];
  load: LoadedModel;
  classify: Float32Array;
  /** the benchmark's records (examples/s median, min and max; transfers), one per engine that ran */
  compare: BenchRecord[];
}

export type Progress =
  | { kind: 'epoch'; epoch: EpochProgress }
  | { kind: 'status'; text: string }
  /** the GPU's programs are compiling (Network.ready) before the first epoch: started, then done */
  | { kind: 'preparing'; done: boolean };

export type WorkerMessage =
  | { id: number; type: 'progress'; progress: Progress }
  | { id: number; type: 'done'; answer: Answers[keyof Answers] }
  | { id: number; type: 'failed'; message: string };

export type RequestMessage = { id: number; request: Request };
