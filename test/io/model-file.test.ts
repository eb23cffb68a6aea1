// The save format: save → load → predict is exact, resuming equals an uninterrupted run (bit-identical on
// the CPU), checkpoints resume on the CPU, and malformed files are MlpError('invalid-file').

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import { decodeModel, encodeModel, type SavedModel } from '../../src/io/model-file.js';
import { Network } from '../../src/model/network.js';
import type { NetworkSpec } from '../../src/model/spec.js';
import type { FitOptions } from '../../src/train/options.js';

const spec: NetworkSpec = {
  inputSize: 4,
  layers: [
    { units: 5, activation: 'tanh' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'softmax-cross-entropy',
  init: { kind: 'xavier' },
  seed: 11,
};

/** 30 examples of 3 classes: the class is the quadrant pattern of the first two inputs, plus noise. */
function dataset() {
  const count = 30;
  const inputs = new Float32Array(count * 4);
  const targets = new Float32Array(count * 3);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    inputs.set([label - 1, (label * 7) % 3, Math.sin(n), Math.cos(3 * n)], n * 4);
    targets[n * 3 + label] = 1;
  }
  return { inputs, targets, count };
}
const data = dataset();
const options: FitOptions = {
  batchSize: 4,
  optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.9 },
  dropout: [0.2],
  l2: 0.001,
  validationSplit: 0.2,
};

let cpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
});
afterAll(() => cpu.dispose());

describe('save and load', () => {
  it('save → JSON → load → predict is exact, with epoch, spec and optimizer state', async () => {
    const net = cpu.createNetwork(spec);
    await net.fit(data, { ...options, epochs: 3 });
    const saved = await net.save();
    expect(saved.format).toBe('webgpu-mlp-model');
    expect(saved.epoch).toBe(3);
    expect(saved.optimizer).toMatchObject({ kind: 'sgd', learningRate: 0.1, momentum: 0.9, step: 3 * 6 });
    const loaded = Network.load(JSON.stringify(saved), cpu);
    expect(loaded.epoch).toBe(3);
    expect(loaded.spec).toEqual(net.spec);
    expect(await loaded.predict(data.inputs)).toEqual(await net.predict(data.inputs));
    expect(await loaded.getWeights()).toEqual(await net.getWeights());
    expect(await loaded.save()).toEqual(saved);
    net.dispose();
    loaded.dispose();
  });

  it('weights are little-endian float32 in the documented order', () => {
    const contents = {
      spec: {
        inputSize: 1,
        layers: [{ units: 1, activation: 'linear' as const }],
        loss: 'squared-error' as const,
        init: { kind: 'he' as const },
        seed: 1,
      },
      epoch: 0,
      params: [{ weights: new Float32Array([1.5]), biases: new Float32Array([-2]) }],
    };
    const saved = encodeModel(contents);
    const bytes = Uint8Array.from(atob(saved.float32), (c) => c.charCodeAt(0));
    const view = new DataView(bytes.buffer);
    expect([view.getFloat32(0, true), view.getFloat32(4, true)]).toEqual([1.5, -2]);
    expect(decodeModel(saved).params).toEqual(contents.params);
  });

  it('resuming a saved model equals an uninterrupted run, bit for bit on the CPU', async () => {
    const uninterrupted = cpu.createNetwork(spec);
    const full = await uninterrupted.fit(data, {
      ...options,
      epochs: 6,
      learningRateSchedule: { kind: 'step', every: 2, factor: 0.5 },
    });

    const first = cpu.createNetwork(spec);
    const before = await first.fit(data, {
      ...options,
      epochs: 4,
      learningRateSchedule: { kind: 'step', every: 2, factor: 0.5 },
    });
    const saved = JSON.stringify(await first.save());
    first.dispose();
    const resumed = Network.load(saved, cpu);
    const after = await resumed.fit(data, {
      ...options,
      epochs: 2,
      learningRateSchedule: { kind: 'step', every: 2, factor: 0.5 },
    });

    expect(await resumed.getWeights()).toEqual(await uninterrupted.getWeights());
    const losses = (records: typeof full.epochs) =>
      records.map(({ epoch, loss, validationLoss, learningRate }) => ({
        epoch,
        loss,
        validationLoss,
        learningRate,
      }));
    expect(losses([...before.epochs, ...after.epochs])).toEqual(losses(full.epochs));
    uninterrupted.dispose();
    resumed.dispose();
  });

  it('checkpointEvery: a run resumed on the CPU from the last checkpoint ends with the same accuracy', async () => {
    const gpu = await createEngine({ backend: 'webgpu' });
    const checkpoints: SavedModel[] = [];
    const onGpu = gpu.createNetwork(spec);
    const adam: FitOptions = { ...options, optimizer: { kind: 'adam', learningRate: 0.02 } };
    // The GPU run "crashes" after epoch 7; the last checkpoint is epoch 6.
    await onGpu.fit(data, {
      ...adam,
      epochs: 7,
      checkpointEvery: 3,
      onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
    });
    gpu.dispose();
    expect(checkpoints.map(({ epoch }) => epoch)).toEqual([3, 6]);

    const resumed = Network.load(checkpoints[1], cpu);
    await resumed.fit(data, { ...adam, epochs: 6 });
    const uninterrupted = cpu.createNetwork(spec);
    await uninterrupted.fit(data, { ...adam, epochs: 12 });
    const [a, b] = [await resumed.evaluate(data), await uninterrupted.evaluate(data)];
    expect(a.accuracy).toBe(b.accuracy);
    expect(a.accuracy).toBeGreaterThan(0.9);
    expect(Math.abs(a.loss - b.loss) / b.loss).toBeLessThan(1e-3);
    resumed.dispose();
    uninterrupted.dispose();
  });

  it('checkpointPath writes the checkpoint to a file in Node', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const folder = await mkdtemp(join(tmpdir(), 'webgpu-mlp-'));
    const path = join(folder, 'checkpoint.json');
    const net = cpu.createNetwork(spec);
    await net.fit(data, { ...options, epochs: 4, checkpointEvery: 2, checkpointPath: path });
    const loaded = Network.load(await readFile(path, 'utf8'), cpu);
    expect(loaded.epoch).toBe(4);
    expect(await loaded.getWeights()).toEqual(await net.getWeights());
    await rm(folder, { recursive: true });
    net.dispose();
    loaded.dispose();
  });
});

