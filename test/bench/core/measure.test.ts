import { describe, expect, it } from 'vitest';
import {
  type BenchEngine,
  measureNetwork,
  type PreparedTraining,
  spread,
  type TransferCounts,
} from '../../../bench/core/measure.js';
import { benchNetworks, flopsPerExample, syntheticData } from '../../../bench/core/networks.js';

/** An engine whose cost and transfers are known: `millisPerStep` per step, 2 dispatches a step, one
 *  readback at each epoch's end and one more when a call ends mid-epoch (to finish its work). */
function knownEngine(millisPerStep: number): BenchEngine {
  return {
    name: 'webgpu',
    adapter: 'test',
    versions: {},
    unsupported: () => undefined,
    async prepare(network, data): Promise<PreparedTraining> {
      const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
      const counts: TransferCounts = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };
      let position = 0;
      return {
        batch: network.batchSize,
        async train(steps) {
          await new Promise((resolve) => setTimeout(resolve, steps * millisPerStep));
          for (let step = 0; step < steps; step++) {
            counts.dispatches += 2;
            position = (position + 1) % stepsPerEpoch;
            if (position === 0) counts.readbacks++;
          }
          if (position !== 0) counts.readbacks++;
          counts.submits++;
        },
        counts: () => ({ ...counts }),
        dispose() {},
      };
    },
    dispose() {},
  };
}

describe('measureNetwork', () => {
  it('gives median, min and max', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 2, 3])).toEqual({ min: 1, median: 2.5, max: 4 });
  });

  it('times whole runs and counts transfers over exactly one epoch', async () => {
    const network = benchNetworks['faces-b32']; // 256 examples: 8 steps per epoch
    const [record] = await measureNetwork(network, syntheticData(network), [knownEngine(5)], {
      runSeconds: 0.1,
      runs: 3,
    });
    expect(record.network).toBe('faces-b32');
    expect(record.engine).toBe('webgpu');
    expect(record.runs).toBe(3);
    expect(record.dispatchesPerStep).toBe(2);
    expect(record.readbacksPerEpoch).toBe(1);
    // 5 ms a step of 32 examples is at most 6,400 examples/s; timers only ever make it slower.
    expect(record.examplesPerSec.max).toBeLessThanOrEqual(6400 * 1.05);
    expect(record.examplesPerSec.median).toBeGreaterThan(6400 / 3);
    expect(record.gflops.median).toBeCloseTo(
      (record.examplesPerSec.median * flopsPerExample(network.spec)) / 1e9,
    );
  });
});

describe('measureNetwork with an engine that counts each epoch itself', () => {
  /** Counts nothing globally; reports fixed counts for its last whole epoch once it has finished two. */
  function selfCountingEngine(stepsTaken: { steps: number }): BenchEngine {
    return {
      name: 'webgpu',
      adapter: 'test',
      versions: {},
      unsupported: () => undefined,
      async prepare(network, data): Promise<PreparedTraining> {
        const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
        return {
          batch: network.batchSize,
          async train(steps) {
            await new Promise((resolve) => setTimeout(resolve, steps * 20));
            stepsTaken.steps += steps;
          },
          counts: () => ({ dispatches: 0, submits: 0, uploads: 0, readbacks: 0 }),
          lastEpochCounts: () =>
            stepsTaken.steps >= 2 * stepsPerEpoch
              ? { dispatches: 7 * stepsPerEpoch, submits: 3 * stepsPerEpoch, uploads: 1, readbacks: 1 }
              : undefined,
          dispose() {},
        };
      },
      dispose() {},
    };
  }

  it('finishes a second epoch after short timed runs and reports that epoch’s counts', async () => {
    // mnist: 1,024 examples at batch 128 = 8 steps per epoch; 20 ms per step and 0.05-s runs (3 steps).
    const network = benchNetworks.mnist;
    const taken = { steps: 0 };
    const [record] = await measureNetwork(network, syntheticData(network), [selfCountingEngine(taken)], {
      runSeconds: 0.05,
      runs: 3,
    });
    expect(taken.steps).toBeGreaterThanOrEqual(16);
    expect(record).toMatchObject({
      dispatchesPerStep: 7,
      submitsPerStep: 3,
      readbacksPerEpoch: 1,
      uploadsPerEpoch: 1,
      countedOver: 'one epoch',
    });
  });
});
