// Numbers as users pass them (Float32Array or arrays of numbers), and the checks every entry point makes of
// them: finite in float32, and a whole number of examples.

import { MlpError } from '../errors.js';

/** Numbers a user may pass: a Float32Array (used as is) or any array of numbers (converted). */
export type Numbers = Float32Array | ArrayLike<number>;

/**
 * Converts to Float32Array and checks every value is finite in float32: NaN, ±Infinity and values beyond
 * float32's range (±3.4e38) are MlpError('invalid-data') naming the index and what it means.
 */
export function toFiniteFloat32(
  what: string,
  values: Numbers,
  describeIndex: (index: number) => string = () => '',
): Float32Array {
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
