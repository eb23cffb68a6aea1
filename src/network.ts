// A Network is what users hold: a validated spec plus a backend network that owns the parameters (on the
// GPU for webgpu, so reading them is async). Every public method checks its arguments here, once, so the
// backends can trust what they receive.

import type { BackendKind, BackendNetwork, BackendStats } from './backends/backend.js';
import {
  type GradientCheck,
  type GradientCheckOptions,
  gradientCheck,
} from './backends/cpu/gradient-check.js';
import { gpuPart } from './backends/gpu-data.js';
import { MlpError } from './errors.js';
import { decodeModel, encodeModel, type SavedModel } from './io/model-file.js';
import { toOnnx } from './io/onnx-export.js';
import { type TfjsExport, toTfjsLayers } from './io/tfjs-export.js';
import {
  checkGpuBuffer,
  checkGpuData,
  type GpuData,
  isGpuBuffer,
  isGpuData,
  type ParameterBuffers,
} from './model/gpu-data.js';
import {
  checkTargetsForLoss,
  exampleCount,
  isNumbers,
  type Numbers,
  toFiniteFloat32,
} from './model/numbers.js';
import type { LayerParams, NetworkSpec } from './model/spec.js';
import { checkKeys, checkPositiveInteger, invalid, isRecord, type ValidatedSpec } from './model/validate.js';
import {
  checkFitExamples,
  type FitHistory,
  fitCounts,
  holdBest,
  placeExamples,
  readBest,
  runFit,
  type StopFlag,
  type TrainingState,
} from './train/fit.js';
import { type FitData, type FitOptions, resolveFitOptions } from './train/options.js';
import { type ProgressEvent, progressEvents } from './train/progress.js';

/** What a Network needs from the engine that made it. */
export interface NetworkOwner {
  readonly backend: BackendKind;
  /** Called once by Network.dispose(), so the engine forgets the network. */
  forget(network: Network): void;
}

/** What Network.evaluate returns. */
export interface Evaluation {
  /** mean loss over the examples */
  loss: number;
  accuracy: number;
  count: number;
  /** confusion[actual][predicted] counts; 2×2 for a single output (threshold 0.5) */
  confusion: number[][];
}

export class Network {
  /** The validated spec, with init and seed filled in. */
  readonly spec: ValidatedSpec;
  readonly inputSize: number;
  readonly outputSize: number;
  private disposed = false;
  /** What fit advances: the epoch count and the optimizer whose state the backend holds. */
  private readonly training: TrainingState;
  /** Set while a fit runs; stop() raises it. */
  private running: StopFlag | undefined;
  /** Whether ready() or fit() was called: they compile what they need, so the background compile is moot. */
  private compiling = false;

  /** Made by Engine.createNetwork; not meant to be constructed directly. */
  constructor(
    spec: ValidatedSpec,
    private readonly backendNetwork: BackendNetwork,
    private readonly owner: NetworkOwner,
  ) {
    this.spec = spec;
    this.inputSize = spec.inputSize;
    this.outputSize = spec.layers[spec.layers.length - 1].units;
    this.training = { spec, backend: backendNetwork, epoch: 0, optimizer: undefined, best: undefined };
    if (owner.backend === 'webgpu') setTimeout(() => this.compileInBackground(), 0);
  }

  /**
   * A network made from `saved` (net.save()'s object or its JSON text) on `engine`: the same weights,
   * epoch count and optimizer state, so fit() continues as if never interrupted. Malformed input is
   * MlpError('invalid-file').
   */
  static load(saved: SavedModel | string, engine: { createNetwork(spec: NetworkSpec): Network }): Network {
    const contents = decodeModel(saved);
    const network = engine.createNetwork(contents.spec);
    network.backendNetwork.writeParams(contents.params);
    network.training.epoch = contents.epoch;
    network.training.best = contents.best && holdBest(network.backendNetwork, contents.best);
    if (contents.optimizer) {
      const { learningRate: _rate, ...optimizer } = contents.optimizer.config;
      network.backendNetwork.setOptimizer(optimizer);
      network.backendNetwork.writeOptimizerState(contents.optimizer.state);
      network.training.optimizer = contents.optimizer.config;
    }
    return network;
  }

