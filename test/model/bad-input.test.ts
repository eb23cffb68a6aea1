// Bad input on both backends, through the public API (issue 8): every data entry point refuses NaN,
// ±Infinity, values beyond float32 and wrong lengths with MlpError('invalid-data') naming where, and bad
// options with 'invalid-argument', before anything reaches the backend: on WebGPU, no upload and no
// buffer. (The messages themselves are checked in network.test.ts and fit.test.ts.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import type { Network } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';

const inputSize = 3;
const outputSize = 2;
const count = 4;
const good = {
  inputs: Float32Array.from({ length: count * inputSize }, (_, i) => Math.sin(i)),
  targets: Float32Array.from({ length: count * outputSize }, (_, i) => i % 2),
};
const badValues = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e39];

/** Bad data sets: one bad value in inputs or targets, or lengths that do not fit the network. */
const badData: [string, { inputs: ArrayLike<number>; targets: ArrayLike<number>; count?: number }][] = [
  ...badValues.flatMap((value) =>
    (['inputs', 'targets'] as const).map((part): (typeof badData)[number] => {
      const values = Array.from(good[part]);
      values[5] = value;
      return [`${value} in ${part}`, { ...good, [part]: values }];
    }),
  ),
  ['inputs one value short', { ...good, inputs: good.inputs.subarray(1) }],
  ['no examples', { inputs: [], targets: [] }],
  ['targets of another count', { ...good, targets: good.targets.subarray(2) }],
  ['a count that disagrees', { ...good, count: count + 1 }],
];

const badOptions: [string, FitOptions][] = [
  ['learning rate 0', { optimizer: { kind: 'sgd', learningRate: 0 } }],
  ['momentum 1', { optimizer: { kind: 'sgd', momentum: 1 } }],
  ['dropout 1', { dropout: 1 }],
  ['batch size 0', { batchSize: 0 }],
  ['an unknown optimizer', { optimizer: { kind: 'rmsprop' } as never }],
];

async function codeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (error) {
    if (error instanceof MlpError) return error.code;
    throw error;
  }
  return undefined;
}

describe.each(['cpu', 'webgpu'] as const)('bad input on %s', (backend) => {
  let engine: Engine;
  let net: Network;
  beforeAll(async () => {
    engine = await createEngine({ backend });
    net = engine.createNetwork({
      inputSize,
      layers: [
        { units: 4, activation: 'tanh' },
        { units: outputSize, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
    });
  });
  afterAll(() => engine.dispose());

  /** Runs `call` and checks it failed with `code` and left the backend untouched. */
  async function refused(call: () => unknown, code: string): Promise<void> {
    const before = net.stats();
    const weights = await net.getWeights();
    expect(await codeOf(call)).toBe(code);
    const after = net.stats();
    expect(after.uploads).toBe(before.uploads);
    expect(after.liveBuffers).toBe(before.liveBuffers);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(await net.getWeights()).toEqual(weights);
  }

  it.each(badData)('fit, evaluate and gradients refuse %s with invalid-data', async (_, data) => {
    await refused(() => net.fit(data as never, { epochs: 1 }), 'invalid-data');
    await refused(() => net.evaluate(data as never), 'invalid-data');
    if (data.count === undefined) {
      await refused(() => net.gradients(data.inputs, data.targets), 'invalid-data');
    }
  });

  it.each(badData.filter(([name]) => !name.includes('targets') && !name.includes('count')))(
    'predict refuses %s with invalid-data',
    async (_, data) => {
      await refused(() => net.predict(data.inputs), 'invalid-data');
    },
  );

  it.each(badValues)('setWeights refuses %s with invalid-data', async (value) => {
    const layers = await net.getWeights();
    layers[1].weights[3] = value;
    await refused(() => net.setWeights(layers), 'invalid-data');
  });

  it.each(badOptions)('fit refuses %s with invalid-argument', async (_, options) => {
    await refused(() => net.fit(good, options), 'invalid-argument');
  });

  it('after all that, the network trains', async () => {
    const history = await net.fit(good, { epochs: 2 });
    expect(history.epochs.every(({ loss }) => Number.isFinite(loss))).toBe(true);
  });
});
