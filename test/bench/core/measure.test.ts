import { describe, expect, it } from 'vitest';
import {
  type BenchEngine,
  measureNetwork,
  type PreparedTraining,
  spread,
  type TransferCounts,
  timeFirstEpochOfEngine,
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

describe('measureNetwork with an engine that trains in calls of whole epochs', () => {
  /**
   * Trains only in whole epochs (as net.fit does) and counts its calls: 7 dispatches a step, 1 readback an
   * epoch and 2 readbacks a call; reports per epoch and per call once it has calls of two lengths.
   */
  function epochEngine(calls: number[]): BenchEngine {
    let firstEpochs = 0;
    return {
      name: 'webgpu',
      adapter: 'test',
      versions: {},
      unsupported: () => undefined,
      async prepare(network, data): Promise<PreparedTraining> {
        const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
        return {
          batch: network.batchSize,
          stepsPerCall: stepsPerEpoch,
          async train(steps) {
            if (steps % stepsPerEpoch !== 0) throw new Error(`${steps} steps is not whole epochs`);
            await new Promise((resolve) => setTimeout(resolve, steps * 20));
            calls.push(steps / stepsPerEpoch);
          },
          counts: () => ({ dispatches: 0, submits: 0, uploads: 0, readbacks: 0 }),
          epochCounts: () =>
            new Set(calls.slice(1)).size > 1
              ? {
                  perEpoch: {
                    dispatches: 7 * stepsPerEpoch,
                    submits: 3 * stepsPerEpoch,
                    uploads: 1,
                    readbacks: 1,
                  },
                  perCall: { dispatches: 0, submits: 1, uploads: 1, readbacks: 2 },
                }
              : undefined,
          dispose() {},
        };
      },
      async firstEpoch(_network, _data, following) {
        // fresh engines differ: 0.4, 0.9, 0.5 s (medians 0.5 s; first ÷ steady 40, 90, 50)
        const firstSeconds = [0.4, 0.9, 0.5][firstEpochs++ % 3];
        return { firstSeconds, steadySeconds: 0.01, epochs: following };
      },
      dispose() {},
    };
  }

  it('times whole epochs, adds a 2-epoch call when all calls were alike, and reports per epoch and per call', async () => {
    // mnist: 512 examples at batch 128 = 4 steps per epoch; 20 ms a step, so one epoch (0.08 s) a run.
    const network = benchNetworks.mnist;
    const calls: number[] = [];
    const [record] = await measureNetwork(network, syntheticData(network), [epochEngine(calls)], {
      runSeconds: 0.05,
      runs: 3,
      firstEpoch: true,
    });
    expect(record.stepsPerRun).toBe(4);
    // warm-up, calibration, 3 timed runs of one epoch each, then one call of two epochs to tell them apart
    expect(calls).toEqual([1, 1, 1, 1, 1, 2]);
    expect(record).toMatchObject({
      dispatchesPerStep: 7,
      submitsPerStep: 3,
      readbacksPerEpoch: 1,
      uploadsPerEpoch: 1,
      readbacksPerCall: 2,
      uploadsPerCall: 1,
      countedOver: 'fit calls',
    });
    expect(record.firstEpoch?.firstSeconds).toBe(0.5);
  });

  it('times a first epoch on a fresh engine, with following epochs for 2 runs', async () => {
    const network = { ...benchNetworks.mnist, examples: 256 }; // 2 steps: 40 ms an epoch
    const [record] = await measureNetwork(network, syntheticData(network), [epochEngine([])], {
      runSeconds: 0.2,
      runs: 3,
      firstEpoch: true,
    });
    expect(record.firstEpoch).toMatchObject({
      firstSeconds: 0.5,
      steadySeconds: 0.01,
      samples: 3,
      ratio: { min: 40, median: 50, max: 90 },
    });
    // 2 × 0.2 s of following epochs at 40 ms: 10 of them, fewer where timers ran late
    expect(record.firstEpoch?.epochs).toBeGreaterThanOrEqual(5);
    expect(record.firstEpoch?.epochs).toBeLessThanOrEqual(10);
  });
});

describe('timeFirstEpochOfEngine', () => {
  it('times preparing and a first epoch together, then each following epoch, and frees the training', async () => {
    const network = benchNetworks['faces-b32']; // 256 examples: 8 steps per epoch
    const calls: string[] = [];
    // a first call that takes 200 ms (a compile), then 20 ms an epoch
    let compiled = false;
    const engine: BenchEngine = {
      ...knownEngine(0),
      async prepare(prepared, data) {
        calls.push('prepare');
        const training = await knownEngine(0).prepare(prepared, data);
        return {
          ...training,
          async train(steps) {
            calls.push(`train ${steps}`);
            await new Promise((resolve) => setTimeout(resolve, compiled ? 20 : 200));
            compiled = true;
          },
          dispose() {
            calls.push('dispose');
          },
        };
      },
    };
    const sample = await timeFirstEpochOfEngine(engine, network, syntheticData(network), 3);
    expect(calls).toEqual(['prepare', 'train 8', 'train 8', 'train 8', 'train 8', 'dispose']);
    expect(sample.epochs).toBe(3);
    // timers only ever run late
    expect(sample.firstSeconds).toBeGreaterThanOrEqual(0.2);
    expect(sample.steadySeconds).toBeGreaterThanOrEqual(0.02);
    expect(sample.steadySeconds).toBeLessThan(0.2);
  });
});