describe('malformed model files are MlpError invalid-file', () => {
  let saved: SavedModel;
  beforeAll(async () => {
    const net = cpu.createNetwork(spec);
    await net.fit(data, { ...options, epochs: 1 });
    saved = await net.save();
    net.dispose();
  });

  it.each([
    ['not JSON', () => '{', /not valid JSON/],
    ['another format', () => ({ ...saved, format: 'tfjs' }), /not a webgpu-mlp model/],
    ['a newer version', () => ({ ...saved, version: 2 }), /format version 2/],
    [
      'a bad spec',
      () => ({ ...saved, spec: { ...saved.spec, loss: 'hinge' } }),
      /loss: "hinge" is not one of/,
    ],
    ['a negative epoch', () => ({ ...saved, epoch: -1 }), /epoch -1/],
    ['truncated weights', () => ({ ...saved, float32: saved.float32.slice(0, -8) }), /base64 characters/],
    ['a bad optimizer', () => ({ ...saved, optimizer: { ...saved.optimizer, momentum: 2 } }), /momentum: 2/],
    ['non-base64 weights', () => ({ ...saved, float32: `!${saved.float32.slice(1)}` }), /expected base64/],
  ])('%s', (_, make, message) => {
    const attempt = () => Network.load(make() as SavedModel, cpu);
    expect(attempt).toThrow(MlpError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as MlpError).code).toBe('invalid-file');
    }
  });

  it('property: any mutation of a saved file is read or rejected with invalid-file, never anything else', () => {
    const text = JSON.stringify(saved);
    fc.assert(
      fc.property(
        fc.nat(text.length - 1),
        fc.nat(text.length),
        fc.string({ maxLength: 8 }),
        (at, cut, insert) => {
          const mutated = text.slice(0, at) + insert + text.slice(Math.min(text.length, at + (cut % 12)));
          try {
            decodeModel(mutated);
          } catch (error) {
            expect(error).toBeInstanceOf(MlpError);
            expect((error as MlpError).code).toBe('invalid-file');
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
