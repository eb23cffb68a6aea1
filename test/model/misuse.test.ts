// What issue 14 found accepted though wrong, now refused before any work with an MlpError and its code
// (docs/reliability.md), on both backends; property tests (fast-check) for each new check. And what is made
// to work instead: data on a SharedArrayBuffer, other typed arrays, and a Float32Array used where it lies.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import { maxInitScale, maxInitVariance } from '../../src/model/validate.js';
import { Network } from '../../src/network.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

async function codeOf(call: () => unknown): Promise<string | undefined> {
  try {
    await call();
  } catch (error) {
    if (error instanceof MlpError) return error.code;
    throw error; // a TypeError or RangeError fails the test
  }
  return undefined;
}

const inputSize = 3;
const count = 4;
const inputs = Float32Array.from({ length: count * inputSize }, (_, i) => Math.sin(i));

describe.each(['cpu', 'webgpu'] as const)('refused on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });
  afterAll(() => engine.dispose());

  const bce = () =>
    engine.createNetwork({
      inputSize,
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'binary-cross-entropy',
    });

  it('property: binary cross-entropy refuses targets outside [0, 1] (invalid-data, weights unchanged), accepts those inside', async () => {
    const net = bce();
    const weights = await net.getWeights();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }), {
          minLength: count * 2,
          maxLength: count * 2,
        }),
        async (targets) => {
          const outside = targets.some((t) => t < 0 || t > 1);
          expect(await codeOf(() => net.evaluate({ inputs, targets }))).toBe(
            outside ? 'invalid-data' : undefined,
          );
          expect(await codeOf(() => net.gradients(inputs, targets))).toBe(
            outside ? 'invalid-data' : undefined,
          );
        },
      ),
      { numRuns: 60 },
    );
    const error = await net.fit({ inputs, targets: [0, 1, 1, 0, 1, 1.5, 0, 1] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).message).toMatch(
      /data\.targets\[5\] \(example 2, output 1\) is 1\.5; the loss binary-cross-entropy needs targets in \[0, 1\]/,
    );
    expect(net.epoch).toBe(0);
    expect(await net.getWeights()).toEqual(weights);
    net.dispose();
  });

  it('setWeights and fit while a fit runs: busy, and the running fit is unchanged', async () => {
    const net = bce();
    const twin = bce();
    const targets = Float32Array.from({ length: count * 2 }, (_, i) => i % 2);
    const codes: (string | undefined)[] = [];
    const weights = await net.getWeights();
    await net.fit(
      { inputs, targets },
      {
        epochs: 2,
        onEpochEnd: async () => {
          codes.push(
            await codeOf(() =>
              net.setWeights(
                weights.map(({ weights: w, biases: b }) => ({ weights: w.map(() => 1), biases: b })),
              ),
            ),
          );
          codes.push(await codeOf(() => net.fit({ inputs, targets }, { epochs: 1 })));
        },
      },
    );
    expect(codes).toEqual(['busy', 'busy', 'busy', 'busy']);
    await twin.fit({ inputs, targets }, { epochs: 2 });
    expect(await net.getWeights()).toEqual(await twin.getWeights());
    net.setWeights(weights); // and once the fit is over, it is allowed
    net.dispose();
    twin.dispose();
  });

  it('property: an init that would overflow float32 is refused (invalid-argument); any other saves a file load reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .double({ min: 1e-30, max: 1e300, noNaN: true })
            .map((scale) => ({ kind: 'uniform' as const, scale })),
          fc
            .double({ min: 1e-30, max: 1e300, noNaN: true })
            .map((variance) => ({ kind: 'normal' as const, variance })),
        ),
        async (init) => {
          const limit = init.kind === 'uniform' ? maxInitScale : maxInitVariance;
          const value = init.kind === 'uniform' ? init.scale : init.variance;
          const create = () =>
            engine.createNetwork({
              inputSize,
              layers: [{ units: 2, activation: 'linear' }],
              loss: 'squared-error',
              init,
              seed: 3,
            });
          if (value > limit) {
            expect(await codeOf(create)).toBe('invalid-argument');
            return;
          }
          const net = create();
          const loaded = Network.load(JSON.stringify(await net.save()), engine);
          expect(await loaded.getWeights()).toEqual(await net.getWeights());
          net.dispose();
          loaded.dispose();
        },
      ),
      { numRuns: 40 },
    );
    expect(
      await codeOf(() =>
        engine.createNetwork({
          inputSize,
          layers: [{ units: 1, activation: 'linear' }],
          loss: 'squared-error',
          init: { kind: 'uniform', scale: 1e39 },
        }),
      ),
    ).toBe('invalid-argument');
  });

  it('property: BigInt64Array and BigUint64Array data are invalid-data, never a TypeError', async () => {
    const net = bce();
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.constantFrom('inputs', 'targets'), async (signed, part) => {
        const big = signed ? new BigInt64Array(count * 3) : new BigUint64Array(count * 3);
        const data = { inputs, targets: new Float32Array(count * 2), [part]: big };
        expect(await codeOf(() => net.fit(data as never, { epochs: 1 }))).toBe('invalid-data');
        expect(await codeOf(() => net.evaluate(data as never))).toBe('invalid-data');
        if (part === 'inputs') expect(await codeOf(() => net.predict(big as never))).toBe('invalid-data');
      }),
      { numRuns: 8 },
    );
    net.dispose();
  });
});

