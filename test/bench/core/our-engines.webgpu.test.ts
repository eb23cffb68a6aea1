// Our webgpu engine in the benchmark trains through net.fit: its transfers per epoch and per fit call are
// checked against net.stats() around hand-made fits of 1 and 2 epochs of the same network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureNetwork } from '../../../bench/core/measure.js';
import { benchNetworks, syntheticData } from '../../../bench/core/networks.js';
import { firstEpochOnFreshEngines, fitEngine } from '../../../bench/core/our-engines.js';
import type { AcquiredDevice } from '../../../src/backends/webgpu/device.js';
import { createEngine, type Engine } from '../../../src/engine.js';
import { testDevice } from '../../helpers/gpu.js';

describe('our webgpu engine in the benchmark', () => {
  let acquired: AcquiredDevice;
  let engine: Engine;
  const create = () => createEngine({ backend: 'webgpu', device: acquired.device });
  beforeAll(async () => {
    acquired = await testDevice();
    engine = await create();
  });
  afterAll(() => {
    engine?.dispose();
    if (acquired?.owned) acquired.device.destroy();
  });

  it('counts what net.fit transfers per epoch and per call, and times a first epoch', async () => {
    const network = { ...benchNetworks['faces-b32'], examples: 128 }; // 4 steps per epoch
    const data = syntheticData(network);
    const [record] = await measureNetwork(
      network,
      data,
      [fitEngine(engine, {}, firstEpochOnFreshEngines('webgpu'))],
      {
        runSeconds: 0.2,
        runs: 3,
        firstEpoch: true,
      },
    );

    // The same network trained by hand through net.fit: what a 1-epoch and a 2-epoch call transfer.
    const net = engine.createNetwork(network.spec);
    const examples = { inputs: data.inputs, targets: data.targets };
    const options = { batchSize: 32, optimizer: { kind: 'sgd', learningRate: 0.3, momentum: 0.3 } } as const;
    const transferred = async (epochs: number) => {
      const before = net.stats();
      await net.fit(examples, { ...options, epochs });
      const after = net.stats();
      return { readbacks: after.readbacks - before.readbacks, uploads: after.uploads - before.uploads };
    };
    await transferred(1); // first use
    const one = await transferred(1);
    const two = await transferred(2);
    net.dispose();

    expect(record.countedOver).toBe('fit calls');
    expect(record.readbacksPerEpoch).toBe(two.readbacks - one.readbacks);
    expect(record.uploadsPerEpoch).toBe(two.uploads - one.uploads);
    expect(record.readbacksPerCall).toBe(2 * one.readbacks - two.readbacks);
    expect(record.uploadsPerCall).toBe(2 * one.uploads - two.uploads);
    expect(record.readbacksPerEpoch).toBeGreaterThanOrEqual(1);
    expect(record.dispatchesPerStep).toBeGreaterThan(0);
    expect(record.firstEpoch?.firstSeconds).toBeGreaterThan(0);
    expect(record.firstEpoch?.steadySeconds).toBeGreaterThan(0);
  });
});
