import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initParams } from '../../src/model/init.js';
import type { InitSpec, NetworkSpec } from '../../src/model/spec.js';
import { validateSpec } from '../../src/model/validate.js';

function spec(init: InitSpec | undefined, seed?: number, inputSize = 400, units = 300): NetworkSpec {
  return {
    inputSize,
    layers: [
      { units, activation: 'tanh' },
      { units: 10, activation: 'linear' },
    ],
    loss: 'squared-error',
    init,
    seed,
  };
}

function moments(values: Float32Array) {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return { mean, variance: squares / values.length - mean * mean, maxAbs: Math.max(...values.map(Math.abs)) };
}

describe('initParams', () => {
  it('same seed gives the same weights; a different seed gives different ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (a, b) => {
          fc.pre(a !== b);
          for (const init of [undefined, { kind: 'normal' as const }, { kind: 'xavier' as const }]) {
            const first = initParams(validateSpec(spec(init, a, 5, 4)));
            const again = initParams(validateSpec(spec(init, a, 5, 4)));
            const other = initParams(validateSpec(spec(init, b, 5, 4)));
            expect(again).toEqual(first);
            expect(other[0].weights).not.toEqual(first[0].weights);
          }
        },
      ),
      { numRuns: 50, seed: 3 },
    );
  });

  it('is pinned: seed 1 gives these first weights on every platform (integer hash, no Math.random)', () => {
    // If this changes, saved seeds stop reproducing their networks: change it only on purpose.
    const [layer] = initParams(validateSpec(spec(undefined, 1, 2, 2)));
    const pinned = Array.from(layer.weights, (v) => v.toFixed(7));
    expect(pinned).toMatchInlineSnapshot(`
      [
        "0.0410802",
        "0.0193636",
        "0.0373793",
        "0.0019553",
      ]
    `);
  });

  it('uniform ±scale for weights and biases alike (Mitchell), default scale 0.05', () => {
    const layers = initParams(validateSpec(spec(undefined)));
    for (const { weights, biases } of layers) {
      const w = moments(weights);
      expect(w.maxAbs).toBeLessThanOrEqual(0.05);
      expect(w.maxAbs).toBeGreaterThan(0.049);
      expect(w.variance).toBeCloseTo(0.05 ** 2 / 3, 4); // variance of U(−a, a) is a²/3
      expect(moments(biases).maxAbs).toBeGreaterThan(0);
      expect(moments(biases).maxAbs).toBeLessThanOrEqual(0.05);
    }
  });

  it.each([
    [{ kind: 'normal', variance: 3 } as InitSpec, (fanIn: number) => 3 / fanIn],
    [{ kind: 'he' } as InitSpec, (fanIn: number) => 2 / fanIn],
    [{ kind: 'xavier' } as InitSpec, (fanIn: number, fanOut: number) => 6 / (fanIn + fanOut) / 3],
  ])('%j: weight variance as documented, biases zero', (init, variance) => {
    const [hidden, output] = initParams(validateSpec(spec(init)));
    const hiddenMoments = moments(hidden.weights);
    expect(Math.abs(hiddenMoments.mean)).toBeLessThan(0.05 * Math.sqrt(variance(400, 300)));
    expect(hiddenMoments.variance / variance(400, 300)).toBeGreaterThan(0.97);
    expect(hiddenMoments.variance / variance(400, 300)).toBeLessThan(1.03);
    expect(moments(output.weights).variance / variance(300, 10)).toBeGreaterThan(0.85);
    expect(moments(output.weights).variance / variance(300, 10)).toBeLessThan(1.15);
    expect(hidden.biases.every((b) => b === 0)).toBe(true);
    if (init.kind === 'xavier') expect(hiddenMoments.maxAbs).toBeLessThanOrEqual(Math.sqrt(6 / 700));
  });
});
