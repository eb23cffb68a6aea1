// The options of Network.fit: what a user may write, their defaults (README, "Training"), and the checks
// that turn a mistake into an MlpError('invalid-argument') saying what was given and what was expected.

import type { Dataset } from '../data/dataset.js';
import { MlpError } from '../errors.js';
import type { SavedModel } from '../io/model-file.js';
import type { GpuData } from '../model/gpu-data.js';
import type { Numbers } from '../model/numbers.js';
import {
  type OptimizerConfig,
  type OptimizerOptions,
  type OptimizerSpec,
  resolveOptimizer,
} from '../model/optimizer.js';
import { checkBoolean, checkKeys, checkNumberIn, invalid, isRecord } from '../model/validate.js';

/** Examples for fit and evaluate: row-major inputs (count × inputSize) and targets (count × outputs). */
export interface TrainingData {
  inputs: Numbers;
  targets: Numbers;
  /** optional; when given it must agree with the lengths */
  count?: number;
}

/**
 * The data helper's Dataset (src/data) is accepted as it is: it has the same fields. GpuData (the webgpu
 * backend only) keeps the examples in the caller's GPUBuffers: docs/embedding.md.
 */
export type FitData = TrainingData | Dataset | GpuData;

/** The learning rate of epoch e (counted from 0 over the network's whole life, so resuming continues it). */
export type LearningRateSchedule =
  /** η */
  | { kind: 'constant' }
  /** η · factor^⌊e / every⌋ */
  | { kind: 'step'; every: number; factor: number }
  /** η · decay^e */
  | { kind: 'exponential'; decay: number }
  /** min + (η − min)·(1 + cos(π·min(e, epochs)/epochs))/2; epochs defaults to the last epoch of this fit */
  | { kind: 'cosine'; epochs?: number; minLearningRate?: number };

/** One line of the history, given to onEpochEnd. Losses and accuracies are means over the examples. */
export interface EpochRecord {
  /** 1-based, counted over the network's life (a loaded model continues its count) */
  epoch: number;
  /** training loss, from the forward passes made while training (with dropout) */
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
  learningRate: number;
  /** training examples per second of wall-clock time this epoch, validation included */
  examplesPerSecond: number;
}

export interface BatchRecord {
  epoch: number;
  /** 0-based within the epoch */
  batch: number;
  batches: number;
  /** mean loss of this batch: only with `batchLoss: true` (one readback per batch) */
  loss?: number;
  accuracy?: number;
}

export interface FitOptions {
  /** epochs to train in this call; default 10 */
  epochs?: number;
  /** 1 = per-example SGD (default), ≥ count = full batch, between = mini-batch */
  batchSize?: number;
  /** a new permutation of the training examples every epoch, from the seed; default true */
  shuffle?: boolean;
  /** default { kind: 'sgd', learningRate: 0.3, momentum: 0.3, nesterov: false }, or the loaded model's */
  optimizer?: OptimizerOptions;
  /** default { kind: 'constant' } */
  learningRateSchedule?: LearningRateSchedule;
  /** L2 weight decay λ (adds λ·w to the gradient); default 0 */
  l2?: number;
  /** L1 weight decay (adds λ·sign(w)); default 0 */
  l1?: number;
  /** apply l1/l2 (and adamw's decay) to biases too; default false */
  decayBiases?: boolean;
  /** dropout rate per hidden layer, or one rate for all hidden layers; default 0 (none) */
  dropout?: number | number[];
  /** an explicit validation set */
  validation?: FitData;
  /** or the LAST fraction of the examples (in the order given, before shuffling), in (0, 1) */
  validationSplit?: number;
  /** stop when validation loss has not improved by more than minDelta for `patience` epochs, then restore the best epoch */
  earlyStopping?: { patience?: number; minDelta?: number };
  onEpochEnd?: (record: EpochRecord) => void | Promise<void>;
  /** called after every batch; no readback unless batchLoss is true */
  onBatchEnd?: (record: BatchRecord) => void | Promise<void>;
  /** read each batch's loss back for onBatchEnd (slow on the GPU: one readback per batch); default false */
  batchLoss?: boolean;
  /**
   * every N epochs, or `{ seconds }`: at the end of the first epoch that many seconds after the last checkpoint
   * (or the start of the fit), save a checkpoint (the format of net.save()) to onCheckpoint and/or
   * checkpointPath. A checkpoint reads the weights back from the GPU, so a cadence in seconds keeps long runs
   * of quick epochs resident.
   */
  checkpointEvery?: number | { seconds: number };
  /** receives each checkpoint (in memory); needs checkpointEvery */
  onCheckpoint?: (checkpoint: SavedModel) => void | Promise<void>;
  /**
   * Node only; needs checkpointEvery: also write each checkpoint as JSON to this file, whole or not at all,
   * the one it replaces kept as <path>.previous (read them back with readCheckpoint, docs/reliability.md).
   * Its folder is checked before the first epoch.
   */
  checkpointPath?: string;
}

