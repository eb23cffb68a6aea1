// What fit costs on the GPU: one readback and one upload per epoch with validation, early stopping and the
// NaN guard; weights read back only when asked for; per-batch progress reads nothing back unless per-batch
// loss is asked for; buffers sized by the work; repeated fits leave no buffers behind; and a Dataset from
// the data helpers is taken as it is.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { createEngine, type Engine } from '../../src/engine.js';
import type { SavedModel } from '../../src/io/model-file.js';
import type { Network } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';

const count = 24;
const data = {
  inputs: Float32Array.from({ length: count * 5 }, (_, k) => Math.cos(k)),
  targets: Float32Array.from({ length: count * 2 }, (_, k) => (k % 2 === Math.floor(k / 2) % 2 ? 0.9 : 0.1)),
  count,
};
let gpu: Engine;
let net: Network;
beforeAll(async () => {
  gpu = await createEngine({ backend: 'webgpu' });
  net = gpu.createNetwork({
    inputSize: 5,
    layers: [
      { units: 4, activation: 'sigmoid' },
      { units: 2, activation: 'sigmoid' },
    ],
    loss: 'squared-error',
  });
});
afterAll(() => gpu.dispose());

async function readbacks(options: FitOptions): Promise<number> {
  const before = net.stats().readbacks;
  await net.fit(data, { epochs: 1, batchSize: 4, ...options });
  return net.stats().readbacks - before;
}

it('onBatchEnd adds no readback; batchLoss adds one per batch', async () => {
  const plain = await readbacks({});
  let batches = 0;
  const withProgress = await readbacks({ onBatchEnd: () => void batches++ });
  expect(batches).toBe(6);
  expect(withProgress).toBe(plain);
  const losses: number[] = [];
  const withLoss = await readbacks({
    batchLoss: true,
    onBatchEnd: ({ loss }) => void losses.push(loss ?? Number.NaN),
  });
  expect(losses.length).toBe(6);
  expect(losses.every(Number.isFinite)).toBe(true);
  // Each batch's metrics are one readback; the last batch's come with the epoch's (endEpoch).
  expect(withLoss).toBe(plain - 1 + 6);
});

it('repeated fits leave the live GPU buffers and bytes where they were', async () => {
  // The first fit sizes the backend's workspaces for this batch size; later ones must add nothing.
  await net.fit(data, { epochs: 1, validationSplit: 0.25, batchSize: 8 });
  const { liveBuffers, liveBytes } = net.stats();
  for (let run = 0; run < 20; run++) await net.fit(data, { epochs: 2, validationSplit: 0.25, batchSize: 8 });
  expect(net.stats().liveBuffers).toBe(liveBuffers);
  expect(net.stats().liveBytes).toBe(liveBytes);
});

it('takes a Dataset from the data helpers as it is, and checks its sizes', async () => {
  const dataset: Dataset = {
    ...data,
    inputSize: 5,
    outputSize: 2,
    labels: Uint32Array.from({ length: count }, (_, n) => n % 2),
    classNames: ['even', 'odd'],
    width: 5,
    height: 1,
    sources: Array.from({ length: count }, (_, n) => `line ${n + 1}`),
  };
  const history = await net.fit(dataset, { epochs: 1 });
  expect(history.epochs).toHaveLength(1);
  await expect(net.fit({ ...dataset, outputSize: 3 })).rejects.toThrow(
    /outputSize 3; the network has 2 outputs/,
  );
});

