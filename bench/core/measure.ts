// The timing loop shared by every engine, ours and the reference ones: warm-up, calibration, then rounds
// in which the engines take turns, so that a slow minute on this shared machine hits them all alike.

import type { BenchNetwork, BenchNetworkName, SyntheticData } from './networks.js';
import { flopsPerExample } from './networks.js';

export const benchEngineNames = ['webgpu', 'cpu', 'tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu', 'brainjs'] as const;
export type BenchEngineName = (typeof benchEngineNames)[number];

/** What crossed between CPU and GPU, counted by the engine (our stats()) or by instrumenting WebGPU. */
export interface TransferCounts {
  dispatches: number;
  submits: number;
  uploads: number;
  readbacks: number;
}

/** One engine, ready to train one network. */
export interface PreparedTraining {
  /** examples per optimizer step: the network's batch, or 1 for an engine that only trains per example */
  batch: number;
  /** how this engine's run differs from the network's definition, if it does */
  note?: string;
  /**
   * Takes `steps` optimizer steps, walking through epochs of the data in order and ending each epoch the
   * engine's usual way (reading the epoch's loss), and resolves once all the work has finished (for a GPU:
   * the results of the last step have been read back).
   */
  train(steps: number): Promise<void>;
  /** Counters since the network was prepared, where the engine can count them. */
  counts?(): TransferCounts;
  /**
   * Counters over the last whole epoch trained so far other than the first, without what ending a `train`
   * call inside an epoch added; undefined until there is one. For engines that count their own transfers
   * apart from other engines' (ours): then no extra epoch is needed to count them.
   */
  lastEpochCounts?(): TransferCounts | undefined;
  dispose(): void | Promise<void>;
}