/** FitOptions with every default filled in and every value checked. */
export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  optimizer: OptimizerSpec;
  learningRate: number;
  learningRateSchedule: LearningRateSchedule;
  l1: number;
  l2: number;
  decayBiases: boolean;
  dropout: number[];
  validationSplit: number | undefined;
  earlyStopping: { patience: number; minDelta: number } | undefined;
  batchLoss: boolean;
  checkpointEvery: number | { seconds: number } | undefined;
}

const scheduleKinds = ['constant', 'step', 'exponential', 'cosine'] as const;
/** Every option `fit` takes (docs/training.md lists each one; test/docs/pages.test.ts checks that). */
export const fitOptionKeys: readonly (keyof FitOptions)[] = [
  'epochs',
  'batchSize',
  'shuffle',
  'optimizer',
  'learningRateSchedule',
  'l2',
  'l1',
  'decayBiases',
  'dropout',
  'validation',
  'validationSplit',
  'earlyStopping',
  'onEpochEnd',
  'onBatchEnd',
  'batchLoss',
  'checkpointEvery',
  'onCheckpoint',
  'checkpointPath',
];

/** A misspelt option would otherwise be ignored silently (and its default used): reject it instead. */
function checkOptionKeys(where: string, value: Record<string, unknown>, known: readonly string[]): void {
  checkKeys(where, value, known, 'option');
}

function positiveInteger(where: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(where, value, 'a positive integer');
  }
  return value;
}

function resolveCheckpointEvery(value: unknown): number | { seconds: number } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return positiveInteger('checkpointEvery', value, 1);
  if (!isRecord(value)) throw invalid('checkpointEvery', value, 'a number of epochs or { seconds }');
  checkKeys('checkpointEvery', value, ['seconds'], 'option');
  return { seconds: checkNumberIn('checkpointEvery.seconds', value.seconds, 0, { above: 0 }) };
}

/** A schedule parameter that has no default. */
function required(where: string, value: unknown): unknown {
  if (value === undefined)
    throw new MlpError('invalid-argument', `${where}: missing; this schedule needs it`);
  return value;
}

function resolveSchedule(value: unknown): LearningRateSchedule {
  if (value === undefined) return { kind: 'constant' };
  if (!isRecord(value) || !scheduleKinds.includes(value.kind as 'step')) {
    throw invalid(
      'learningRateSchedule',
      isRecord(value) ? value.kind : value,
      `a schedule of kind ${scheduleKinds.join(', ')}`,
    );
  }
  switch (value.kind) {
    case 'constant':
      checkOptionKeys('learningRateSchedule', value, ['kind']);
      return { kind: 'constant' };
    case 'step':
      checkOptionKeys('learningRateSchedule', value, ['kind', 'every', 'factor']);
      return {
        kind: 'step',
        every: positiveInteger(
          'learningRateSchedule.every',
          required('learningRateSchedule.every', value.every),
          1,
        ),
        factor: checkNumberIn(
          'learningRateSchedule.factor',
          required('learningRateSchedule.factor', value.factor),
          1,
          {
            above: 0,
            atMost: 1,
          },
        ),
      };
    case 'exponential':
      checkOptionKeys('learningRateSchedule', value, ['kind', 'decay']);
      return {
        kind: 'exponential',
        decay: checkNumberIn(
          'learningRateSchedule.decay',
          required('learningRateSchedule.decay', value.decay),
          1,
          { above: 0, atMost: 1 },
        ),
      };
    default:
      checkOptionKeys('learningRateSchedule', value, ['kind', 'epochs', 'minLearningRate']);
      return {
        kind: 'cosine',
        epochs:
          value.epochs === undefined
            ? undefined
            : positiveInteger('learningRateSchedule.epochs', value.epochs, 1),
        minLearningRate: checkNumberIn('learningRateSchedule.minLearningRate', value.minLearningRate, 0, {
          atLeast: 0,
        }),
      };
  }
}

/**
 * η for the epoch `epochIndex` (0-based over the network's life). `lastEpoch` (the network's epoch count at
 * the end of this fit) is the cosine schedule's default length.
 */