describe('resident fit: what crosses per epoch (issue 12)', () => {
  const validated: FitOptions = { batchSize: 4, validationSplit: 0.25, earlyStopping: { patience: 100 } };

  /** The fit's readbacks and uploads in total, and between the ends of consecutive epochs. */
  async function crossings(options: FitOptions) {
    const start = net.stats();
    const atEpochEnd: { readbacks: number; uploads: number }[] = [];
    const history = await net.fit(data, {
      ...options,
      onEpochEnd: async (record) => {
        const { readbacks, uploads } = net.stats();
        atEpochEnd.push({ readbacks, uploads });
        await options.onEpochEnd?.(record);
      },
    });
    const end = net.stats();
    const perEpoch = atEpochEnd.slice(1).map((at, e) => ({
      readbacks: at.readbacks - atEpochEnd[e].readbacks,
      uploads: at.uploads - atEpochEnd[e].uploads,
    }));
    return {
      history,
      perEpoch,
      firstEpochReadbacks: atEpochEnd[0].readbacks - start.readbacks,
      readbacks: end.readbacks - start.readbacks,
    };
  }

  it('with validation, early stopping and the NaN guard: one readback and one upload (the order) per epoch', async () => {
    const { history, perEpoch, firstEpochReadbacks, readbacks } = await crossings({
      ...validated,
      epochs: 5,
    });
    expect(history.epochs).toHaveLength(5);
    expect(history.epochs.every((record) => Number.isFinite(record.validationLoss))).toBe(true);
    expect(firstEpochReadbacks).toBe(1);
    expect(perEpoch).toEqual(new Array(4).fill({ readbacks: 1, uploads: 1 }));
    expect(readbacks).toBe(5);
  });

  it('early stopping restores the best weights on the GPU: no readback for the restore', async () => {
    // minDelta beyond any loss: epoch 1 stays the best, epoch 2 ends the run and epoch 1's weights return.
    const weights: Awaited<ReturnType<Network['getWeights']>>[] = [];
    const probe = await crossings({
      ...validated,
      epochs: 10,
      earlyStopping: { patience: 1, minDelta: 1e9 },
    });
    expect(probe.history.stoppedEarly).toBe(true);
    expect(probe.history.epochs).toHaveLength(2);
    expect(probe.readbacks).toBe(2);
    // The same run again, reading the weights at each epoch end to see which ones were restored.
    const before = await net.getWeights();
    const again = await crossings({
      ...validated,
      epochs: 10,
      earlyStopping: { patience: 1, minDelta: 1e9 },
      onEpochEnd: async () => void weights.push(await net.getWeights()),
    });
    expect(again.readbacks).toBe(2 * 2); // each epoch's own readback and the getWeights it asked for
    expect(await net.getWeights()).toEqual(weights[0]);
    expect(weights[0]).not.toEqual(weights[1]);
    expect(weights[0]).not.toEqual(before);
  });

  it('weights cross only when asked: getWeights in onEpochEnd and checkpoints add their readbacks, nothing else does', async () => {
    const asked = await crossings({
      ...validated,
      epochs: 3,
      onEpochEnd: async () => void (await net.getWeights()),
    });
    expect(asked.readbacks).toBe(3 + 3);
    const checkpoints: SavedModel[] = [];
    const withBest = await crossings({
      ...validated,
      epochs: 4,
      checkpointEvery: 2,
      onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
    });
    // a checkpoint reads the weights, the optimizer state and early stopping's best copy
    expect(withBest.readbacks).toBe(4 + 2 * 3);
    // checkpointEvery counts the network's epochs: two of any four consecutive ones
    expect(checkpoints.map((checkpoint) => checkpoint.epoch)).toEqual(
      withBest.history.epochs.map((record) => record.epoch).filter((epoch) => epoch % 2 === 0),
    );
    for (const checkpoint of checkpoints) {
      expect(checkpoint.best?.epoch).toBeLessThanOrEqual(checkpoint.epoch);
    }
    expect(checkpoints[1].best?.epoch).toBe(withBest.history.bestEpoch);
    const withoutBest = await crossings({
      batchSize: 4,
      epochs: 4,
      checkpointEvery: 2,
      onCheckpoint: () => {},
    });
    expect(withoutBest.readbacks).toBe(4 + 2 * 2);
  });
});

it('a batch size beyond the example count is a full batch: the memory and results of batch = count', async () => {
  const four = { inputs: data.inputs.slice(0, 4 * 5), targets: data.targets.slice(0, 4 * 2), count: 4 };
  const runs: { liveBytes: number; losses: number[] }[] = [];
  for (const batchSize of [4, 100_000]) {
    const fresh = gpu.createNetwork(net.spec);
    const history = await fresh.fit(four, { epochs: 3, batchSize });
    runs.push({ liveBytes: fresh.stats().liveBytes, losses: history.epochs.map((record) => record.loss) });
    fresh.dispose();
  }
  expect(runs[1]).toEqual(runs[0]);
});
