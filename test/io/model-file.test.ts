// The save format: save → load → predict is exact, resuming equals an uninterrupted run (bit-identical on
// the CPU), checkpoints resume on the CPU, early stopping resumed from any checkpoint stops where the
// uninterrupted run stopped, version 1 files still load, and malformed files are MlpError('invalid-file').

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import { decodeModel, encodeModel, type SavedModel } from '../../src/io/model-file.js';
import type { LayerParams, NetworkSpec } from '../../src/model/spec.js';
import { Network } from '../../src/network.js';
import type { FitHistory } from '../../src/train/fit.js';
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

/**
 * Early stopping that ends a 40-epoch run: a third of the validation labels are wrong, so validation loss
 * falls, then rises as the network grows sure of itself (on the CPU: best epoch 4, stop at epoch 8, with a
 * dip at epoch 7 that does not beat epoch 4).
 */
const wrongThird = data.targets.slice();
for (let n = 0; n < data.count; n += 3) {
  wrongThird.set([0, 0, 0], n * 3);
  wrongThird[n * 3 + ((n % 3) + 1)] = 1;
}
const earlyStopping: FitOptions = {
  batchSize: 4,
  optimizer: { kind: 'sgd', learningRate: 0.02, momentum: 0.9 },
  dropout: [0.2],
  validation: { inputs: data.inputs, targets: wrongThird },
  earlyStopping: { patience: 4 },
};
const earlyStoppingEpochs = 40;

/** An uninterrupted run with early stopping and a checkpoint after every epoch. */
async function runWithCheckpoints(engine: Engine) {
  const checkpoints: string[] = [];
  const net = engine.createNetwork(spec);
  const history = await net.fit(data, {
    ...earlyStopping,
    epochs: earlyStoppingEpochs,
    checkpointEvery: 1,
    onCheckpoint: (checkpoint) => void checkpoints.push(JSON.stringify(checkpoint)),
  });
  const result = { history, checkpoints, weights: await net.getWeights(), epoch: net.epoch };
  net.dispose();
  return result;
}

/** Loads `checkpoint` on `engine` and fits the epochs the uninterrupted run had left after it. */
async function resume(engine: Engine, checkpoint: string) {
  const net = Network.load(checkpoint, engine);
  const history = await net.fit(data, { ...earlyStopping, epochs: earlyStoppingEpochs - net.epoch });
  const result = { history, weights: await net.getWeights(), epoch: net.epoch };
  net.dispose();
  return result;
}

/** The history without wall-clock times. */
const records = (history: FitHistory) => history.epochs.map(({ examplesPerSecond: _, ...record }) => record);