  /** Epochs trained so far (a loaded network continues its count). */
  get epoch(): number {
    return this.training.epoch;
  }

  /**
   * Compiles, in the background, the GPU programs that fit() with these options will run (they depend on the
   * batch size and the optimizer; with `validation` or `validationSplit`, also the evaluation of the held-out
   * examples after each epoch), and resolves when they are ready, so that the first fit starts training
   * at once; call it right after createNetwork with the options you will give fit, to compile while data
   * loads or to tell the user what is happening. `examples`: how many examples that fit is given, which
   * matters when the batch size exceeds it (a batch of the whole data set or more is the whole data
   * set) and for validationSplit (the held-out count). Optional: fit compiles what is missing itself, and
   * on webgpu createNetwork starts what a fit with the default options runs (batch size 1, sgd) as soon as
   * the program yields, unless a fit or ready came first, so `ready()` without options then only waits for
   * it. Nothing to do on the CPU backend. A program that does not compile rejects with
   * MlpError('gpu-error'). See docs/webgpu-design.md, "Pipeline compilation".
   */
  async ready(options?: FitOptions, examples?: number): Promise<void> {
    this.checkAlive();
    if (examples !== undefined) checkPositiveInteger('examples', examples);
    this.compiling = true;
    await this.startCompiling(options, examples);
  }

  /**
   * Starts compiling what fit(data, options) runs and returns the wait for it; the placeholder data sets
   * (their shapes are what matter) are freed at once, since prepare records synchronously.
   */
  private startCompiling(options?: FitOptions, examples?: number): Promise<void> {
    const { batchSize, optimizer, dropout, validationSplit } = resolveFitOptions(
      options,
      this.spec.layers.length - 1,
      this.training.optimizer,
    );
    const counts = fitCounts(this.training, options, validationSplit, examples);
    const probe = this.backendNetwork.placeholder(Math.min(batchSize, counts.training ?? batchSize));
    // endEpoch's evaluation of the validation examples, compiled with the step.
    const evaluated = counts.validation && this.backendNetwork.placeholder(counts.validation);
    try {
      return this.backendNetwork.prepare(
        probe,
        { batchSize, optimizer, dropout: dropout.some((rate) => rate > 0) },
        evaluated || undefined,
      );
    } finally {
      probe.dispose();
      if (evaluated) evaluated.dispose();
    }
  }

  /**
   * On webgpu, what ready() compiles for fit's default options (batch size 1, sgd, or the optimizer
   * Network.load restored), started without awaiting it by a task the constructor queues: a fit called
   * later waits less, while a fit or ready() called at once, whose options may differ, is left the CPU (it
   * compiles what it needs). A failure is not reported here (nothing awaits it): the pipeline stays in the
   * device's cache with its failure, which the fit or ready() that needs it reports.
   */
  private compileInBackground(): void {
    if (this.disposed || this.compiling) return;
    this.compiling = true;
    try {
      this.startCompiling().catch(() => {});
    } catch {
      // reported by the fit or ready() that needs it
    }
  }

  /**
   * Trains on `data` ({ inputs, targets } row-major, or a Dataset): see README "Training" for every
   * option and its default. Resolves with the history; rejects with MlpError('non-finite') naming the
   * epoch when training diverges (the network keeps the last finite weights).
   */
  async fit(data: FitData, options?: FitOptions): Promise<FitHistory> {
    this.checkAlive();
    this.checkIdle('fit');
    const stop: StopFlag = { stopped: false };
    this.running = stop;
    this.compiling = true;
    try {
      return await runFit(this.training, data, options, stop);
    } finally {
      this.running = undefined;
    }
  }

