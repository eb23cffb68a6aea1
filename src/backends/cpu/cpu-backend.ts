// The CPU backend: the Backend contract carried out with math.ts, in plain TypeScript (Node and browser).
// Parameters and optimizer slots are stored as Float32Array, as on the GPU; every sum accumulates in
// float64 (math.ts), so it is the reference the WebGPU backend is checked against.

import { MlpError } from '../../errors.js';
import { slotCount } from '../../model/optimizer.js';
import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import type {
  Backend,
  BackendDataset,
  BackendNetwork,
  BackendStats,
  EpochEnd,
  Evaluation,
  Metrics,
  OptimizerSpec,
  OptimizerState,
  ParamsCopy,
  StepOptions,
} from '../backend.js';
import { checkExampleLengths, checkLayerParams, checkLength } from '../shape-checks.js';
import {
  backward,
  classCount,
  classOf,
  type DenseParams,
  forward,
  passMetrics,
  type TrainingState,
  trainStep,
} from './math.js';

/** Rows per forward pass in evaluate(), so memory stays bounded on large data sets. */
const evaluationChunkRows = 1024;

export class CpuBackend implements Backend {
  readonly kind = 'cpu';
  readonly adapterDescription = 'cpu (float64 accumulation)';

  createNetwork(spec: NetworkSpec, params: LayerParams[]): BackendNetwork {
    return new CpuNetwork(spec, params);
  }

  dispose(): void {}
}

function copyParams(params: readonly DenseParams[]): LayerParams[] {
  return params.map(({ weights, biases }) => ({
    weights: Float32Array.from(weights),
    biases: Float32Array.from(biases),
  }));
}

function zerosLike(params: readonly LayerParams[]): LayerParams[] {
  return params.map(({ weights, biases }) => ({
    weights: new Float32Array(weights.length),
    biases: new Float32Array(biases.length),
  }));
}

class CpuDataset implements BackendDataset {
  /** The order train() visits the examples in; identity until setOrder. */
  order: Uint32Array;
  disposed = false;

  constructor(
    readonly inputs: Float32Array,
    readonly targets: Float32Array,
    readonly count: number,
    readonly inputSize: number,
    readonly outputSize: number,
  ) {
    this.order = Uint32Array.from({ length: count }, (_, i) => i);
  }

  dispose(): void {
    this.disposed = true;
  }
}

class CpuNetwork implements BackendNetwork {
  private params: LayerParams[];
  private optimizer: OptimizerSpec = { kind: 'sgd', momentum: 0, nesterov: false };
  private state: TrainingState;
  private trainingMetrics: Metrics = emptyMetrics();
  private disposed = false;
  private readonly inputSize: number;
  private readonly outputSize: number;

  constructor(
    private readonly spec: NetworkSpec,
    params: LayerParams[],
  ) {
    this.inputSize = spec.inputSize;
    this.outputSize = spec.layers[spec.layers.length - 1].units;
    this.params = copyParams(params);
    checkLayerParams(this.spec, this.params, 'params');
    this.state = { params: this.params, slots: [zerosLike(this.params)], step: 0 };
  }

  async readParams(): Promise<LayerParams[]> {
    this.checkAlive();
    return copyParams(this.params);
  }

  writeParams(params: LayerParams[]): void {
    this.checkAlive();
    checkLayerParams(this.spec, params, 'params');
    params.forEach((layer, l) => {
      this.params[l].weights.set(layer.weights);
      this.params[l].biases.set(layer.biases);
    });
  }

  copyParams(params?: LayerParams[]): ParamsCopy {
    this.checkAlive();
    if (params) checkLayerParams(this.spec, params, 'params');
    let held: LayerParams[] | undefined = copyParams(params ?? this.params);
    const alive = (): LayerParams[] => {
      this.checkAlive();
      if (!held) throw new MlpError('disposed', 'this copy of the parameters was disposed');
      return held;
    };
    return {
      update: () => {
        alive();
        held = copyParams(this.params);
      },
      restore: () => this.writeParams(alive()),
      read: async () => copyParams(alive()),
      dispose: () => {
        held = undefined;
      },
    };
  }

  async predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    this.checkAlive();
    checkLength(
      'inputs',
      inputs.length,
      count * this.inputSize,
      `count × inputSize = ${count} × ${this.inputSize}`,
    );
    const pass = forward(this.spec, this.params, inputs, count);
    return Float32Array.from(pass.o[pass.o.length - 1]);
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<LayerParams[]> {
    this.checkAlive();
    checkExampleLengths(this.spec, inputs, targets, count);
    const pass = forward(this.spec, this.params, inputs, count);
    return backward(this.spec, this.params, pass, targets).map(({ weights, biases }) => ({
      weights: Float32Array.from(weights),
      biases: Float32Array.from(biases),
    }));
  }

  upload(inputs: Float32Array, targets: Float32Array, count: number): BackendDataset {
    this.checkAlive();
    checkExampleLengths(this.spec, inputs, targets, count);
    // Not copied (1e6 faces are 3.6 GiB): the data set reads the caller's arrays, which fit and evaluate
    // leave untouched and the Network's callers are told not to change until the call resolves.
    return new CpuDataset(inputs, targets, count, this.inputSize, this.outputSize);
  }

  placeholder(count: number): BackendDataset {
    return this.upload(
      new Float32Array(count * this.inputSize),
      new Float32Array(count * this.outputSize),
      count,
    );
  }

  setOptimizer(spec: OptimizerSpec): void {
    this.checkAlive();
    this.optimizer = { ...spec };
    this.state.slots = Array.from({ length: slotCount(spec.kind) }, () => zerosLike(this.params));
    this.state.step = 0;
  }

