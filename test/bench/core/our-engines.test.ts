import { describe, expect, it } from 'vitest';
import { measureNetwork } from '../../../bench/core/measure.js';
import { benchNetworks, syntheticData } from '../../../bench/core/networks.js';
import { backendEngine } from '../../../bench/core/our-engines.js';
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';

describe('our engines in the benchmark', () => {
  it('trains the CPU backend through the backend contract and reports no GPU transfers', async () => {
    const network = benchNetworks['faces-b32'];
    const engine = backendEngine(new CpuBackend(), { 'webgpu-mlp': 'test' });
    const [record] = await measureNetwork(network, syntheticData(network), [engine], {
      runSeconds: 0.05,
      runs: 3,
    });
    expect(record).toMatchObject({
      network: 'faces-b32',
      engine: 'cpu',
      batch: 32,
      dispatchesPerStep: null,
      readbacksPerEpoch: null,
      adapter: 'cpu (float64 accumulation)',
      versions: { 'webgpu-mlp': 'test' },
    });
    expect(record.examplesPerSec.min).toBeGreaterThan(0);
    expect(record.examplesPerSec.min).toBeLessThanOrEqual(record.examplesPerSec.median);
    expect(record.examplesPerSec.median).toBeLessThanOrEqual(record.examplesPerSec.max);
  });
});
