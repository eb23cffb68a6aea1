// The training loop behind Network.fit, written against the backend contract (backends/backend.ts) only.
// Per epoch: one permutation (setOrder: one upload), train() over the batches in chunks, then endEpoch:
// one readback of a few bytes holding the training metrics, the validation metrics and whether every
// weight is finite. The last finite weights and early stopping's best are copies the backend keeps
// (ParamsCopy: GPU buffers on webgpu), restored where they are; weights cross to the CPU only when asked
// for (getWeights, save, a checkpoint). Chunks exist only so that callbacks run and stop() can land between
// them; they read nothing back unless per-batch loss was asked for.

import type { BackendDataset, BackendNetwork, EpochEnd, Metrics, ParamsCopy } from '../backends/backend.js';
import { gpuPart } from '../backends/gpu-data.js';
import { MlpError } from '../errors.js';
import { type BestSoFar, encodeModel } from '../io/model-file.js';
import { checkGpuData, type GpuData, isGpuBuffer, isGpuData } from '../model/gpu-data.js';
import { checkTargetsForLoss, exampleCount, toFiniteFloat32 } from '../model/numbers.js';
import type { OptimizerConfig } from '../model/optimizer.js';
import { hash32, Random } from '../model/random.js';
import type { Loss } from '../model/spec.js';
import type { ValidatedSpec } from '../model/validate.js';
import { openCheckpoints } from './checkpoints.js';
import {
  type BatchRecord,
  type EpochRecord,
  type FitData,
  type FitOptions,
  resolveFitOptions,
  scheduledLearningRate,
} from './options.js';

/** What fit returns: one record per epoch trained, and the best one. */
export interface FitHistory {
  epochs: EpochRecord[];
  /**
   * the epoch with the lowest validation loss (training loss without validation); with earlyStopping, over
   * the whole run, which a fit resumed from a checkpoint continues; 0 when none finished
   */
  bestEpoch: number;
  /** early stopping ended training (and the best epoch's weights were restored) */
  stoppedEarly: boolean;
  /** stop() ended training */
  stopped: boolean;
}

/** The part of a Network that fit reads and advances. */
export interface TrainingState {
  readonly spec: ValidatedSpec;
  readonly backend: BackendNetwork;
  /** epochs trained so far, over the network's life */
  epoch: number;
  /** the optimizer whose state the backend holds, if any */
  optimizer: OptimizerConfig | undefined;
  /**
   * Early stopping's best-so-far while a run with earlyStopping is under way: saved with checkpoints and
   * net.save(), so that a fit resumed from one stops where the uninterrupted run would have; cleared when
   * early stopping restores the best weights at the end of a fit.
   */
  best: HeldBest | undefined;
}

/** Early stopping's best-so-far as training holds it: its weights are a copy kept by the backend. */
export interface HeldBest extends Omit<BestSoFar, 'params'> {
  weights: ParamsCopy;
}

/** A best-so-far of the save format (loaded from a file), held by `backend`: one upload on webgpu. */
export function holdBest(backend: BackendNetwork, { params, ...best }: BestSoFar): HeldBest {
  return { ...best, weights: backend.copyParams(params) };
}

/** The best-so-far as the save format takes it: reads its weights (one readback on webgpu). */
export async function readBest({ weights, ...best }: HeldBest): Promise<BestSoFar> {
  return { ...best, params: await weights.read() };
}

/** Set by Network.stop(); fit checks it between chunks and after each epoch. */
export interface StopFlag {
  stopped: boolean;
}

/** Examples checked and converted: row-major float32, finite. */
export interface Examples {
  inputs: Float32Array;
  targets: Float32Array;
  count: number;
}

/** Examples in the caller's GPUBuffers: usage and sizes checked; the values are not read. */
export type GpuExamples = Required<GpuData>;

/** What a fit trains or validates on: CPU arrays, or GPU buffers. */
export type FitExamples = Examples | GpuExamples;

function onGpu(examples: FitExamples): examples is GpuExamples {
  return isGpuBuffer(examples.inputs);
}

