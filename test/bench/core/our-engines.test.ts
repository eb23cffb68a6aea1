import { describe, expect, it } from 'vitest';
import { measureNetwork } from '../../../bench/core/measure.js';
import { benchNetworks, syntheticData } from '../../../bench/core/networks.js';
import { firstEpochOnFreshEngines, fitEngine, separateCounts } from '../../../bench/core/our-engines.js';
import { createEngine } from '../../../src/engine.js';

const counts = (readbacks: number, uploads: number) => ({
  dispatches: 10 * readbacks,
  submits: 0,
  uploads,
  readbacks,
});

describe('our engines in the benchmark', () => {
  it('tells per epoch from per fit call: counts = per call + epochs × per epoch', () => {
    expect(separateCounts([{ epochs: 1, counts: counts(3, 2) }])).toBeUndefined();
    expect(
      separateCounts([
        { epochs: 1, counts: counts(3, 2) },
        { epochs: 4, counts: counts(9, 5) },
        { epochs: 4, counts: counts(9, 5) },
      ]),
    ).toEqual({ perEpoch: counts(2, 1), perCall: counts(1, 1) });
  });

  it('trains the CPU engine through net.fit, in whole epochs, and reports no GPU transfers', async () => {
    const network = benchNetworks['faces-b32'];
    const create = () => createEngine({ backend: 'cpu' });
    const engine = fitEngine(await create(), { 'webgpu-mlp': 'test' }, firstEpochOnFreshEngines('cpu'));
    const [record] = await measureNetwork(network, syntheticData(network), [engine], {
      runSeconds: 0.3,
      runs: 3,
      firstEpoch: true,
    });
    await engine.dispose();
    expect(record).toMatchObject({
      network: 'faces-b32',
      engine: 'cpu',
      batch: 32,
      dispatchesPerStep: null,
      readbacksPerEpoch: null,
      adapter: 'cpu (float64 accumulation)',
      versions: { 'webgpu-mlp': 'test' },
    });
    expect((record.stepsPerRun ?? 0) % 8).toBe(0); // 256 examples at batch 32: 8 steps an epoch
    expect(record.examplesPerSec.min).toBeGreaterThan(0);
    expect(record.examplesPerSec.min).toBeLessThanOrEqual(record.examplesPerSec.median);
    expect(record.examplesPerSec.median).toBeLessThanOrEqual(record.examplesPerSec.max);
    expect(record.firstEpoch?.firstSeconds).toBeGreaterThan(0);
    expect(record.firstEpoch?.steadySeconds).toBeGreaterThan(0);
    expect(record.firstEpoch?.epochs).toBeGreaterThanOrEqual(3);
  });
});
