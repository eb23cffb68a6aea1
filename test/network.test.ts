import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backward, forward } from '../src/backends/cpu/math.js';
import { createEngine, type Engine, MlpError, type Network, type NetworkSpec } from '../src/index.js';

const spec: NetworkSpec = {
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
};

let engine: Engine;
let net: Network;
beforeAll(async () => {
  engine = await createEngine({ backend: 'cpu' });
  net = engine.createNetwork(spec);
});
afterAll(() => engine.dispose());

function rejection(action: () => unknown): MlpError {
  try {
    action();
  } catch (error) {
    if (error instanceof MlpError) return error;
    throw error;
  }
  throw new Error('expected an MlpError');
}

async function asyncRejection(action: () => Promise<unknown>): Promise<MlpError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof MlpError) return error;
    throw error;
  }
  throw new Error('expected an MlpError');
}

describe('Network', () => {
  it('getWeights gives the shapes of the spec, initialised uniform ±0.05 by default', async () => {
    const layers = await net.getWeights();
    expect(layers.map((l) => [l.weights.length, l.biases.length])).toEqual([
      [2880, 3],
      [12, 4],
    ]);
    for (const layer of layers) {
      for (const v of [...layer.weights, ...layer.biases]) expect(Math.abs(v)).toBeLessThanOrEqual(0.05);
    }
  });

  it('predict and gradients agree with math.ts; getWeights returns a copy', async () => {
    const params = await net.getWeights();
    params[0].weights[0] = 1000; // a copy: the network must not change
    const fresh = await net.getWeights();
    expect(fresh[0].weights[0]).not.toBe(1000);
    const inputs = Float32Array.from({ length: 2 * 960 }, (_, i) => Math.sin(i));
    const targets = Float32Array.of(0.1, 0.9, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1);
    const pass = forward(spec, fresh, inputs, 2);
    expect(Array.from(await net.predict(inputs))).toEqual(Array.from(Float32Array.from(pass.o[1])));
    const gradients = await net.gradients(inputs, targets);
    const reference = backward(spec, fresh, pass, targets);
    expect(Array.from(gradients[1].weights)).toEqual(Array.from(Float32Array.from(reference[1].weights)));
  });

  it('predict accepts a plain array of numbers', async () => {
    const output = await net.predict(new Array(960).fill(0.5));
    expect(output.length).toBe(4);
  });

  it('setWeights then getWeights round-trips; wrong lengths say what was expected', async () => {
    const layers = await net.getWeights();
    layers[1].biases.fill(0.25);
    net.setWeights(layers);
    expect(Array.from((await net.getWeights())[1].biases)).toEqual([0.25, 0.25, 0.25, 0.25]);
    const wrong = [{ weights: new Float32Array(2879), biases: new Float32Array(3) }, layers[1]];
    const error = rejection(() => net.setWeights(wrong));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toBe(
      'setWeights: expected `layers[0].weights` length units×inputs = 3×960 = 2880, got length 2879',
    );
    expect(() => net.setWeights([layers[0]])).toThrow('expected an array of 2 layers');
    expect(() =>
      net.setWeights([layers[0], { weights: layers[1].weights, biases: new Float32Array(5) }]),
    ).toThrow('`layers[1].biases` length units = 4, got length 5');
  });

  it('setWeights rejects NaN and Infinity, naming the index', () => {
    const layers = [
      { weights: new Float32Array(2880), biases: new Float32Array(3) },
      { weights: new Float32Array(12), biases: Float32Array.of(0, 0, Number.NaN, 0) },
    ];
    const error = rejection(() => net.setWeights(layers));
    expect(error.code).toBe('invalid-data');
    expect(error.message).toContain('layers[1].biases[2] is NaN');
  });

  it.each([
    [new Float32Array(959), 'inputs: length 959 is not a multiple of inputSize 960'],
    [new Float32Array(0), 'inputs: empty'],
  ])('predict rejects wrong lengths (%#)', async (inputs, message) => {
    const error = await asyncRejection(() => net.predict(inputs));
    expect(error.code).toBe('invalid-data');
    expect(error.message).toContain(message);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e39])(
    'predict rejects %s in the inputs, naming the index, example and input',
    async (bad) => {
      const inputs = new Array(2 * 960).fill(0);
      inputs[960 + 5] = bad;
      const error = await asyncRejection(() => net.predict(inputs));
      expect(error.code).toBe('invalid-data');
      expect(error.message).toContain('inputs[965] (example 1, input 5) is');
      expect(error.message).toContain(String(bad));
    },
  );

  it('property: any non-finite value anywhere in inputs or targets is rejected, naming its index', async () => {
    const small = engine.createNetwork({
      inputSize: 3,
      layers: [{ units: 2, activation: 'sigmoid' }],
      loss: 'squared-error',
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.nat(),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e39),
        fc.boolean(),
        async (count, position, bad, inTargets) => {
          const inputs = new Array(count * 3).fill(0.5);
          const targets = new Array(count * 2).fill(0.5);
          const array = inTargets ? targets : inputs;
          const index = position % array.length;
          array[index] = bad;
          const error = await asyncRejection(() => small.gradients(inputs, targets));
          expect(error.code).toBe('invalid-data');
          expect(error.message).toContain(`${inTargets ? 'targets' : 'inputs'}[${index}]`);
        },
      ),
      { numRuns: 200, seed: 5 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), async (length) => {
        fc.pre(length % 3 !== 0);
        const error = await asyncRejection(() => small.predict(new Float32Array(length)));
        expect(error.message).toContain(`inputs: length ${length} is not a multiple of inputSize 3`);
      }),
      { numRuns: 100, seed: 6 },
    );
    small.dispose();
  });

  it('gradients rejects wrong target lengths and non-finite targets', async () => {
    const inputs = new Float32Array(2 * 960);
    const short = await asyncRejection(() => net.gradients(inputs, new Float32Array(7)));
    expect(short.code).toBe('invalid-data');
    expect(short.message).toBe('targets: expected length count × outputs = 2 × 4 = 8, got length 7');
    const targets = new Float32Array(8);
    targets[6] = Number.NaN;
    const nan = await asyncRejection(() => net.gradients(inputs, targets));
    expect(nan.message).toContain('targets[6] (example 1, output 2) is NaN');
  });

  it('a disposed network throws MlpError "disposed" from every method; dispose twice is harmless', async () => {
    const other = engine.createNetwork(spec);
    other.dispose();
    other.dispose();
    for (const call of [() => other.getWeights(), () => other.predict(new Float32Array(960))]) {
      expect((await asyncRejection(call)).code).toBe('disposed');
    }
    expect(rejection(() => other.stats()).code).toBe('disposed');
    expect(rejection(() => other.setWeights([])).code).toBe('disposed');
    expect((await net.predict(new Float32Array(960))).length).toBe(4);
  });
});
