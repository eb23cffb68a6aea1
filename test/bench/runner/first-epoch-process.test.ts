// The Node runner's first epochs come from child processes (bench/runner/first-epoch-child.ts), each timing
// a fresh process's first engine (ours, or a reference engine) on a benchmark network; the sampler parses
// their line and marks it.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchNetworks, customNetwork, syntheticData } from '../../../bench/core/networks.js';
import { firstEpochInFreshProcesses } from '../../../bench/runner/first-epoch-process.js';

const child = resolve('.bench-build/bench/runner/first-epoch-child.js');

describe('first epochs in fresh processes', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsc', '-p', 'bench/tsconfig.json'], { stdio: 'inherit' });
  }, 120_000);

  for (const backend of ['cpu', 'webgpu'] as const) {
    it(`times a fresh process's first ${backend} epoch of a benchmark network against its following epochs`, async () => {
      const network = benchNetworks['faces-b32'];
      const sample = await firstEpochInFreshProcesses(backend, child)(network, syntheticData(network), 3);
      expect(sample).toMatchObject({ epochs: 3, freshProcesses: true });
      expect(sample.firstSeconds).toBeGreaterThan(0);
      expect(sample.steadySeconds).toBeGreaterThan(0);
      // the first epoch pays at least one epoch's training
      expect(sample.firstSeconds).toBeGreaterThan(sample.steadySeconds / 2);
    }, 60_000);
  }

  it("times a fresh process's first epoch of a reference engine through its prepare and train", async () => {
    const network = benchNetworks['faces-b32'];
    const sample = await firstEpochInFreshProcesses('jaxjs-webgpu', child)(
      network,
      syntheticData(network),
      3,
    );
    expect(sample).toMatchObject({ epochs: 3, freshProcesses: true });
    expect(sample.steadySeconds).toBeGreaterThan(0);
    // its first epoch compiles its kernels for the network's shapes
    expect(sample.firstSeconds).toBeGreaterThan(sample.steadySeconds);
  }, 60_000);

  it('refuses a network a child cannot rebuild, and reports a child that fails', async () => {
    const custom = customNetwork(benchNetworks['faces-b1'].spec, 1, { kind: 'sgd' }, 8);
    await expect(firstEpochInFreshProcesses('cpu', child)(custom, syntheticData(custom), 3)).rejects.toThrow(
      'only the benchmark networks',
    );
    const network = benchNetworks['faces-b1'];
    await expect(
      firstEpochInFreshProcesses('cpu', resolve('no-such-child.js'))(network, syntheticData(network), 3),
    ).rejects.toThrow(/first epoch of faces-b1 on cpu: exit 1/);
    await expect(
      firstEpochInFreshProcesses('tfjs-gpu' as 'tfjs-webgpu', child)(network, syntheticData(network), 3),
    ).rejects.toThrow(/no benchmark engine "tfjs-gpu"/);
  });
});