  /**
   * fit() as an async iterator of progress events ('batch' only with onBatchEnd-style progress asked for
   * through `batchEvents: true`, 'epoch', then 'end' with the history). Breaking out of the loop stops training.
   */
  fitEvents(
    data: FitData,
    options: Omit<FitOptions, 'onEpochEnd' | 'onBatchEnd'> & { batchEvents?: boolean } = {},
  ): AsyncGenerator<ProgressEvent, void, undefined> {
    const { batchEvents, ...fitOptions } = options;
    return progressEvents(
      (emit) =>
        this.fit(data, {
          ...fitOptions,
          onEpochEnd: (epoch) => emit({ type: 'epoch', epoch }),
          onBatchEnd: batchEvents ? (batch) => emit({ type: 'batch', batch }) : undefined,
        }),
      () => this.stop(),
    );
  }

  /** Ends a running fit cleanly after its current step (from a callback or from outside); else nothing. */
  stop(): void {
    if (this.running) this.running.stopped = true;
  }

  /**
   * Loss, accuracy (argmax for several outputs, 0.5 threshold for one) and confusion matrix
   * (confusion[actual][predicted]; 2 classes for a single output) of the current weights; no dropout.
   */
  async evaluate(data: FitData): Promise<Evaluation> {
    this.checkAlive();
    const examples = checkFitExamples(
      'data',
      data,
      this.inputSize,
      this.outputSize,
      this.spec.loss,
      this.backendNetwork,
    );
    const uploaded = await placeExamples(this.backendNetwork, examples);
    try {
      const result = await this.backendNetwork.evaluate(uploaded);
      const { classes } = result;
      return {
        loss: result.lossSum / result.count,
        accuracy: result.correct / result.count,
        count: result.count,
        confusion: Array.from({ length: classes }, (_, actual) =>
          Array.from(result.confusion.subarray(actual * classes, (actual + 1) * classes)),
        ),
      };
    } finally {
      uploaded.dispose();
    }
  }

  /** TensorFlow.js Layers files: write modelJson as model.json and weightsBin as weights.bin (README "Export"). */
  async exportTfjs(): Promise<TfjsExport> {
    this.checkAlive();
    return toTfjsLayers(this.spec, await this.backendNetwork.readParams());
  }

  /** The bytes of an ONNX model (Gemm + activation per layer; input "input", output "output"). */
  async exportOnnx(): Promise<Uint8Array> {
    this.checkAlive();
    return toOnnx(this.spec, await this.backendNetwork.readParams());
  }

  /**
   * Everything needed to continue later: spec, epoch, weights, optimizer and its state, and early stopping's
   * best-so-far while a run with early stopping is under way (see README "Save format").
   */
  async save(): Promise<SavedModel> {
    this.checkAlive();
    const { optimizer } = this.training;
    return encodeModel({
      spec: this.spec,
      epoch: this.training.epoch,
      params: await this.backendNetwork.readParams(),
      optimizer: optimizer && { config: optimizer, state: await this.backendNetwork.readOptimizerState() },
      best: this.training.best && (await readBest(this.training.best)),
    });
  }

  /** The backend the network computes on. */
  get backend(): BackendKind {
    return this.owner.backend;
  }

  /**
   * A copy of every layer's parameters: weights units × inputs row-major (weights[j * inputs + i] = w_ji),
   * biases per unit. Async because on the WebGPU backend the parameters live on the GPU.
   */
  async getWeights(): Promise<LayerParams[]> {
    this.checkAlive();
    return this.backendNetwork.readParams();
  }

