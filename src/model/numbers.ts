// Numbers as users pass them (Float32Array or arrays of numbers), and the checks every entry point makes of
// them: finite in float32, and a whole number of examples.

import { MlpError } from '../errors.js';
import type { Loss } from './spec.js';

/**
 * Numbers a user may pass: a Float32Array (used as is, never copied, also on a SharedArrayBuffer) or any
 * array of numbers, other typed arrays included (converted to a new Float32Array).
 */
export type Numbers = Float32Array | ArrayLike<number>;

/** BigInt64Array and BigUint64Array hold bigints, which Float32Array.from refuses with a TypeError. */
function isBigIntArray(values: unknown): boolean {
  return (
    (typeof BigInt64Array !== 'undefined' && values instanceof BigInt64Array) ||
    (typeof BigUint64Array !== 'undefined' && values instanceof BigUint64Array)
  );
}

/**
 * Converts to Float32Array and checks every value is finite in float32: NaN, ±Infinity and values beyond
 * float32's range (±3.4e38) are MlpError('invalid-data') naming the index and what it means.
 */
export function toFiniteFloat32(
  what: string,
  values: Numbers,
  describeIndex: (index: number) => string = () => '',
): Float32Array {
  if (isBigIntArray(values)) {
    throw new MlpError(
      'invalid-data',
      `${what}: a ${values.constructor.name} holds bigints; expected a Float32Array or an array of numbers (convert with Float32Array.from(values, Number))`,
    );
  }
  const array = values instanceof Float32Array ? values : Float32Array.from(values);
  for (let i = 0; i < array.length; i++) {
    if (!Number.isFinite(array[i])) {
      const given = values[i];
      const shown = Number.isFinite(given) ? `${given}, beyond float32's range` : String(given);
      throw new MlpError(
        'invalid-data',
        `${what}[${i}]${describeIndex(i)} is ${shown}; expected finite numbers (float32)`,
      );
    }
  }
  return array;
}

/** The example count of `length` values of `size` each, or an MlpError saying what was expected. */
export function exampleCount(what: string, length: number, size: number, sizeName: string): number {
  if (length === 0)
    throw new MlpError('invalid-data', `${what}: empty; expected at least one example of ${size} values`);
  if (length % size !== 0) {
    throw new MlpError(
      'invalid-data',
      `${what}: length ${length} is not a multiple of ${sizeName} ${size}; expected count × ${size} values, row-major`,
    );
  }
  return length / size;
}

export function isNumbers(value: unknown): value is Numbers {
  return (
    value instanceof Float32Array ||
    (typeof value === 'object' && value !== null && typeof (value as ArrayLike<number>).length === 'number')
  );
}

/**
 * Binary cross-entropy is −[t·ln o + (1 − t)·ln(1 − o)]: with t outside [0, 1] it has no minimum (it trains
 * towards a negative loss), so such targets are MlpError('invalid-data') naming the first one.
 */
export function checkTargetsForLoss(
  what: string,
  targets: Float32Array,
  loss: Loss,
  describeIndex: (index: number) => string = () => '',
): void {
  if (loss !== 'binary-cross-entropy') return;
  for (let i = 0; i < targets.length; i++) {
    if (!(targets[i] >= 0 && targets[i] <= 1)) {
      throw new MlpError(
        'invalid-data',
        `${what}[${i}]${describeIndex(i)} is ${targets[i]}; the loss binary-cross-entropy needs targets in [0, 1]`,
      );
    }
  }
}
