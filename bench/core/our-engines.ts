// Our engines in the benchmark. Training goes through the backend contract (backends/backend.ts) the way
// the trainer drives it: per epoch one setOrder (a fresh shuffle: one upload), train() over the epoch's
// batches, and one takeTrainingMetrics (one readback) at its end. The transfers of each whole epoch are
// counted as it happens, so that even an epoch too long to count on its own is counted during the timed runs.

import type { Backend, BackendKind, StepOptions } from '../../src/backends/backend.js';
import { CpuBackend } from '../../src/backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../src/backends/webgpu/webgpu-backend.js';
import { initParams } from '../../src/model/init.js';
import { resolveOptimizer } from '../../src/model/optimizer.js';
import { Random } from '../../src/model/random.js';
import { validateSpec } from '../../src/model/validate.js';
import {
  add,
  type BenchEngine,
  noTransfers,
  type PreparedTraining,
  subtract,
  type TransferCounts,
} from './measure.js';
import type { BenchNetwork, SyntheticData } from './networks.js';

function stepOptions(network: BenchNetwork, learningRate: number): StepOptions {
  return {
    batchSize: network.batchSize,
    learningRate,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: network.spec.layers.slice(0, -1).map(() => 0),
    dropoutSeed: 1,
  };
}

/** A benchmark engine that trains with one of our backends, from the network's seeded initial weights. */
export function backendEngine(backend: Backend, versions: Record<string, string>): BenchEngine {
  return {
    name: backend.kind,
    adapter: backend.adapterDescription,
    versions,
    unsupported: () => undefined,
    async prepare(network: BenchNetwork, data: SyntheticData): Promise<PreparedTraining> {
      const spec = validateSpec(network.spec);
      const net = backend.createNetwork(spec, initParams(spec));
      const { learningRate, ...optimizer } = resolveOptimizer(
        network.optimizer ?? { kind: 'sgd', learningRate: network.learningRate, momentum: network.momentum },
        undefined,
      );
      net.setOptimizer(optimizer);
      const dataset = net.upload(data.inputs, data.targets, data.examples);
      const options = stepOptions(network, learningRate);
      const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
      const shuffle = new Random(network.spec.seed ?? 1);
      const counts = (): TransferCounts => {
        const { dispatches, submits, uploads, readbacks } = net.stats();
        return { dispatches, submits, uploads, readbacks };
      };
      let position = 0;
      let epochsDone = 0;
      // Counts at the start of the current epoch, what the benchmark's own reads (ending a run inside an
      // epoch) added to it, and the last whole epoch other than the first (which pays first-use uploads).
      let epochStart = counts();
      let addedByRunEnds = noTransfers;
      let lastEpoch: TransferCounts | undefined;
      return {
        batch: network.batchSize,
        async train(steps) {
          let remaining = steps;
          while (remaining > 0) {
            if (position === 0) net.setOrder(dataset, shuffle.permutation(data.examples));
            const count = Math.min(remaining, stepsPerEpoch - position);
            net.train(dataset, position, count, options);
            position += count;
            remaining -= count;
            if (position === stepsPerEpoch) {
              await net.takeTrainingMetrics();
              const now = counts();
              if (epochsDone > 0) lastEpoch = subtract(subtract(now, epochStart), addedByRunEnds);
              epochsDone++;
              epochStart = now;
              addedByRunEnds = noTransfers;
              position = 0;
            }
          }
          // A run that ends inside an epoch reads the metrics so far, so its GPU work ends inside the timing.
          if (position !== 0) {
            const before = counts();
            await net.takeTrainingMetrics();
            addedByRunEnds = add(addedByRunEnds, subtract(counts(), before));
          }
        },
        // The CPU backend has no device to transfer to: its counters stay zero, so it reports none.
        counts: backend.kind === 'webgpu' ? counts : undefined,
        lastEpochCounts: backend.kind === 'webgpu' ? () => lastEpoch : undefined,
        dispose() {
          dataset.dispose();
          net.dispose();
        },
      };
    },
    dispose: () => backend.dispose(),
  };
}

/**
 * Our engines, by name, for runBenchmark. `versions` names what is measured (webgpu-mlp's version);
 * `gpuVersions` is added for the webgpu engine (in Node, the Dawn package's version).
 */
export async function ourEngines(
  names: readonly BackendKind[],
  versions: Record<string, string>,
  gpuVersions: Record<string, string> = {},
): Promise<BenchEngine[]> {
  const engines: BenchEngine[] = [];
  for (const name of names) {
    if (name === 'cpu') engines.push(backendEngine(new CpuBackend(), versions));
    else engines.push(backendEngine(await WebGpuBackend.create(), { ...versions, ...gpuVersions }));
  }
  return engines;
}