  /** Replaces every layer's parameters (copied); lengths and values are checked first. MlpError('busy') during a fit. */
  setWeights(layers: readonly LayerParams[]): void {
    this.checkAlive();
    this.checkIdle('setWeights');
    if (!Array.isArray(layers) || layers.length !== this.spec.layers.length) {
      throw new MlpError(
        'invalid-argument',
        `setWeights: expected an array of ${this.spec.layers.length} layers ({ weights, biases }), got ${Array.isArray(layers) ? `${layers.length}` : typeof layers}`,
      );
    }
    let inputs = this.inputSize;
    const checked = this.spec.layers.map(({ units }, l) => {
      const layer = layers[l];
      const expected = { weights: units * inputs, biases: units };
      const meaning = {
        weights: `units×inputs = ${units}×${inputs} = ${units * inputs}`,
        biases: `units = ${units}`,
      };
      const parts = (['weights', 'biases'] as const).map((part) => {
        const values: unknown = layer?.[part];
        if (!isNumbers(values) || values.length !== expected[part]) {
          const got = isNumbers(values) ? `length ${values.length}` : String(values);
          throw new MlpError(
            'invalid-argument',
            `setWeights: expected \`layers[${l}].${part}\` length ${meaning[part]}, got ${got}`,
          );
        }
        return toFiniteFloat32(`layers[${l}].${part}`, values);
      });
      inputs = units;
      return { weights: parts[0], biases: parts[1] };
    });
    this.backendNetwork.writeParams(checked);
  }

  /**
   * Outputs for `inputs` (count × inputSize, row-major): count × outputs, row-major. On the webgpu
   * backend, `{ inputs: GPUBuffer, count }` reads the rows from the caller's buffer (COPY_SRC).
   */
  async predict(inputs: Numbers | GpuData): Promise<Float32Array> {
    this.checkAlive();
    if (isGpuData(inputs)) {
      const gpu = gpuPart(this.backendNetwork, 'predict');
      const checked = checkGpuData('predict', inputs, this.inputSize, this.outputSize, 'predict');
      return gpu.predictFromBuffer(checked.inputs, checked.count);
    }
    const checked = this.checkInputs(inputs);
    return this.backendNetwork.predict(checked, checked.length / this.inputSize);
  }

  /**
   * The forward pass on `count` rows of `input` (count × inputSize float32, row-major; COPY_SRC), recorded
   * on the engine's device after the work already submitted, into `options.output` (COPY_DST, at least
   * count × outputs floats) or a new buffer (STORAGE | COPY_SRC | COPY_DST) that the caller owns and
   * destroys. Reads nothing back. A buffer of another device is reported as MlpError('wrong-device') by
   * the network's next call, as WebGPU reports it only later. See docs/embedding.md.
   */
  predictBuffer(input: GPUBuffer, count: number, options: { output?: GPUBuffer } = {}): GPUBuffer {
    this.checkAlive();
    const gpu = gpuPart(this.backendNetwork, 'predictBuffer');
    if (!isGpuBuffer(input)) {
      throw new MlpError(
        'invalid-argument',
        `predictBuffer: expected a GPUBuffer as input, got ${typeof input}`,
      );
    }
    if (!isRecord(options)) throw invalid('predictBuffer options', options, 'an object');
    checkKeys('predictBuffer options', options, ['output'], 'option');
    const checked = checkGpuData(
      'predictBuffer',
      { inputs: input, count },
      this.inputSize,
      this.outputSize,
      'predict',
    );
    const { output } = options;
    if (output !== undefined) {
      if (!isGpuBuffer(output)) {
        throw new MlpError(
          'invalid-argument',
          `predictBuffer: expected options.output to be a GPUBuffer, got ${typeof output}`,
        );
      }
      checkGpuBuffer(
        'predictBuffer output',
        output,
        ['COPY_DST'],
        checked.count * this.outputSize * 4,
        `count × outputs = ${checked.count} × ${this.outputSize} floats`,
      );
    }
    return gpu.predictBuffer(checked.inputs, checked.count, output);
  }

  /**
   * The live GPU buffers of the parameters, for the app's own shaders: per layer, weights units × inputs
   * row-major (as getWeights) from byte `weightsOffset`, biases from `biasesOffset`. Read-only for the
   * app, valid until dispose(); `version` changes whenever training or setWeights changes them.
   */
  parameterBuffers(): ParameterBuffers {
    this.checkAlive();
    return gpuPart(this.backendNetwork, 'parameterBuffers').parameterBuffers();
  }

