// Our engines in the benchmark. Training goes through the backend contract (backends/backend.ts) the way
// the trainer drives it: per epoch one setOrder (a fresh shuffle: one upload), train() over the epoch's
// batches, and one takeTrainingMetrics (one readback) at its end.

import type { Backend, BackendKind, StepOptions } from '../backends/backend.js';
import { Random } from '../model/random.js';
import type { BenchEngine, PreparedTraining } from './measure.js';
import type { BenchNetwork, SyntheticData } from './networks.js';

function stepOptions(network: BenchNetwork): StepOptions {
  return {
    batchSize: network.batchSize,
    learningRate: network.learningRate,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: network.spec.layers.slice(0, -1).map(() => 0),
    dropoutSeed: 1,
  };
}

/** A benchmark engine that trains with one of our backends. */
export function backendEngine(
  kind: BackendKind,
  backend: Backend,
  initialParams: (network: BenchNetwork) => Parameters<Backend['createNetwork']>[1],
  versions: Record<string, string>,
): BenchEngine {
  return {
    name: kind,
    adapter: backend.adapterDescription,
    versions,
    unsupported: () => undefined,
    async prepare(network: BenchNetwork, data: SyntheticData): Promise<PreparedTraining> {
      const net = backend.createNetwork(network.spec, initialParams(network));
      net.setOptimizer({ kind: 'sgd', momentum: network.momentum, nesterov: false });
      const dataset = net.upload(data.inputs, data.targets, data.examples);
      const options = stepOptions(network);
      const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
      const shuffle = new Random(network.spec.seed ?? 1);
      let position = 0;
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
              position = 0;
            }
          }
          // A run that ends inside an epoch reads the metrics so far, so its GPU work ends inside the timing.
          if (position !== 0) await net.takeTrainingMetrics();
        },
        counts() {
          const { dispatches, submits, uploads, readbacks } = net.stats();
          return { dispatches, submits, uploads, readbacks };
        },
        dispose() {
          dataset.dispose();
          net.dispose();
        },
      };
    },
    dispose: () => backend.dispose(),
  };
}