function expectClose(actual: LayerParams[], expected: LayerParams[], tolerance: number) {
  actual.forEach((layer, l) => {
    for (const part of ['weights', 'biases'] as const) {
      layer[part].forEach((value, i) => {
        expect(Math.abs(value - expected[l][part][i])).toBeLessThan(tolerance);
      });
    }
  });
}

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

  it('never encodes a value load would refuse: a non-finite weight or optimizer state is MlpError non-finite', () => {
    const spec = {
      inputSize: 1,
      layers: [{ units: 1, activation: 'linear' as const }],
      loss: 'squared-error' as const,
      init: { kind: 'he' as const },
      seed: 1,
    };
    const layer = (value: number) => [{ weights: new Float32Array([value]), biases: new Float32Array([0]) }];
    expect(() => encodeModel({ spec, epoch: 0, params: layer(Number.POSITIVE_INFINITY) })).toThrow(
      /save: float32 float 0 is Infinity; a model file holds finite values only/,
    );
    const adam = {
      kind: 'adam' as const,
      learningRate: 0.1,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
    };
    const encodeWithState = () =>
      encodeModel({
        spec,
        epoch: 1,
        params: layer(1),
        optimizer: { config: adam, state: { step: 1, slots: [layer(0), layer(Number.NaN)] } },
      });
    expect(encodeWithState).toThrow(MlpError);
    expect(encodeWithState).toThrow(/float32 float 4 is NaN/);
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

  it('early stopping resumed from any checkpoint stops at the same epoch with the same weights, bit for bit on the CPU', async () => {
    const full = await runWithCheckpoints(cpu);
    expect(full.history.stoppedEarly).toBe(true);
    const stopEpoch = full.history.epochs.length;
    expect(stopEpoch).toBeLessThan(earlyStoppingEpochs);
    expect(full.history.bestEpoch).toBeLessThan(stopEpoch - 1);
    expect(full.checkpoints).toHaveLength(stopEpoch);
    // Checkpoints after the best epoch carry the best weights beside the last ones.
    const carried = full.checkpoints.map((text) => (JSON.parse(text) as SavedModel).best);
    expect(carried.at(-1)).toMatchObject({ epoch: full.history.bestEpoch, float32: expect.any(String) });
    expect(carried[full.history.bestEpoch - 1]).toMatchObject({ epoch: full.history.bestEpoch });
    expect(carried[full.history.bestEpoch - 1]?.float32).toBeUndefined();

    for (const [k, checkpoint] of full.checkpoints.entries()) {
      const resumed = await resume(cpu, checkpoint);
      expect(resumed.epoch, `resumed after epoch ${k + 1}`).toBe(full.epoch);
      expect(resumed.history.stoppedEarly).toBe(true);
      expect(resumed.history.bestEpoch).toBe(full.history.bestEpoch);
      expect(records(resumed.history)).toEqual(records(full.history).slice(k + 1));
      expect(resumed.weights).toEqual(full.weights);
    }
    // Saved after the run, the network has no run of early stopping under way: best is null.
    const after = Network.load(full.checkpoints[0], cpu);
    await after.fit(data, { ...earlyStopping, epochs: earlyStoppingEpochs - 1 });
    expect((await after.save()).best).toBeNull();
    after.dispose();
  });

  it('early stopping resumed from checkpoints of a WebGPU run: on WebGPU and on the CPU, same stop, same weights to 1e-5', async () => {
    const gpu = await createEngine({ backend: 'webgpu' });
    const full = await runWithCheckpoints(gpu);
    const stopEpoch = full.history.epochs.length;
    expect(full.history.stoppedEarly).toBe(true);
    expect(full.history.bestEpoch).toBeLessThan(stopEpoch - 1);
    // after the best epoch (best weights carried beside the last), and at the stopping epoch itself
    for (const k of [full.history.bestEpoch + 1, stopEpoch]) {
      for (const engine of [gpu, cpu]) {
        const resumed = await resume(engine, full.checkpoints[k - 1]);
        const where = `resumed after epoch ${k} on ${engine.backend}`;
        expect(resumed.epoch, where).toBe(full.epoch);
        expect(resumed.history.stoppedEarly, where).toBe(true);
        expect(resumed.history.bestEpoch, where).toBe(full.history.bestEpoch);
        expectClose(resumed.weights, full.weights, 1e-5);
      }
    }
    gpu.dispose();
  });

  it('and back: checkpoints of a CPU run resumed on WebGPU: same stop, same best epoch, weights to 1e-5', async () => {
    const gpu = await createEngine({ backend: 'webgpu' });
    const full = await runWithCheckpoints(cpu);
    const stopEpoch = full.history.epochs.length;
    for (const k of [full.history.bestEpoch + 1, stopEpoch]) {
      const resumed = await resume(gpu, full.checkpoints[k - 1]);
      const where = `CPU checkpoint of epoch ${k} resumed on webgpu`;
      expect(resumed.epoch, where).toBe(full.epoch);
      expect(resumed.history.stoppedEarly, where).toBe(true);
      expect(resumed.history.bestEpoch, where).toBe(full.history.bestEpoch);
      expectClose(resumed.weights, full.weights, 1e-5);
    }
    gpu.dispose();
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

describe('version 1 files', () => {
  it('still load: version 1 is version 2 without early stopping’s best-so-far', async () => {
    const net = cpu.createNetwork(spec);
    await net.fit(data, { ...options, epochs: 2 });
    const { best, ...rest } = await net.save();
    expect(best).toBeNull();
    const loaded = Network.load(JSON.stringify({ ...rest, version: 1 }), cpu);
    expect(loaded.epoch).toBe(2);
    expect(await loaded.getWeights()).toEqual(await net.getWeights());
    expect(await loaded.save()).toEqual({ ...rest, best: null });
    // and it trains on exactly as the network it was saved from
    await Promise.all([
      loaded.fit(data, { ...options, epochs: 2 }),
      net.fit(data, { ...options, epochs: 2 }),
    ]);
    expect(await loaded.getWeights()).toEqual(await net.getWeights());
    net.dispose();
    loaded.dispose();
  });
});

describe('malformed model files are MlpError invalid-file', () => {
  /** A checkpoint in the middle of a run of early stopping: its best weights are not its last ones. */
  let saved: SavedModel;
  beforeAll(async () => {
    const { checkpoints, history } = await runWithCheckpoints(cpu);
    saved = JSON.parse(checkpoints[history.bestEpoch + 1]) as SavedModel;
    expect(saved.best?.float32).toEqual(expect.any(String));
  });

  it.each([
    ['not JSON', () => '{', /not valid JSON/],
    ['another format', () => ({ ...saved, format: 'tfjs' }), /not a webgpu-mlp model/],
    ['a newer version', () => ({ ...saved, version: 3 }), /format version 3; .* reads versions 1 and 2/],
    [
      'a bad spec',
      () => ({ ...saved, spec: { ...saved.spec, loss: 'hinge' } }),
      /loss: "hinge" is not one of/,
    ],
    ['a negative epoch', () => ({ ...saved, epoch: -1 }), /epoch -1/],
    ['truncated weights', () => ({ ...saved, float32: saved.float32.slice(0, -8) }), /base64 characters/],
    ['a bad optimizer', () => ({ ...saved, optimizer: { ...saved.optimizer, momentum: 2 } }), /momentum: 2/],
    ['non-base64 weights', () => ({ ...saved, float32: `!${saved.float32.slice(1)}` }), /expected base64/],
    ['best that is not an object', () => ({ ...saved, best: 3 }), /best is not an object or null/],
    [
      'a best epoch after the model’s',
      () => ({ ...saved, best: { ...saved.best, epoch: saved.epoch + 1 } }),
      /best.epoch \d+ is not an epoch from 1 to the model's epoch/,
    ],
    [
      'a best loss that is not a number',
      () => ({ ...saved, best: { ...saved.best, loss: 'low' } }),
      /best.loss low/,
    ],
    [
      'best without watched',
      () => ({ ...saved, best: { ...saved.best, watched: undefined } }),
      /best.watched/,
    ],
    [
      'truncated best weights',
      () => ({ ...saved, best: { ...saved.best, float32: saved.best?.float32?.slice(0, -4) } }),
      /best.float32 holds \d+ base64 characters; the spec needs/,
    ],
    [
      'best weights with a NaN',
      () => ({ ...saved, best: { ...saved.best, float32: `AADA/${saved.best?.float32?.slice(5)}` } }),
      /best.float32 float 0 is NaN/,
    ],
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
