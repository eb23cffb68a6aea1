// Symmetries of parameter space: permuted or sign-flipped hidden units give the same outputs, on both backends.
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { Random } from '../../src/model/random.js';
import type { NetworkSpec } from '../../src/model/spec.js';
import { flipHiddenUnit, permuteHiddenUnits } from '../../src/model/symmetries.js';

const spec: NetworkSpec = {
  inputSize: 5,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 3, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
  init: { kind: 'normal' },
  seed: 7,
};
const random = new Random(5);
const inputs = Float32Array.from({ length: 8 * 5 }, () => random.uniform(-2, 2));
const engines: Engine[] = [];
afterAll(() => {
  for (const engine of engines) engine.dispose();
});

function maxDifference(a: Float32Array, b: Float32Array): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i])));
}

describe.each(['cpu', 'webgpu'] as const)('%s backend', (backend) => {
  it('permuting hidden units (with their weights) leaves the outputs unchanged', async () => {
    const engine = await createEngine({ backend });
    engines.push(engine);
    const net = engine.createNetwork(spec);
    const before = await net.predict(inputs);
    const original = await net.getWeights();
    const permuted = permuteHiddenUnits(
      spec,
      permuteHiddenUnits(spec, original, 0, [2, 0, 3, 1]),
      1,
      [1, 2, 0],
    );
    expect(permuted[0].weights).not.toEqual(original[0].weights);
    net.setWeights(permuted);
    expect(maxDifference(await net.predict(inputs), before)).toBeLessThan(1e-6);
  });

  it('flipping the sign of a tanh unit (in, bias, out) leaves the outputs unchanged', async () => {
    const engine = await createEngine({ backend });
    engines.push(engine);
    const net = engine.createNetwork(spec);
    const before = await net.predict(inputs);
    const flipped = flipHiddenUnit(spec, flipHiddenUnit(spec, await net.getWeights(), 0, 1), 1, 2);
    net.setWeights(flipped);
    expect(maxDifference(await net.predict(inputs), before)).toBeLessThan(1e-6);
  });
});

describe('symmetry helpers', () => {
  const params = [
    { weights: new Float32Array(20), biases: new Float32Array(4) },
    { weights: new Float32Array(12), biases: new Float32Array(3) },
    { weights: new Float32Array(6), biases: new Float32Array(2) },
  ];

  it('a wrong permutation, an output layer or a non-odd activation is refused, saying why', () => {
    expect(() => permuteHiddenUnits(spec, params, 0, [0, 1, 1, 2])).toThrow(/is not a permutation of 0…3/);
    expect(() => permuteHiddenUnits(spec, params, 2, [0, 1])).toThrow(
      /2 is not a hidden layer; expected an integer from 0 to 1/,
    );
    const sigmoidSpec: NetworkSpec = {
      ...spec,
      layers: spec.layers.map((layer) => ({ ...layer, activation: 'sigmoid' })),
    };
    expect(() => flipHiddenUnit(sigmoidSpec, params, 0, 0)).toThrow(/only of odd activations/);
    expect(() => flipHiddenUnit(spec, params, 0, 4)).toThrow(/4 is not a unit of layer 0/);
  });

  it('flipping a sigmoid unit would change the outputs (why the helper refuses it)', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    engines.push(engine);
    const sigmoidSpec: NetworkSpec = {
      ...spec,
      layers: spec.layers.map((layer) => ({ ...layer, activation: 'sigmoid' })),
    };
    const net = engine.createNetwork(sigmoidSpec);
    const before = await net.predict(inputs);
    const weights = await net.getWeights();
    weights[0].weights.forEach((w, i) => {
      if (Math.floor(i / 5) === 1) weights[0].weights[i] = -w;
    });
    weights[0].biases[1] *= -1;
    for (let k = 0; k < 3; k++) weights[1].weights[k * 4 + 1] *= -1;
    net.setWeights(weights);
    expect(maxDifference(await net.predict(inputs), before)).toBeGreaterThan(1e-4);
  });
});