  async readOptimizerState(): Promise<OptimizerState> {
    this.checkAlive();
    return { step: this.state.step, slots: this.state.slots.map(copyParams) };
  }

  writeOptimizerState(state: OptimizerState): void {
    this.checkAlive();
    const slots = slotCount(this.optimizer.kind);
    if (state.slots.length !== slots) {
      throw new MlpError(
        'invalid-argument',
        `optimizer state: ${this.optimizer.kind} keeps ${slots} slot(s) per parameter, got ${state.slots.length}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new MlpError(
        'invalid-argument',
        `optimizer state: step ${state.step} is not a non-negative integer`,
      );
    }
    state.slots.forEach((slot, k) => {
      checkLayerParams(this.spec, slot, `optimizer state slots[${k}]`);
    });
    this.state.slots = state.slots.map(copyParams);
    this.state.step = state.step;
  }

  /** Nothing to compile: checks its arguments as train and evaluate would. */
  async prepare(training: BackendDataset, _step: unknown, evaluated?: BackendDataset): Promise<void> {
    this.checkAlive();
    this.checkDataset(training);
    if (evaluated) this.checkDataset(evaluated);
  }

  setOrder(dataset: BackendDataset, order: Uint32Array): void {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    checkLength('order', order.length, data.count, 'the data set’s count');
    data.order = order.slice();
  }

  train(dataset: BackendDataset, firstBatch: number, batchCount: number, options: StepOptions): void {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    const { batchSize } = options;
    for (let b = 0; b < batchCount; b++) {
      const start = (firstBatch + b) * batchSize;
      const rows = Math.min(batchSize, data.count - start);
      if (rows <= 0) {
        throw new MlpError(
          'invalid-argument',
          `train: batch ${firstBatch + b} starts at example ${start}, past the data set's ${data.count} examples`,
        );
      }
      const inputs = new Float32Array(rows * data.inputSize);
      const targets = new Float32Array(rows * data.outputSize);
      for (let r = 0; r < rows; r++) {
        const example = data.order[start + r];
        inputs.set(
          data.inputs.subarray(example * data.inputSize, (example + 1) * data.inputSize),
          r * data.inputSize,
        );
        targets.set(
          data.targets.subarray(example * data.outputSize, (example + 1) * data.outputSize),
          r * data.outputSize,
        );
      }
      addMetrics(
        this.trainingMetrics,
        trainStep(this.spec, this.optimizer, this.state, inputs, targets, rows, options),
      );
    }
  }

  async takeTrainingMetrics(): Promise<Metrics> {
    this.checkAlive();
    const taken = this.trainingMetrics;
    this.trainingMetrics = emptyMetrics();
    return taken;
  }

  async evaluate(dataset: BackendDataset): Promise<Evaluation> {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    const classes = classCount(data.outputSize);
    const evaluation: Evaluation = {
      ...emptyMetrics(),
      confusion: new Uint32Array(classes * classes),
      classes,
    };
    for (let start = 0; start < data.count; start += evaluationChunkRows) {
      const rows = Math.min(evaluationChunkRows, data.count - start);
      const inputs = data.inputs.subarray(start * data.inputSize, (start + rows) * data.inputSize);
      const targets = data.targets.subarray(start * data.outputSize, (start + rows) * data.outputSize);
      const pass = forward(this.spec, this.params, inputs, rows);
      addMetrics(evaluation, passMetrics(this.spec, pass, targets));
      const outputs = pass.o[pass.o.length - 1];
      for (let r = 0; r < rows; r++) {
        evaluation.confusion[
          classOf(targets, r, data.outputSize) * classes + classOf(outputs, r, data.outputSize)
        ]++;
      }
    }
    return evaluation;
  }

  async endEpoch(validation: BackendDataset | undefined): Promise<EpochEnd> {
    this.checkAlive();
    const evaluation = validation && (await this.evaluate(validation));
    return {
      training: await this.takeTrainingMetrics(),
      validation: evaluation && {
        lossSum: evaluation.lossSum,
        correct: evaluation.correct,
        count: evaluation.count,
        finite: evaluation.finite,
      },
      paramsFinite: this.params.every(
        ({ weights, biases }) => weights.every(Number.isFinite) && biases.every(Number.isFinite),
      ),
    };
  }

  stats(): BackendStats {
    return {
      uploads: 0,
      uploadBytes: 0,
      readbacks: 0,
      submits: 0,
      dispatches: 0,
      liveBuffers: 0,
      liveBytes: 0,
    };
  }

  dispose(): void {
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new MlpError('disposed', 'this network was disposed; create a new one');
  }

  private checkDataset(dataset: BackendDataset): CpuDataset {
    if (!(dataset instanceof CpuDataset)) {
      throw new MlpError('invalid-argument', 'data set: not uploaded by a CPU-backend network');
    }
    if (dataset.disposed) throw new MlpError('disposed', 'this data set was disposed; upload it again');
    if (dataset.inputSize !== this.inputSize || dataset.outputSize !== this.outputSize) {
      throw new MlpError(
        'invalid-data',
        `data set: has ${dataset.inputSize} inputs and ${dataset.outputSize} outputs per example, the network expects ${this.inputSize} and ${this.outputSize}`,
      );
    }
    return dataset;
  }
}

function emptyMetrics(): Metrics {
  return { lossSum: 0, correct: 0, count: 0, finite: true };
}

function addMetrics(total: Metrics, more: Metrics): void {
  total.lossSum += more.lossSum;
  total.correct += more.correct;
  total.count += more.count;
  total.finite &&= more.finite;
}