describe.each(['cpu', 'webgpu'] as const)('made to work on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });
  afterAll(() => engine.dispose());
  const spec = {
    inputSize,
    layers: [
      { units: 4, activation: 'tanh' as const },
      { units: 2, activation: 'sigmoid' as const },
    ],
    loss: 'squared-error' as const,
    seed: 9,
  };
  const targets = Float32Array.from({ length: count * 2 }, (_, i) => i % 2);

  it('data on a SharedArrayBuffer, and in a Float64Array, trains as a Float32Array does', async () => {
    const shared = new Float32Array(new SharedArrayBuffer(inputs.byteLength));
    shared.set(inputs);
    const nets = [engine.createNetwork(spec), engine.createNetwork(spec), engine.createNetwork(spec)];
    await nets[0].fit({ inputs, targets }, { epochs: 3 });
    await nets[1].fit({ inputs: shared, targets }, { epochs: 3 });
    await nets[2].fit(
      { inputs: Float64Array.from(inputs), targets: Uint8Array.from(targets) },
      { epochs: 3 },
    );
    const expected = await nets[0].getWeights();
    expect(await nets[1].getWeights()).toEqual(expected);
    expect(await nets[2].getWeights()).toEqual(expected);
    expect(await nets[1].predict(shared)).toEqual(await nets[0].predict(inputs));
    for (const net of nets) net.dispose();
  });

  it('fit does not copy a valid Float32Array: while it trains on 16 MiB of inputs, under 4 MiB more is held', async () => {
    const wide = 1024;
    const examples = 4096; // 4 Mi floats = 16 MiB
    const big = new Float32Array(examples * wide);
    for (let i = 0; i < big.length; i += 97) big[i] = (i % 7) / 7;
    const bigTargets = Float32Array.from({ length: examples }, (_, i) => i % 2);
    const net = engine.createNetwork({
      inputSize: wide,
      layers: [{ units: 1, activation: 'sigmoid' }],
      loss: 'squared-error',
    });
    // Held memory, after garbage collections: the batches' work space comes and goes (its backing stores
    // are freed a little after the collection, so the least of a few rounds), a copy would stay.
    const held = async () => {
      let least = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 5; round++) {
        collectGarbage();
        await new Promise((resolve) => setTimeout(resolve, 10));
        least = Math.min(least, process.memoryUsage().arrayBuffers);
      }
      return least;
    };
    const before = await held();
    let during = Number.NaN;
    await net.fit(
      { inputs: big, targets: bigTargets },
      {
        epochs: 1,
        batchSize: 256,
        onEpochEnd: async () => {
          during = await held();
        },
      },
    );
    expect(during - before).toBeLessThan(4 * 2 ** 20); // a copy would hold 16 MiB
    net.dispose();
  });
});