/** checkExamples, or for `{ inputs: GPUBuffer, targets: GPUBuffer, count }` the GPU checks. */
export function checkFitExamples(
  what: string,
  data: unknown,
  inputSize: number,
  outputSize: number,
  loss: Loss,
  backend: BackendNetwork,
): FitExamples {
  // Targets in GPUBuffers are not read, so binary cross-entropy's range is checked only for arrays.
  if (!isGpuData(data)) return checkExamples(what, data, inputSize, outputSize, loss);
  gpuPart(backend, what);
  const { inputs, targets, count } = checkGpuData(what, data, inputSize, outputSize, 'train');
  return { inputs, targets: targets as GPUBuffer, count };
}

/** The examples on the backend: uploaded once, or the caller's buffers bound in place. */
export function placeExamples(backend: BackendNetwork, examples: FitExamples): Promise<BackendDataset> {
  if (onGpu(examples)) return gpuPart(backend, 'data').adopt(examples);
  return Promise.resolve(backend.upload(examples.inputs, examples.targets, examples.count));
}

/** GPU buffers are named by identity: their values stay on the GPU. */
const gpuDataNames = new WeakMap<GPUBuffer, number>();
let gpuDataNamed = 0;

function gpuDataName(buffer: GPUBuffer): number {
  let name = gpuDataNames.get(buffer);
  if (name === undefined) {
    name = ++gpuDataNamed;
    gpuDataNames.set(buffer, name);
  }
  return name;
}

/** About this many examples go into one train() call between callbacks and stop checks. */
const examplesPerChunk = 1024;

/** Lets timers and other tasks (a stop() from outside, a UI) run between chunks without waiting. */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise((resolve) => setImmediate(resolve))
    : () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Checks `data` (lengths, count, finiteness, targets the loss accepts) against the network; MlpError
 * ('invalid-data'). A valid Float32Array is checked where it lies, not copied: fit reads it until it resolves.
 */
function checkExamples(
  what: string,
  data: unknown,
  inputSize: number,
  outputSize: number,
  loss: Loss,
): Examples {
  if (typeof data !== 'object' || data === null) {
    throw new MlpError(
      'invalid-data',
      `${what}: expected { inputs, targets } (row-major), got ${String(data)}`,
    );
  }
  const { inputs, targets, count } = data as Partial<FitData> & { inputSize?: number; outputSize?: number };
  const sizes = data as { inputSize?: unknown; outputSize?: unknown };
  if (sizes.inputSize !== undefined && sizes.inputSize !== inputSize) {
    throw new MlpError(
      'invalid-data',
      `${what}: inputSize ${String(sizes.inputSize)}; the network takes ${inputSize}`,
    );
  }
  if (sizes.outputSize !== undefined && sizes.outputSize !== outputSize) {
    throw new MlpError(
      'invalid-data',
      `${what}: outputSize ${String(sizes.outputSize)}; the network has ${outputSize} outputs`,
    );
  }
  const isArray = (value: unknown): value is ArrayLike<number> =>
    typeof value === 'object' && value !== null && typeof (value as ArrayLike<number>).length === 'number';
  if (!isArray(inputs) || !isArray(targets)) {
    throw new MlpError(
      'invalid-data',
      `${what}: expected inputs and targets as Float32Array (or arrays of numbers)`,
    );
  }
  const rows = exampleCount(`${what}.inputs`, inputs.length, inputSize, 'inputSize');
  if (count !== undefined && count !== rows) {
    throw new MlpError(
      'invalid-data',
      `${what}: count ${String(count)}, but inputs hold ${inputs.length} values = ${rows} examples of ${inputSize}`,
    );
  }
  if (targets.length !== rows * outputSize) {
    throw new MlpError(
      'invalid-data',
      `${what}.targets: length ${targets.length}; expected count × outputs = ${rows} × ${outputSize} = ${rows * outputSize}`,
    );
  }
  const describeTarget = (i: number) => ` (example ${Math.floor(i / outputSize)}, output ${i % outputSize})`;
  const checkedTargets = toFiniteFloat32(`${what}.targets`, targets, describeTarget);
  checkTargetsForLoss(`${what}.targets`, checkedTargets, loss, describeTarget);
  return {
    inputs: toFiniteFloat32(
      `${what}.inputs`,
      inputs,
      (i) => ` (example ${Math.floor(i / inputSize)}, input ${i % inputSize})`,
    ),
    targets: checkedTargets,
    count: rows,
  };
}