export function scheduledLearningRate(
  schedule: LearningRateSchedule,
  learningRate: number,
  epochIndex: number,
  lastEpoch: number,
): number {
  switch (schedule.kind) {
    case 'constant':
      return learningRate;
    case 'step':
      return learningRate * schedule.factor ** Math.floor(epochIndex / schedule.every);
    case 'exponential':
      return learningRate * schedule.decay ** epochIndex;
    case 'cosine': {
      const length = schedule.epochs ?? lastEpoch;
      const low = schedule.minLearningRate ?? 0;
      return (
        low + ((learningRate - low) * (1 + Math.cos((Math.PI * Math.min(epochIndex, length)) / length))) / 2
      );
    }
  }
}

function resolveDropout(value: unknown, hiddenLayers: number): number[] {
  const rate = (where: string, r: unknown) => checkNumberIn(where, r, 0, { atLeast: 0, below: 1 });
  if (value === undefined) return new Array(hiddenLayers).fill(0);
  if (typeof value === 'number') return new Array(hiddenLayers).fill(rate('dropout', value));
  if (!Array.isArray(value) || value.length !== hiddenLayers) {
    throw invalid(
      'dropout',
      value,
      `a rate in [0, 1) or an array of ${hiddenLayers} rates (one per hidden layer; the output layer has none)`,
    );
  }
  return value.map((r, l) => rate(`dropout[${l}]`, r));
}

/** Checks `options` and fills in the defaults. `hiddenLayers` sizes the dropout array. */
export function resolveFitOptions(
  options: unknown,
  hiddenLayers: number,
  previousOptimizer: OptimizerConfig | undefined,
): ResolvedFitOptions {
  if (options === undefined) options = {};
  if (!isRecord(options)) throw invalid('fit options', options, 'an object');
  checkOptionKeys('fit options', options, fitOptionKeys);
  for (const name of ['onEpochEnd', 'onBatchEnd', 'onCheckpoint'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw invalid(name, options[name], 'a function');
    }
  }
  if (options.checkpointPath !== undefined && typeof options.checkpointPath !== 'string') {
    throw invalid('checkpointPath', options.checkpointPath, 'a file path (string)');
  }
  const { learningRate, ...optimizer } = resolveOptimizer(options.optimizer, previousOptimizer);
  const validationSplit =
    options.validationSplit === undefined
      ? undefined
      : checkNumberIn('validationSplit', options.validationSplit, 0, { above: 0, below: 1 });
  if (validationSplit !== undefined && options.validation !== undefined) {
    throw new MlpError(
      'invalid-argument',
      'fit options: give either validation or validationSplit, not both',
    );
  }
  let earlyStopping: ResolvedFitOptions['earlyStopping'];
  if (options.earlyStopping !== undefined) {
    const value = options.earlyStopping;
    if (!isRecord(value)) throw invalid('earlyStopping', value, 'an object { patience, minDelta }');
    checkOptionKeys('earlyStopping', value, ['patience', 'minDelta']);
    if (options.validation === undefined && validationSplit === undefined) {
      throw new MlpError(
        'invalid-argument',
        'earlyStopping watches the validation loss: give validation or validationSplit too',
      );
    }
    earlyStopping = {
      patience: positiveInteger('earlyStopping.patience', value.patience, 10),
      minDelta: checkNumberIn('earlyStopping.minDelta', value.minDelta, 0, { atLeast: 0 }),
    };
  }
  const checkpointEvery = resolveCheckpointEvery(options.checkpointEvery);
  if (checkpointEvery === undefined && (options.onCheckpoint || options.checkpointPath !== undefined)) {
    throw new MlpError(
      'invalid-argument',
      `${options.onCheckpoint ? 'onCheckpoint' : 'checkpointPath'}: give checkpointEvery too (every how many epochs); without it no checkpoint would be made`,
    );
  }
  if (checkpointEvery !== undefined && !options.onCheckpoint && !options.checkpointPath) {
    throw new MlpError(
      'invalid-argument',
      'checkpointEvery: give onCheckpoint or checkpointPath to receive them',
    );
  }
  return {
    epochs: positiveInteger('epochs', options.epochs, 10),
    batchSize: positiveInteger('batchSize', options.batchSize, 1),
    shuffle: checkBoolean('shuffle', options.shuffle, true),
    optimizer: optimizer as OptimizerSpec,
    learningRate,
    learningRateSchedule: resolveSchedule(options.learningRateSchedule),
    l1: checkNumberIn('l1', options.l1, 0, { atLeast: 0 }),
    l2: checkNumberIn('l2', options.l2, 0, { atLeast: 0 }),
    decayBiases: checkBoolean('decayBiases', options.decayBiases, false),
    dropout: resolveDropout(options.dropout, hiddenLayers),
    validationSplit,
    earlyStopping,
    batchLoss: checkBoolean('batchLoss', options.batchLoss, false),
    checkpointEvery,
  };
}
