import { describe, expect, it } from 'vitest';
import { MlpError } from '../../src/errors.js';
import type { NetworkSpec } from '../../src/model/spec.js';
import { validateSpec } from '../../src/model/validate.js';

const good: NetworkSpec = {
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
};

/** The MlpError that `spec` raises. */
function errorOf(spec: unknown): MlpError {
  try {
    validateSpec(spec);
  } catch (error) {
    if (error instanceof MlpError) return error;
    throw error;
  }
  throw new Error('validateSpec accepted a bad spec');
}

describe('validateSpec', () => {
  it('fills in the defaults: uniform ±0.05, seed 1', () => {
    expect(validateSpec(good)).toEqual({ ...good, init: { kind: 'uniform', scale: 0.05 }, seed: 1 });
    expect(validateSpec({ ...good, init: { kind: 'normal' }, seed: 7 })).toMatchObject({
      init: { kind: 'normal', variance: 1 },
      seed: 7,
    });
  });

  it('returns a copy: changing the user object later changes nothing', () => {
    const spec = structuredClone(good);
    const validated = validateSpec(spec);
    spec.layers[0].units = 99;
    expect(validated.layers[0].units).toBe(3);
    expect(Object.isFrozen(validated.layers[0])).toBe(true);
  });

  it.each([
    [{ ...good, inputSize: 0 }, 'inputSize: 0 is not a positive integer'],
    [{ ...good, inputSize: 2.5 }, 'inputSize: 2.5 is not a positive integer'],
    [{ ...good, layers: [] }, 'layers: an array of length 0 is not a non-empty array'],
    [
      { ...good, layers: [{ units: 3, activation: 'sigmod' }] },
      'layers[0].activation: "sigmod" is not one of sigmoid, tanh, relu, leaky-relu, linear, softmax',
    ],
    [
      { ...good, layers: [{ units: 0, activation: 'sigmoid' }] },
      'layers[0].units: 0 is not a positive integer',
    ],
    [
      { ...good, loss: 'mse' },
      'loss: "mse" is not one of squared-error, binary-cross-entropy, softmax-cross-entropy',
    ],
    [
      {
        ...good,
        layers: [
          { units: 3, activation: 'softmax' },
          { units: 2, activation: 'softmax' },
        ],
        loss: 'softmax-cross-entropy',
      },
      'layers[0].activation: "softmax" is only allowed on the output layer (layers[1])',
    ],
    [
      { ...good, layers: [{ units: 2, activation: 'softmax' }] },
      'a softmax output needs loss "softmax-cross-entropy"',
    ],
    [{ ...good, loss: 'softmax-cross-entropy' }, 'which needs a softmax output layer'],
    [
      { ...good, layers: [{ units: 2, activation: 'tanh' }], loss: 'binary-cross-entropy' },
      'needs a sigmoid output',
    ],
    [{ ...good, init: { kind: 'glorot' } }, 'init.kind: "glorot" is not one of uniform, normal, xavier, he'],
    [{ ...good, init: { kind: 'uniform', scale: -1 } }, 'init.scale: -1 is not a positive finite number'],
    [{ ...good, seed: -1 }, 'seed: -1 is not an integer from 0 to 4294967295'],
    [null, 'spec: null is not an object'],
    [
      { ...good, intit: { kind: 'he' } },
      'spec: unknown key "intit"; expected only inputSize, layers, loss, init, seed',
    ],
    [{ ...good, layers: [{ units: 2, activaton: 'relu' }] }, 'layers[0]: unknown key "activaton"'],
    [{ ...good, init: { kind: 'he', scale: 2 } }, 'init: unknown key "scale"; expected only kind'],
    [
      { ...good, inputSize: 2 ** 20, layers: [{ units: 512, activation: 'sigmoid' }] },
      'layers[0]: units × inputs = 512 × 1048576 = 536870912 weights; expected at most 268435456 per layer',
    ],
  ])('rejects %j with a message that says what was expected', (spec, message) => {
    const error = errorOf(spec);
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toContain(message);
  });
});