/**
 * Names the data a loss is watched on (kind, count and a hash of every value), so that a best loss carried
 * over from an earlier fit is only compared with losses on the same data.
 */
function watchedData(kind: 'validation' | 'training', examples: FitExamples): string {
  if (onGpu(examples)) {
    return `${kind} data, ${examples.count} examples, GPU buffers #${gpuDataName(examples.inputs)}/#${gpuDataName(examples.targets)}`;
  }
  let hash = hash32(examples.count);
  for (const array of [examples.inputs, examples.targets]) {
    const words = new Uint32Array(array.buffer, array.byteOffset, array.length);
    for (let i = 0; i < words.length; i++) hash = hash32((hash ^ words[i]) >>> 0);
  }
  return `${kind} data, ${examples.count} examples, hash ${hash.toString(16).padStart(8, '0')}`;
}

/** The examples [start, end) of `examples`. */
function slice(examples: FitExamples, start: number, end: number): Examples {
  if (onGpu(examples)) {
    throw new MlpError(
      'invalid-argument',
      'validationSplit: GPU data cannot be split; pass the held-out examples as `validation` (GPU buffers too)',
    );
  }
  const inputSize = examples.inputs.length / examples.count;
  const outputSize = examples.targets.length / examples.count;
  return {
    inputs: examples.inputs.subarray(start * inputSize, end * inputSize),
    targets: examples.targets.subarray(start * outputSize, end * outputSize),
    count: end - start,
  };
}

/** The permutation of epoch `epochIndex`: the same for a resumed run as for an uninterrupted one. */
function epochOrder(seed: number, epochIndex: number, count: number, shuffle: boolean): Uint32Array {
  if (!shuffle) return Uint32Array.from({ length: count }, (_, i) => i);
  return new Random(hash32((hash32(seed >>> 0) + epochIndex) >>> 0)).permutation(count);
}

function addMetrics(sum: Metrics, more: Metrics): void {
  sum.lossSum += more.lossSum;
  sum.correct += more.correct;
  sum.count += more.count;
  sum.finite &&= more.finite;
}

/** How many of `count` examples validationSplit holds out: at least one, and at least one left to train on. */
function heldOutCount(count: number, validationSplit: number): number | undefined {
  const held = Math.round(count * validationSplit);
  return held < 1 || held >= count ? undefined : held;
}

/**
 * How many examples fit(data, options) trains on and evaluates after each epoch, for data of `count`
 * examples, split as runFit splits them (`validationSplit` resolved, as resolveFitOptions gives it): the
 * shapes Network.ready() compiles for. A count not known (no `count`, or a validationSplit of an unknown
 * count) is left undefined.
 */
export function fitCounts(
  state: TrainingState,
  options: FitOptions | undefined,
  validationSplit: number | undefined,
  count: number | undefined,
): { training?: number; validation?: number } {
  const { spec, backend } = state;
  if (validationSplit !== undefined) {
    if (count === undefined) return {};
    const held = heldOutCount(count, validationSplit);
    return held === undefined ? { training: count } : { training: count - held, validation: held };
  }
  if (options?.validation === undefined) return { training: count };
  const outputSize = spec.layers[spec.layers.length - 1].units;
  const validation = checkFitExamples(
    'validation',
    options.validation,
    spec.inputSize,
    outputSize,
    spec.loss,
    backend,
  );
  return { training: count, validation: validation.count };
}