  /**
   * ∂(mean loss over the batch)/∂(weights, biases), same shapes as getWeights(); no decay, no dropout.
   * targets: count × outputs, row-major, for the same count of examples as `inputs`.
   */
  async gradients(inputs: Numbers, targets: Numbers): Promise<LayerParams[]> {
    this.checkAlive();
    const checkedInputs = this.checkInputs(inputs);
    const count = checkedInputs.length / this.inputSize;
    const checkedTargets = this.checkTargets(targets, count);
    return this.backendNetwork.gradients(checkedInputs, checkedTargets, count);
  }

  /**
   * Gradient checking: this backend's gradients() on these examples against central finite differences of
   * the loss in float64 (the CPU reference's arithmetic), at the current weights. See GradientCheck.
   */
  async checkGradients(
    inputs: Numbers,
    targets: Numbers,
    options: GradientCheckOptions = {},
  ): Promise<GradientCheck> {
    this.checkAlive();
    if (!isRecord(options)) throw invalid('checkGradients options', options, 'an object');
    checkKeys('checkGradients options', options, ['step', 'maxParameters'], 'option');
    const { step, maxParameters } = options;
    if (step !== undefined && !(typeof step === 'number' && step > 0 && step < 1)) {
      throw invalid('step', step, 'a number in (0, 1), e.g. 1e-5');
    }
    if (maxParameters !== undefined) checkPositiveInteger('maxParameters', maxParameters);
    const checkedInputs = this.checkInputs(inputs);
    const count = checkedInputs.length / this.inputSize;
    const checkedTargets = this.checkTargets(targets, count);
    const analytic = await this.backendNetwork.gradients(checkedInputs, checkedTargets, count);
    const params = await this.backendNetwork.readParams();
    return gradientCheck(this.spec, params, checkedInputs, checkedTargets, count, analytic, options);
  }

  /** Counters of what crossed between CPU and GPU and what is alive on the GPU (zeros on the CPU backend). */
  stats(): BackendStats {
    this.checkAlive();
    return this.backendNetwork.stats();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the network's parameters (GPU buffers on webgpu). Further use throws MlpError('disposed'). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backendNetwork.dispose();
    this.owner.forget(this);
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new MlpError(
        'disposed',
        'this network was disposed (by dispose() or its engine’s); create a new one',
      );
    }
  }

  /** A fit reads and advances the weights between its steps: changing them under it would change its result. */
  private checkIdle(method: string): void {
    if (this.running) {
      throw new MlpError(
        'busy',
        `${method}: this network is already training; await that fit (or stop() it) first`,
      );
    }
  }

  private checkInputs(inputs: Numbers): Float32Array {
    if (!isNumbers(inputs)) {
      throw new MlpError(
        'invalid-data',
        `inputs: expected a Float32Array of count × ${this.inputSize} values, got ${typeof inputs}`,
      );
    }
    exampleCount('inputs', inputs.length, this.inputSize, 'inputSize');
    return toFiniteFloat32(
      'inputs',
      inputs,
      (i) => ` (example ${Math.floor(i / this.inputSize)}, input ${i % this.inputSize})`,
    );
  }

  private checkTargets(targets: Numbers, count: number): Float32Array {
    if (!isNumbers(targets) || targets.length !== count * this.outputSize) {
      const got = isNumbers(targets) ? `length ${targets.length}` : typeof targets;
      throw new MlpError(
        'invalid-data',
        `targets: expected length count × outputs = ${count} × ${this.outputSize} = ${count * this.outputSize}, got ${got}`,
      );
    }
    const describeIndex = (i: number) =>
      ` (example ${Math.floor(i / this.outputSize)}, output ${i % this.outputSize})`;
    const checked = toFiniteFloat32('targets', targets, describeIndex);
    checkTargetsForLoss('targets', checked, this.spec.loss, describeIndex);
    return checked;
  }
}
