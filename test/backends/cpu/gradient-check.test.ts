// net.checkGradients / gradientCheck: small on correct gradients from either backend, large on wrong ones.
import { afterAll, describe, expect, it } from 'vitest';
import { gradientCheck } from '../../../src/backends/cpu/gradient-check.js';
import { createEngine, type Engine } from '../../../src/engine.js';
import { MlpError } from '../../../src/errors.js';
import { Random } from '../../../src/model/random.js';
import type { NetworkSpec } from '../../../src/model/spec.js';

const spec: NetworkSpec = {
  inputSize: 6,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 3, activation: 'sigmoid' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'softmax-cross-entropy',
  init: { kind: 'xavier' },
  seed: 3,
};
const count = 5;
const random = new Random(11);
const inputs = Float32Array.from({ length: count * 6 }, () => random.uniform(-1, 1));
const targets = Float32Array.from({ length: count * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
const engines: Engine[] = [];
afterAll(() => {
  for (const engine of engines) engine.dispose();
});

describe('net.checkGradients', () => {
  // float64 arithmetic on the CPU backend; float32 parameters and sums on the GPU.
  for (const [backend, tolerance] of [
    ['cpu', 1e-6],
    ['webgpu', 1e-4],
  ] as const) {
    it(`${backend}: backpropagation agrees with finite differences (relative error < ${tolerance})`, async () => {
      const engine = await createEngine({ backend });
      engines.push(engine);
      const net = engine.createNetwork(spec);
      const check = await net.checkGradients(inputs, targets);
      expect(check.parameterCount).toBe(6 * 4 + 4 + 4 * 3 + 3 + 3 * 3 + 3);
      expect(check.parametersChecked).toBe(check.parameterCount);
      expect(check.relativeError).toBeLessThan(tolerance);
      expect(Math.abs(check.worst.analytic - check.worst.numeric)).toBeLessThan(tolerance);
    });
  }

  it('finds wrong gradients: one entry off, or all scaled', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    engines.push(engine);
    const net = engine.createNetwork(spec);
    const params = await net.getWeights();
    const analytic = await net.gradients(inputs, targets);
    analytic[1].weights[5] += 0.05;
    const oneOff = gradientCheck(spec, params, inputs, targets, count, analytic);
    expect(oneOff.relativeError).toBeGreaterThan(1e-3);
    expect(oneOff.worst).toMatchObject({ layer: 1, part: 'weights', index: 5 });
    const doubled = (await net.gradients(inputs, targets)).map(({ weights, biases }) => ({
      weights: weights.map((g) => 2 * g),
      biases: biases.map((g) => 2 * g),
    }));
    // ‖2g − g‖ / (‖2g‖ + ‖g‖) = 1/3
    expect(gradientCheck(spec, params, inputs, targets, count, doubled).relativeError).toBeCloseTo(1 / 3, 6);
  });

  it('checks an even spread of at most maxParameters parameters', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    engines.push(engine);
    const net = engine.createNetwork(spec);
    const check = await net.checkGradients(inputs, targets, { maxParameters: 10 });
    expect(check.parametersChecked).toBeLessThanOrEqual(10);
    expect(check.parametersChecked).toBeGreaterThanOrEqual(9);
    expect(check.relativeError).toBeLessThan(1e-6);
  });

  it('refuses bad options and data with MlpError saying what was expected', async () => {
    const engine = await createEngine({ backend: 'cpu' });
    engines.push(engine);
    const net = engine.createNetwork(spec);
    await expect(net.checkGradients(inputs, targets, { step: 0 })).rejects.toThrow(
      /step: 0 is not a number in \(0, 1\)/,
    );
    await expect(net.checkGradients(inputs, targets, { maxParameters: 2.5 })).rejects.toThrow(
      /maxParameters: 2.5 is not a positive integer/,
    );
    await expect(net.checkGradients(inputs, targets, { stpe: 1e-4 } as object)).rejects.toThrow(
      /unknown option "stpe"/,
    );
    await expect(net.checkGradients(inputs, targets.subarray(1))).rejects.toBeInstanceOf(MlpError);
  });
});
