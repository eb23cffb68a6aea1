// What fit costs on the GPU: per-batch progress reads nothing back unless per-batch loss is asked for,
// repeated fits leave no buffers behind, and a Dataset from the data helpers is taken as it is.

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { createEngine, type Engine } from '../../src/engine.js';
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
  // Each batch's metrics replace the epoch's one metrics readback.
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