/** Trains `state.backend` on `data`: see FitOptions and README "Training". */
export async function runFit(
  state: TrainingState,
  data: FitData,
  options: FitOptions | undefined,
  stop: StopFlag,
): Promise<FitHistory> {
  const { spec, backend } = state;
  const outputSize = spec.layers[spec.layers.length - 1].units;
  const resolved = resolveFitOptions(options, spec.layers.length - 1, state.optimizer);
  const callbacks = options ?? {};
  const all = checkFitExamples('data', data, spec.inputSize, outputSize, spec.loss, backend);
  let training = all;
  let validation: FitExamples | undefined;
  if (resolved.validationSplit !== undefined) {
    const held = heldOutCount(all.count, resolved.validationSplit);
    if (held === undefined) {
      const rounded = Math.round(all.count * resolved.validationSplit);
      throw new MlpError(
        'invalid-data',
        `validationSplit ${resolved.validationSplit} of ${all.count} examples leaves ${rounded} for validation and ${all.count - rounded} for training; both need at least one`,
      );
    }
    training = slice(all, 0, all.count - held);
    validation = slice(all, all.count - held, all.count);
  } else if (callbacks.validation !== undefined) {
    validation = checkFitExamples(
      'validation',
      callbacks.validation,
      spec.inputSize,
      outputSize,
      spec.loss,
      backend,
    );
  }

  const checkpoints = await openCheckpoints(resolved.checkpointEvery, callbacks);

  const optimizer: OptimizerConfig = { ...resolved.optimizer, learningRate: resolved.learningRate };
  const { learningRate: _previousRate, ...previous } = state.optimizer ?? { learningRate: 0 };
  if (JSON.stringify(previous) !== JSON.stringify(resolved.optimizer)) {
    backend.setOptimizer(resolved.optimizer); // a different optimizer starts from zeroed state
  }
  state.optimizer = optimizer;

  const trainingData = await placeExamples(backend, training);
  let validationData: BackendDataset | undefined;
  const history: FitHistory = { epochs: [], bestEpoch: 0, stoppedEarly: false, stopped: false };
  // The weights after the last epoch that left them finite, restored if an epoch does not.
  let lastFinite: ParamsCopy | undefined;
  let bestWeights: ParamsCopy | undefined;
  try {
    validationData = validation && (await placeExamples(backend, validation));
    // The GPU pipelines compile before the first step, without blocking (Network.ready() may have begun it).
    await backend.prepare(
      trainingData,
      {
        batchSize: resolved.batchSize,
        optimizer: resolved.optimizer,
        dropout: resolved.dropout.some((rate) => rate > 0),
      },
      validationData,
    );
    lastFinite = backend.copyParams();
    const batches = Math.ceil(training.count / resolved.batchSize);
    const batchesPerChunk = callbacks.onBatchEnd
      ? 1
      : Math.max(1, Math.floor(examplesPerChunk / resolved.batchSize));
    const lastEpoch = state.epoch + resolved.epochs;
    const { earlyStopping } = resolved;
    // Only early stopping carries a best-so-far from one fit to the next, so only it names the data (a hash
    // of every value: one pass over the data per fit).
    const watched = !earlyStopping
      ? ''
      : validation
        ? watchedData('validation', validation)
        : watchedData('training', training);
    // With early stopping, a run continues the best-so-far of the run it resumes (on the same data), and
    // keeps the best epoch's weights as a copy; without it, only the best epoch's number is reported.
    const carried = earlyStopping && state.best?.watched === watched ? state.best : undefined;
    if (state.best !== carried) state.best?.weights.dispose();
    state.best = undefined;
    let best: { epoch: number; loss: number } | undefined = carried;
    bestWeights = carried?.weights;
    if (earlyStopping && best && state.epoch - best.epoch >= earlyStopping.patience) {
      // Resumed from a checkpoint of the epoch at which early stopping ended the run: end it the same way.
      history.stoppedEarly = true;
    }
    history.bestEpoch = best?.epoch ?? 0;
    backend.setOrder(trainingData, epochOrder(spec.seed, state.epoch, training.count, resolved.shuffle));

    for (let e = 0; e < resolved.epochs && !stop.stopped && !history.stoppedEarly; e++) {
      const epoch = state.epoch + 1;
      const started = performance.now();
      if (e > 0 && resolved.shuffle) {
        backend.setOrder(trainingData, epochOrder(spec.seed, state.epoch, training.count, true));
      }
      const learningRate = scheduledLearningRate(
        resolved.learningRateSchedule,
        resolved.learningRate,
        state.epoch,
        lastEpoch,
      );
      const step = {
        batchSize: resolved.batchSize,
        learningRate,
        l1: resolved.l1,
        l2: resolved.l2,
        decayBiases: resolved.decayBiases,
        dropout: resolved.dropout,
        dropoutSeed: spec.seed,
      };
      const batchMetrics: Metrics = { lossSum: 0, correct: 0, count: 0, finite: true };
      let end: EpochEnd | undefined;
      let batch = 0;
      while (batch < batches && !stop.stopped) {
        const chunk = Math.min(batchesPerChunk, batches - batch);
        backend.train(trainingData, batch, chunk, step);
        let record: BatchRecord = { epoch, batch, batches };
        if (resolved.batchLoss) {
          // The last batch's metrics come with the epoch's one readback, not in one of their own.
          if (batch + chunk === batches) end = await backend.endEpoch(validationData);
          const metrics = end ? end.training : await backend.takeTrainingMetrics();
          addMetrics(batchMetrics, metrics);
          record = {
            ...record,
            loss: metrics.lossSum / metrics.count,
            accuracy: metrics.correct / metrics.count,
          };
        }
        batch += chunk;
        if (callbacks.onBatchEnd) await callbacks.onBatchEnd(record);
        await yieldToEventLoop();
      }
      if (batch < batches) {
        await backend.takeTrainingMetrics(); // a partial epoch is not recorded: its metrics are dropped
        history.stopped = true;
        break;
      }

      end ??= await backend.endEpoch(validationData);
      const epochMetrics = resolved.batchLoss ? batchMetrics : end.training;
      if (!epochMetrics.finite || !end.paramsFinite) {
        lastFinite.restore();
        backend.setOptimizer(resolved.optimizer);
        throw new MlpError(
          'non-finite',
          `epoch ${epoch}: training produced NaN or Infinity (learning rate ${learningRate}); the network keeps the weights after epoch ${epoch - 1} and its optimizer state was reset; try a smaller learning rate`,
        );
      }
      lastFinite.update();
      const record: EpochRecord = {
        epoch,
        loss: epochMetrics.lossSum / epochMetrics.count,
        accuracy: epochMetrics.correct / epochMetrics.count,
        learningRate,
        examplesPerSecond: 0,
      };
      if (end.validation) {
        record.validationLoss = end.validation.lossSum / end.validation.count;
        record.validationAccuracy = end.validation.correct / end.validation.count;
      }
      record.examplesPerSecond = training.count / ((performance.now() - started) / 1000);
      state.epoch = epoch;
      history.epochs.push(record);

      const watchedLoss = record.validationLoss ?? record.loss;
      if (!best || watchedLoss < best.loss - (earlyStopping?.minDelta ?? 0)) {
        best = { epoch, loss: watchedLoss };
        if (earlyStopping) {
          if (bestWeights) bestWeights.update();
          else bestWeights = backend.copyParams();
        }
      }
      history.bestEpoch = best.epoch;
      if (bestWeights) state.best = { ...best, watched, weights: bestWeights };

      if (callbacks.onEpochEnd) await callbacks.onEpochEnd(record);
      if (checkpoints?.due(epoch)) {
        await checkpoints.save(
          encodeModel({
            spec,
            epoch,
            params: await backend.readParams(),
            optimizer: { config: optimizer, state: await backend.readOptimizerState() },
            best: state.best && (await readBest(state.best)),
          }),
        );
      }
      if (earlyStopping && epoch - best.epoch >= earlyStopping.patience) {
        history.stoppedEarly = true;
        break;
      }
      if (stop.stopped) history.stopped = true;
    }
    if (best && bestWeights) {
      if (best.epoch !== state.epoch) bestWeights.restore();
      state.best = undefined; // the run of early stopping is over: the next fit starts a new one
    }
    return history;
  } finally {
    trainingData.dispose();
    validationData?.dispose();
    lastFinite?.dispose();
    // A fit that threw leaves its best-so-far in state.best, for save() and the next fit.
    if (bestWeights !== state.best?.weights) bestWeights?.dispose();
  }
}
