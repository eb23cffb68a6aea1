// Optimizers: the spec every backend implements, the options a user writes, and the checks that resolve one
// into the other. Here, below train/ and io/, because the save format stores an optimizer and fit chooses one.

import { MlpError } from '../errors.js';
import type { LayerParams } from './spec.js';
import { checkBoolean, checkKeys, checkNumberIn, invalid, isRecord } from './validate.js';

/**
 * Optimizers. g is the mean gradient over the mini-batch plus decay: g' = g + l2·w + l1·sign(w)
 * (for biases only when `decayBiases`). η is the step's learning rate (backends/backend.ts StepOptions).
 * - sgd, classic momentum α (lecture notes): v ← α·v − η·g'; w ← w + v.
 * - sgd with nesterov: v ← α·v − η·g'; w ← w + α·v − η·g'.
 * - adam: t ← t + 1; m ← β1·m + (1 − β1)·g'; s ← β2·s + (1 − β2)·g'²;
 *         w ← w − η · (m / (1 − β1^t)) / (√(s / (1 − β2^t)) + ε).
 * - adamw: as adam, plus decoupled decay after it: w ← w − η·weightDecay·w (weights, and biases when `decayBiases`).
 */
export type OptimizerSpec =
  | { kind: 'sgd'; momentum: number; nesterov: boolean }
  | { kind: 'adam' | 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number };

/** How many slots an optimizer keeps per parameter (see OptimizerState). */
export function slotCount(kind: OptimizerSpec['kind']): number {
  return kind === 'sgd' ? 1 : 2;
}

/**
 * Optimizer state, for save/resume and checkpoints. `slots[k][layer]` holds slot k's values for one layer:
 * sgd has one slot (velocity v), adam/adamw two (m, then s). `step` counts optimizer steps taken so far;
 * it is adam's t and the dropout mask counter.
 */
export interface OptimizerState {
  step: number;
  slots: LayerParams[][];
}

export type OptimizerOptions =
  /** Δw ← −η·g + α·Δw (classic momentum, the lecture notes' rule); nesterov looks ahead along Δw */
  | { kind: 'sgd'; learningRate?: number; momentum?: number; nesterov?: boolean }
  | {
      kind: 'adam' | 'adamw';
      learningRate?: number;
      beta1?: number;
      beta2?: number;
      epsilon?: number;
      weightDecay?: number;
    };

/** The optimizer as saved with a model: its kind, learning rate and hyperparameters. */
export type OptimizerConfig = OptimizerSpec & { learningRate: number };

const defaultOptimizer: OptimizerConfig = {
  kind: 'sgd',
  learningRate: 0.3,
  momentum: 0.3,
  nesterov: false,
};

const optimizerKinds = ['sgd', 'adam', 'adamw'] as const;

/** The optimizer to train with: `value` checked, else the one the model was trained with, else SGD defaults. */
export function resolveOptimizer(value: unknown, previous: OptimizerConfig | undefined): OptimizerConfig {
  if (value === undefined) return previous ?? { ...defaultOptimizer };
  if (!isRecord(value))
    throw invalid('optimizer', value, "an object such as { kind: 'sgd', learningRate: 0.3 }");
  if (!optimizerKinds.includes(value.kind as 'sgd')) {
    throw invalid('optimizer.kind', value.kind, `one of ${optimizerKinds.join(', ')}`);
  }
  if (value.kind === 'sgd') {
    checkKeys('optimizer', value, ['kind', 'learningRate', 'momentum', 'nesterov'], 'option');
    return {
      kind: 'sgd',
      learningRate: checkNumberIn('optimizer.learningRate', value.learningRate, 0.3, { above: 0 }),
      momentum: checkNumberIn('optimizer.momentum', value.momentum, 0.3, { atLeast: 0, below: 1 }),
      nesterov: checkBoolean('optimizer.nesterov', value.nesterov, false),
    };
  }
  const kind = value.kind as 'adam' | 'adamw';
  checkKeys(
    'optimizer',
    value,
    ['kind', 'learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
    'option',
  );
  const weightDecay = checkNumberIn('optimizer.weightDecay', value.weightDecay, kind === 'adamw' ? 0.01 : 0, {
    atLeast: 0,
  });
  if (kind === 'adam' && weightDecay !== 0) {
    throw new MlpError(
      'invalid-argument',
      `optimizer.weightDecay: ${weightDecay} is for 'adamw' (decoupled decay); with 'adam' use l2, or kind 'adamw'`,
    );
  }
  return {
    kind,
    learningRate: checkNumberIn('optimizer.learningRate', value.learningRate, 0.001, { above: 0 }),
    beta1: checkNumberIn('optimizer.beta1', value.beta1, 0.9, { atLeast: 0, below: 1 }),
    beta2: checkNumberIn('optimizer.beta2', value.beta2, 0.999, { atLeast: 0, below: 1 }),
    epsilon: checkNumberIn('optimizer.epsilon', value.epsilon, 1e-8, { above: 0 }),
    weightDecay,
  };
}
