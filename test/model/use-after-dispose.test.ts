// Use after dispose(), on both backends, through the public API (issue 8): every method of a disposed
// network throws MlpError('disposed'), disposing a network in the middle of its fit ends that fit with the
// same error (no hang), and the engine keeps working for its other networks and for new ones.

import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import type { NetworkSpec } from '../../src/model/spec.js';
import type { Network } from '../../src/network.js';

const spec: NetworkSpec = {
  inputSize: 2,
  layers: [
    { units: 3, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binary-cross-entropy',
  seed: 3,
};
const xor = { inputs: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float32Array.of(0, 1, 1, 0) };

/** Every public method of a network, called with valid arguments. */
const calls: [string, (net: Network) => unknown][] = [
  ['fit', (net) => net.fit(xor, { epochs: 1 })],
  ['fitEvents', (net) => net.fitEvents(xor, { epochs: 1 }).next()],
  ['evaluate', (net) => net.evaluate(xor)],
  ['predict', (net) => net.predict(xor.inputs)],
  ['gradients', (net) => net.gradients(xor.inputs, xor.targets)],
  ['getWeights', (net) => net.getWeights()],
  ['setWeights', (net) => net.setWeights([])],
  ['save', (net) => net.save()],
  ['exportTfjs', (net) => net.exportTfjs()],
  ['exportOnnx', (net) => net.exportOnnx()],
  ['stats', (net) => net.stats()],
];

/** The error `call` throws or rejects with. */
async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe.each(['cpu', 'webgpu'] as const)('use after dispose on %s', (backend) => {
  it('every method of a disposed network throws MlpError "disposed"; the engine keeps working', async () => {
    const engine = await createEngine({ backend });
    const other = engine.createNetwork(spec);
    const net = engine.createNetwork(spec);
    await net.fit(xor, { epochs: 1 });
    net.dispose();
    net.dispose(); // twice is harmless
    expect(net.isDisposed).toBe(true);
    for (const [name, call] of calls) {
      const error = await failure(() => call(net));
      expect(error, name).toBeInstanceOf(MlpError);
      expect((error as MlpError).code, name).toBe('disposed');
      expect((error as MlpError).message, name).toMatch(/this network was disposed/);
    }
    // The engine, a network made before and one made after are all fine.
    const later = engine.createNetwork(spec);
    for (const alive of [other, later]) {
      const history = await alive.fit(xor, { epochs: 3 });
      expect(history.epochs).toHaveLength(3);
      expect(await alive.predict(xor.inputs)).toHaveLength(4);
    }
    expect(engine.networkCount).toBe(2);
    engine.dispose();
    for (const alive of [other, later]) {
      expect(((await failure(() => alive.predict(xor.inputs))) as MlpError).code).toBe('disposed');
    }
    expect(((await failure(() => engine.createNetwork(spec))) as MlpError).code).toBe('disposed');
  });

  it('dispose() in the middle of a fit ends that fit with MlpError "disposed"; other networks train on', async () => {
    const engine = await createEngine({ backend });
    const other = engine.createNetwork(spec);
    const net = engine.createNetwork(spec);
    let batches = 0;
    const error = await failure(() =>
      net.fit(xor, {
        epochs: 100,
        batchSize: 1,
        onBatchEnd: () => {
          if (++batches === 6) net.dispose();
        },
      }),
    );
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('disposed');
    expect(batches).toBe(6);
    const history = await other.fit(xor, { epochs: 2 });
    expect(history.epochs.every(({ loss }) => Number.isFinite(loss))).toBe(true);
    engine.dispose();
  });
});
