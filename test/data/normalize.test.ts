import { describe, expect, it } from 'vitest';
import { applyNormalization, fitNormalization } from '../../src/data/normalize.js';
import { MlpError } from '../../src/errors.js';

describe('normalisation', () => {
  // three examples × two features; the second feature is constant
  const inputs = Float32Array.of(1, 5, 2, 5, 6, 5);

  it('standardises each feature to mean 0 and variance 1, leaving constant features unscaled', () => {
    const normalization = fitNormalization(inputs, 3, 2);
    expect(normalization.offset).toEqual([3, 5]);
    expect(normalization.scale[0]).toBeCloseTo(Math.sqrt(14 / 3), 12);
    expect(normalization.scale[1]).toBe(1);
    const out = applyNormalization(normalization, inputs);
    const column = [out[0], out[2], out[4]];
    expect(column.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(column.reduce((a, b) => a + b * b, 0) / 3).toBeCloseTo(1, 6);
    expect([out[1], out[3], out[5]]).toEqual([0, 0, 0]);
  });

  it('maps the training range to [0, 1] with min-max, and applies unchanged to new rows', () => {
    const normalization = fitNormalization(inputs, 3, 2, 'min-max');
    expect([...applyNormalization(normalization, inputs)].map((x) => Math.fround(x))).toEqual(
      [0, 0, 0.2, 0, 1, 0].map(Math.fround),
    );
    expect([...applyNormalization(normalization, Float32Array.of(11, 7))]).toEqual([2, 2]);
  });

  it('rejects inputs that do not match', () => {
    expect(() => fitNormalization(inputs, 4, 2)).toThrow(/6 inputs for 4 examples × 2 features/);
    expect(() => applyNormalization(fitNormalization(inputs, 3, 2), Float32Array.of(1, 2, 3))).toThrow(
      MlpError,
    );
  });
});
