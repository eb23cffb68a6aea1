// Checks a NetworkSpec a user wrote and fills in its defaults. Every problem is an MlpError that says
// where it is, what was given and what was expected.

import { MlpError } from '../errors.js';
import {
  type Activation,
  activations,
  type InitSpec,
  type LayerSpec,
  losses,
  type NetworkSpec,
} from './spec.js';

/** A NetworkSpec whose defaults are filled in: what backends and initialisers receive. */
export interface ValidatedSpec extends NetworkSpec {
  init: InitSpec;
  seed: number;
}

const defaultInit: InitSpec = { kind: 'uniform', scale: 0.05 };
const defaultSeed = 1;
const initKinds = ['uniform', 'normal', 'xavier', 'he'] as const;
/** 2²⁸ float32 weights (1 GiB) in one layer: beyond this an allocation fails before any device limit applies. */
const maxWeightsPerLayer = 2 ** 28;

/** How a value looks in an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return `a ${typeof value}`;
}

export function invalid(where: string, value: unknown, expected: string): MlpError {
  return new MlpError('invalid-argument', `${where}: ${describeValue(value)} is not ${expected}`);
}

export function checkPositiveInteger(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(where, value, 'a positive integer');
  }
  return value;
}

function checkPositiveFinite(where: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(where, value, 'a positive finite number');
  }
  return value;
}

/**
 * The largest init.scale and init.variance: beyond them the initial weights overflow float32 (uniform
 * draws reach ±scale; normal draws reach about 6.7 standard deviations, √variance each).
 */
export const maxInitScale = 1e38;
export const maxInitVariance = 1e75;

function checkInitParameter(where: string, value: unknown, max: number): number {
  const checked = checkPositiveFinite(where, value);
  if (checked > max) {
    throw invalid(where, value, `at most ${max} (larger initial weights overflow float32 to Infinity)`);
  }
  return checked;
}

function checkOneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw invalid(where, value, `one of ${allowed.join(', ')}`);
  return value as T;
}

/** `value` when it is a finite number within `range`; `fallback` when undefined. */
export function checkNumberIn(
  where: string,
  value: unknown,
  fallback: number,
  range: { above?: number; atLeast?: number; below?: number; atMost?: number },
): number {
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (range.above === undefined || value > range.above) &&
    (range.atLeast === undefined || value >= range.atLeast) &&
    (range.below === undefined || value < range.below) &&
    (range.atMost === undefined || value <= range.atMost);
  if (!ok) {
    const low =
      range.above !== undefined
        ? `> ${range.above}`
        : range.atLeast !== undefined
          ? `≥ ${range.atLeast}`
          : '';
    const high =
      range.below !== undefined ? `< ${range.below}` : range.atMost !== undefined ? `≤ ${range.atMost}` : '';
    throw invalid(where, value, `a finite number ${[low, high].filter(Boolean).join(' and ')}`);
  }
  return value as number;
}

export function checkBoolean(where: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(where, value, 'true or false');
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A misspelt key would otherwise be ignored silently (and its default used): reject it instead. */
export function checkKeys(
  where: string,
  value: Record<string, unknown>,
  known: readonly string[],
  noun = 'key',
): void {
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) {
    throw new MlpError(
      'invalid-argument',
      `${where}: unknown ${noun} "${unknown}"; expected only ${known.join(', ')}`,
    );
  }
}

function validateInit(value: unknown): InitSpec {
  if (value === undefined) return { ...defaultInit };
  if (!isRecord(value)) throw invalid('init', value, 'an object such as { kind: "uniform", scale: 0.05 }');
  const kind = checkOneOf('init.kind', value.kind, initKinds);
  checkKeys(
    'init',
    value,
    kind === 'uniform' ? ['kind', 'scale'] : kind === 'normal' ? ['kind', 'variance'] : ['kind'],
  );
  switch (kind) {
    case 'uniform':
      return {
        kind,
        scale: value.scale === undefined ? 0.05 : checkInitParameter('init.scale', value.scale, maxInitScale),
      };
    case 'normal':
      return {
        kind,
        variance:
          value.variance === undefined
            ? 1
            : checkInitParameter('init.variance', value.variance, maxInitVariance),
      };
    default:
      return { kind };
  }
}

function validateLayer(value: unknown, l: number): LayerSpec {
  if (!isRecord(value)) throw invalid(`layers[${l}]`, value, 'an object { units, activation }');
  checkKeys(`layers[${l}]`, value, ['units', 'activation']);
  return {
    units: checkPositiveInteger(`layers[${l}].units`, value.units),
    activation: checkOneOf(`layers[${l}].activation`, value.activation, activations),
  };
}

/** Checks `spec` and returns a copy with init (uniform ±0.05) and seed (1) filled in. */
export function validateSpec(spec: unknown): ValidatedSpec {
  if (!isRecord(spec)) throw invalid('spec', spec, 'an object { inputSize, layers, loss }');
  checkKeys('spec', spec, ['inputSize', 'layers', 'loss', 'init', 'seed']);
  const inputSize = checkPositiveInteger('inputSize', spec.inputSize);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw invalid(
      'layers',
      spec.layers,
      'a non-empty array of { units, activation } (hidden layers, then output)',
    );
  }
  const layers = spec.layers.map(validateLayer);
  let fanIn = inputSize;
  layers.forEach(({ units }, l) => {
    if (units * fanIn > maxWeightsPerLayer) {
      throw new MlpError(
        'invalid-argument',
        `layers[${l}]: units × inputs = ${units} × ${fanIn} = ${units * fanIn} weights; expected at most ${maxWeightsPerLayer} per layer`,
      );
    }
    fanIn = units;
  });
  const loss = checkOneOf('loss', spec.loss, losses);
  const last = layers.length - 1;
  const hiddenSoftmax = layers.findIndex((layer, l) => l < last && layer.activation === 'softmax');
  if (hiddenSoftmax >= 0) {
    throw new MlpError(
      'invalid-argument',
      `layers[${hiddenSoftmax}].activation: "softmax" is only allowed on the output layer (layers[${last}])`,
    );
  }
  const outputActivation: Activation = layers[last].activation;
  if (outputActivation === 'softmax' && loss !== 'softmax-cross-entropy') {
    throw new MlpError(
      'invalid-argument',
      `loss: "${loss}" cannot follow a softmax output; a softmax output needs loss "softmax-cross-entropy"`,
    );
  }
  if (loss === 'softmax-cross-entropy' && outputActivation !== 'softmax') {
    throw new MlpError(
      'invalid-argument',
      `layers[${last}].activation: "${outputActivation}" cannot be used with loss "softmax-cross-entropy", which needs a softmax output layer`,
    );
  }
  if (loss === 'binary-cross-entropy' && outputActivation !== 'sigmoid') {
    throw new MlpError(
      'invalid-argument',
      `layers[${last}].activation: "${outputActivation}" cannot be used with loss "binary-cross-entropy", which needs a sigmoid output layer`,
    );
  }
  const init = validateInit(spec.init);
  const seed = spec.seed === undefined ? defaultSeed : spec.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw invalid('seed', seed, 'an integer from 0 to 4294967295');
  }
  // Frozen: backends keep this object, so a later change by the user must not reach them.
  return Object.freeze({
    inputSize,
    layers: Object.freeze(layers.map((layer) => Object.freeze(layer))) as LayerSpec[],
    loss,
    init: Object.freeze(init),
    seed,
  });
}
