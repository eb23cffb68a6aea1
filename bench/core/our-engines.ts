// Our engines in the benchmark, measured the way users train: through the public API, `net.fit` on an
// engine from createEngine. Every train() call is one fit of whole epochs (fit starts each call at an
// epoch's start), and its transfers come from net.stats() around the call: from calls of different lengths
// the engine tells what each epoch costs apart from what each fit call costs (e.g. its upload of the data).

import type { BackendKind } from '../../src/backends/backend.js';
import { createEngine, type Engine } from '../../src/engine.js';
import type { OptimizerOptions } from '../../src/model/optimizer.js';
import type { Network } from '../../src/network.js';
import type { FitOptions } from '../../src/train/options.js';
import {
  type BenchEngine,
  type EpochCounts,
  type FirstEpoch,
  type PreparedTraining,
  spread,
  subtract,
  type TransferCounts,
} from './measure.js';
import type { BenchNetwork, SyntheticData } from './networks.js';

/** The fit options of a benchmark network: its batch and optimizer, nothing else (shuffle on, as default). */
function fitOptions(network: BenchNetwork, epochs: number): FitOptions {
  const optimizer: OptimizerOptions = network.optimizer ?? {
    kind: 'sgd',
    learningRate: network.learningRate,
    momentum: network.momentum,
  };
  return { epochs, batchSize: network.batchSize, optimizer };
}

function counts(net: Network): TransferCounts {
  const { dispatches, submits, uploads, readbacks } = net.stats();
  return { dispatches, submits, uploads, readbacks };
}

function scaled(counts: TransferCounts, factor: number): TransferCounts {
  return {
    dispatches: counts.dispatches * factor,
    submits: counts.submits * factor,
    uploads: counts.uploads * factor,
    readbacks: counts.readbacks * factor,
  };
}

interface FitCall {
  epochs: number;
  counts: TransferCounts;
}

/**
 * Per epoch and per call from the latest call and the latest one of another length:
 * counts = perCall + epochs · perEpoch.
 */
export function separateCounts(calls: readonly FitCall[]): EpochCounts | undefined {
  const last = calls[calls.length - 1];
  const other = [...calls].reverse().find((call) => call.epochs !== last?.epochs);
  if (!last || !other) return undefined;
  const perEpoch = scaled(subtract(last.counts, other.counts), 1 / (last.epochs - other.epochs));
  return { perEpoch, perCall: subtract(last.counts, scaled(perEpoch, last.epochs)) };
}

/**
 * Times `network`'s first epoch on `engine`, which has compiled nothing for it: createNetwork and a first
 * 1-epoch fit, then each epoch of a fit of `following` more (FirstEpoch).
 */
export async function timeFirstEpoch(
  engine: Engine,
  network: BenchNetwork,
  data: SyntheticData,
  following: number,
): Promise<FirstEpoch> {
  const examples = { inputs: data.inputs, targets: data.targets };
  const start = performance.now();
  const net = engine.createNetwork(network.spec);
  await net.fit(examples, fitOptions(network, 1));
  const firstSeconds = (performance.now() - start) / 1000;
  const ends: number[] = [performance.now()];
  await net.fit(examples, {
    ...fitOptions(network, following),
    onEpochEnd: () => {
      ends.push(performance.now());
    },
  });
  const seconds = ends.slice(1).map((end, index) => (end - ends[index]) / 1000);
  return { firstSeconds, steadySeconds: spread(seconds).median, epochs: following };
}

/** BenchEngine.firstEpoch: one sample, where nothing is compiled yet (a fresh engine or process). */
export type FirstEpochSampler = (
  network: BenchNetwork,
  data: SyntheticData,
  following: number,
) => Promise<FirstEpoch>;

/** Samples first epochs on fresh engines of `backend` in this process (where processes cannot be made). */
export function firstEpochOnFreshEngines(backend: BackendKind): FirstEpochSampler {
  return async (network, data, following) => {
    const fresh = await createEngine({ backend });
    try {
      return await timeFirstEpoch(fresh, network, data, following);
    } finally {
      fresh.dispose();
    }
  };
}

/** A benchmark engine that trains networks through net.fit on `engine`. */
export function fitEngine(
  engine: Engine,
  versions: Record<string, string>,
  firstEpoch: FirstEpochSampler,
): BenchEngine {
  // The CPU backend has no device to transfer to: its counters stay zero, so it reports none.
  const countsTransfers = engine.backend === 'webgpu';
  return {
    name: engine.backend,
    adapter: engine.adapterDescription,
    versions,
    unsupported: () => undefined,
    async prepare(network: BenchNetwork, data: SyntheticData): Promise<PreparedTraining> {
      const net = engine.createNetwork(network.spec);
      const examples = { inputs: data.inputs, targets: data.targets };
      const stepsPerEpoch = Math.ceil(data.examples / network.batchSize);
      // Every call after the first (which pays first-use costs): its epochs and what it transferred.
      const calls: FitCall[] = [];
      let callsMade = 0;
      return {
        batch: network.batchSize,
        stepsPerCall: stepsPerEpoch,
        async train(steps) {
          const epochs = steps / stepsPerEpoch;
          const before = counts(net);
          await net.fit(examples, fitOptions(network, epochs));
          if (callsMade++ > 0) calls.push({ epochs, counts: subtract(counts(net), before) });
        },
        counts: countsTransfers ? () => counts(net) : undefined,
        epochCounts: countsTransfers ? () => separateCounts(calls) : undefined,
        dispose: () => net.dispose(),
      };
    },
    firstEpoch,
    dispose: () => engine.dispose(),
  };
}

/**
 * Our engines, by name, for runBenchmark. `versions` names what is measured (webgpu-mlp's version);
 * `gpuVersions` is added for the webgpu engine (in Node, the Dawn package's version). First epochs are
 * sampled on fresh engines in this process unless `firstEpochSampler` says otherwise (Node's runner: fresh
 * processes).
 */
export async function ourEngines(
  names: readonly BackendKind[],
  versions: Record<string, string>,
  gpuVersions: Record<string, string> = {},
  firstEpochSampler: (backend: BackendKind) => FirstEpochSampler = firstEpochOnFreshEngines,
): Promise<BenchEngine[]> {
  const engines: BenchEngine[] = [];
  for (const name of names) {
    const engine = await createEngine({ backend: name });
    const engineVersions = name === 'webgpu' ? { ...versions, ...gpuVersions } : versions;
    engines.push(fitEngine(engine, engineVersions, firstEpochSampler(name)));
  }
  return engines;
}