export interface BenchEngine {
  readonly name: BenchEngineName;
  /** e.g. "google swiftshader SwiftShader driver 5.0.0", or "cpu (2 cores)" */
  readonly adapter: string;
  /** package name → version of what was measured */
  readonly versions: Record<string, string>;
  /** Why this engine cannot train `network`, or undefined when it can. */
  unsupported(network: BenchNetwork): string | undefined;
  prepare(network: BenchNetwork, data: SyntheticData): Promise<PreparedTraining>;
  dispose(): void | Promise<void>;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** One record of bench/results/*.json. The field names are a format other tools read: keep them. */
export interface BenchRecord {
  network: BenchNetworkName | 'custom';
  engine: BenchEngineName;
  batch: number;
  examplesPerSec: Spread;
  gflops: Spread;
  /** null where the engine issues no GPU dispatches */
  dispatchesPerStep: number | null;
  /** null where the engine has no device to read back from */
  readbacksPerEpoch: number | null;
  adapter: string;
  versions: Record<string, string>;
  /** the other counters behind the two above, per step (null where not counted) */
  submitsPerStep?: number | null;
  uploadsPerEpoch?: number | null;
  /**
   * What the transfer counts above were counted over: one whole epoch (which the readbacks and uploads per
   * epoch need), or, where no whole epoch could be counted, all timed runs (dispatches and submits only)
   */
  countedOver?: 'one epoch' | 'timed runs';
  /** timed runs and optimizer steps in each */
  runs?: number;
  stepsPerRun?: number;
  /** GPU milliseconds per step by kernel family (timestamp-query), where profiled */
  gpuMillisecondsPerStep?: Record<string, number>;
  note?: string;
}

export interface TimingOptions {
  /** target length of one timed run, in seconds */
  runSeconds: number;
  /** timed runs per engine (at least 3) */
  runs: number;
  log?: (line: string) => void;
  /**
   * Runs `train` (some steps of `engine`) under a GPU profiler and gives GPU milliseconds by kernel family,
   * or undefined when it cannot profile this engine. Called once per engine after the timed runs.
   */
  profile?: (engine: BenchEngine, train: () => Promise<void>) => Promise<Record<string, number> | undefined>;
}

/** min, median and max of some measurements */
export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

function scale(value: Spread, factor: number): Spread {
  return { min: value.min * factor, median: value.median * factor, max: value.max * factor };
}

async function timed(action: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

export const noTransfers: TransferCounts = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };

export function subtract(after: TransferCounts, before: TransferCounts): TransferCounts {
  return {
    dispatches: after.dispatches - before.dispatches,
    submits: after.submits - before.submits,
    uploads: after.uploads - before.uploads,
    readbacks: after.readbacks - before.readbacks,
  };
}

export function add(a: TransferCounts, b: TransferCounts): TransferCounts {
  return subtract(a, subtract(noTransfers, b));
}

interface Contender {
  engine: BenchEngine;
  training: PreparedTraining;
  stepsPerEpoch: number;
  /** steps taken so far: the engine walks the epochs in order, so this says where in an epoch it is */
  stepsTaken: number;
  stepsPerRun: number;
  examplesPerSec: number[];
  secondsPerStep: number;
  /** counted over exactly one epoch, from its first step to its last */
  epoch?: TransferCounts;
  /** counted over all timed runs */
  timedRuns?: TransferCounts;
  gpuMillisecondsPerStep?: Record<string, number>;
}

/** The longest an engine trains beyond its timed runs only to count one whole epoch's transfers. */
const countingSeconds = 30;

async function train(contender: Contender, steps: number): Promise<number> {
  const seconds = await timed(() => contender.training.train(steps));
  contender.stepsTaken += steps;
  return seconds;
}

/**
 * Measures every engine on one network: each is warmed up and calibrated so that one timed run lasts about
 * `runSeconds` (at least one step), then the timed runs go round the engines in turn, starting one engine
 * later each round. Transfers are counted over one whole epoch: for engines that count each epoch as it
 * goes (ours), the last whole epoch of the timed runs (finishing a second epoch after them if none was);
 * for the others, an extra epoch after the warm-up where it takes at most 10 s.
 */
export async function measureNetwork(
  network: BenchNetwork,
  data: SyntheticData,
  engines: BenchEngine[],
  timing: TimingOptions,
): Promise<BenchRecord[]> {
  const log = timing.log ?? (() => {});
  const contenders: Contender[] = [];
  try {
    for (const engine of engines) {
      const reason = engine.unsupported(network);
      if (reason) {
        log(`  ${engine.name}: skipped (${reason})`);
        continue;
      }
      const training = await engine.prepare(network, data);
      const stepsPerEpoch = Math.ceil(data.examples / training.batch);
      const contender: Contender = {
        engine,
        training,
        stepsPerEpoch,
        stepsTaken: 0,
        stepsPerRun: 1,
        secondsPerStep: 0,
        examplesPerSec: [],
      };
      contenders.push(contender);
      // Warm-up: one step compiles shaders and pipelines and fills caches; then the steps double until a
      // call takes a quarter of a run, to learn the rate.
      await train(contender, 1);
      let steps = 1;
      let seconds = await train(contender, steps);
      while (seconds < timing.runSeconds / 4) {
        steps *= 2;
        seconds = await train(contender, steps);
      }
      contender.stepsPerRun = Math.max(1, Math.round((steps / seconds) * timing.runSeconds));
      contender.secondsPerStep = seconds / steps;
      // Transfers are counted over one whole epoch when that takes at most 10 s (or two runs); engines
      // that count each epoch as it goes are counted over the timed runs' epochs instead (below).
      const epochSeconds = stepsPerEpoch * contender.secondsPerStep;
      if (
        training.counts &&
        !training.lastEpochCounts &&
        epochSeconds <= Math.max(2 * timing.runSeconds, 10)
      ) {
        await train(contender, (stepsPerEpoch - (contender.stepsTaken % stepsPerEpoch)) % stepsPerEpoch);
        const before = training.counts();
        await train(contender, stepsPerEpoch);
        contender.epoch = subtract(training.counts(), before);
      }
      log(
        `  ${engine.name}: warmed up at ${((steps * training.batch) / seconds).toPrecision(3)} examples/s; ` +
          `${contender.stepsPerRun} steps of ${training.batch} per run` +
          (training.note ? ` (${training.note})` : ''),
      );
    }
    for (let round = 0; round < timing.runs; round++) {
      for (let turn = 0; turn < contenders.length; turn++) {
        const contender = contenders[(round + turn) % contenders.length];
        // Counted around this engine's own run only: a counter that sees every WebGPU call in the process
        // (TF.js's) would otherwise also count the other engines' runs of the round.
        const countsBefore = contender.training.counts?.();
        const seconds = await train(contender, contender.stepsPerRun);
        if (countsBefore && contender.training.counts) {
          const counted = subtract(contender.training.counts(), countsBefore);
          const sum = contender.timedRuns ?? { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };
          contender.timedRuns = {
            dispatches: sum.dispatches + counted.dispatches,
            submits: sum.submits + counted.submits,
            uploads: sum.uploads + counted.uploads,
            readbacks: sum.readbacks + counted.readbacks,
          };
        }
        const examplesPerSec = (contender.stepsPerRun * contender.training.batch) / seconds;
        contender.examplesPerSec.push(examplesPerSec);
        log(
          `  ${contender.engine.name} run ${round + 1}: ${examplesPerSec.toPrecision(3)} examples/s in ${seconds.toFixed(1)} s`,
        );
      }
    }
    for (const contender of contenders) {
      const { training, stepsPerEpoch } = contender;
      if (!training.lastEpochCounts) continue;
      // The timed runs may not have finished a second epoch: finish one if that takes at most 30 s.
      const toSecondEpoch = Math.max(2 * stepsPerEpoch - contender.stepsTaken, 0);
      if (!training.lastEpochCounts() && toSecondEpoch * contender.secondsPerStep <= countingSeconds) {
        await train(contender, toSecondEpoch);
      }
      contender.epoch = training.lastEpochCounts();
    }
    for (const contender of timing.profile ? contenders : []) {
      const steps = Math.min(contender.stepsPerEpoch, contender.stepsPerRun);
      const milliseconds = await timing.profile?.(contender.engine, () =>
        train(contender, steps).then(() => {}),
      );
      if (milliseconds) {
        contender.gpuMillisecondsPerStep = Object.fromEntries(
          Object.entries(milliseconds).map(([family, total]) => [family, total / steps]),
        );
      }
    }
  } finally {
    for (const { training } of contenders) await training.dispose();
  }
  const flops = flopsPerExample(network.spec) / 1e9;
  return contenders.map(
    ({
      engine,
      training,
      stepsPerEpoch,
      stepsPerRun,
      examplesPerSec,
      epoch,
      timedRuns,
      gpuMillisecondsPerStep,
    }) => {
      const examples = spread(examplesPerSec);
      const timedSteps = stepsPerRun * examplesPerSec.length;
      // Per step from the aligned epoch where there was one, else from all the timed runs.
      const perStep = epoch
        ? (count: keyof TransferCounts) => epoch[count] / stepsPerEpoch
        : timedRuns
          ? (count: keyof TransferCounts) => timedRuns[count] / timedSteps
          : () => null;
      const record: BenchRecord = {
        network: network.name,
        engine: engine.name,
        batch: training.batch,
        examplesPerSec: examples,
        gflops: scale(examples, flops),
        dispatchesPerStep: perStep('dispatches'),
        readbacksPerEpoch: epoch ? epoch.readbacks : null,
        adapter: engine.adapter,
        versions: engine.versions,
        submitsPerStep: perStep('submits'),
        uploadsPerEpoch: epoch ? epoch.uploads : null,
        ...(epoch ? { countedOver: 'one epoch' } : timedRuns ? { countedOver: 'timed runs' } : {}),
        runs: examplesPerSec.length,
        stepsPerRun,
      };
      if (gpuMillisecondsPerStep) record.gpuMillisecondsPerStep = gpuMillisecondsPerStep;
      if (training.note) record.note = training.note;
      return record;
    },
  );
}
