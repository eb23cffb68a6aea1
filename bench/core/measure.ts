// The timing loop shared by every engine, ours and the reference ones: warm-up, calibration, then rounds
// in which the engines take turns, so that a slow minute on this shared machine hits them all alike.

import type { BenchNetwork, BenchNetworkName, SyntheticData } from './networks.js';
import { flopsPerExample } from './networks.js';

export const benchEngineNames = [
  'webgpu',
  'cpu',
  'tfjs-webgpu',
  'tfjs-wasm',
  'tfjs-cpu',
  'jaxjs-webgpu',
  'jaxjs-wasm',
  'brainjs',
] as const;
export type BenchEngineName = (typeof benchEngineNames)[number];

/** What crossed between CPU and GPU, counted by the engine (our stats()) or by instrumenting WebGPU. */
export interface TransferCounts {
  dispatches: number;
  submits: number;
  uploads: number;
  readbacks: number;
}

/**
 * Transfers of an engine that trains in calls of whole epochs (ours, through net.fit), split into what each
 * epoch adds and what each call costs beyond its epochs (e.g. fit's upload of the data).
 */
export interface EpochCounts {
  perEpoch: TransferCounts;
  perCall: TransferCounts;
}

/** One engine, ready to train one network. */
export interface PreparedTraining {
  /** examples per optimizer step: the network's batch, or 1 for an engine that only trains per example */
  batch: number;
  /**
   * train() takes whole multiples of this many steps: one epoch for an engine that trains the way users
   * do, through net.fit (which starts every call at an epoch's start); default 1
   */
  stepsPerCall?: number;
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
   * For an engine that counts its own transfers apart from other engines' (ours) and trains in calls of
   * whole epochs: the counts per epoch and per call, from calls of different lengths after the first;
   * undefined until there are two such calls.
   */
  epochCounts?(): EpochCounts | undefined;
  dispose(): void | Promise<void>;
}

/**
 * The time to the end of the first epoch on a fresh engine, against the epochs after it. An engine gives
 * one sample (BenchEngine.firstEpoch: a fresh engine, in a fresh process where it can); measureNetwork
 * takes several and keeps their medians.
 */
export interface FirstEpoch {
  /** seconds from creating the network to the end of a first 1-epoch net.fit */
  firstSeconds: number;
  /** median seconds of the following epochs (one net.fit, timed at each epoch's end) */
  steadySeconds: number;
  /** the following epochs timed */
  epochs: number;
  /** fresh engines measured (absent in results files older than 2026-12-03-vm-b.json: one) */
  samples?: number;
  /**
   * each sample's engine was the first of a process of its own, as a user's first epoch in Node is (the
   * Node runner since 2026-12-03-vm-g.json); else fresh engines in the benchmark's process, which had
   * loaded and run the library already
   */
  freshProcesses?: boolean;
  /** first ÷ steady of each fresh engine: median (min–max) */
  ratio?: Spread;
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
  /**
   * Where the engine can make a fresh copy of itself (nothing compiled or cached): trains a new network
   * for one epoch, then `following` more epochs in one call, and times both (see FirstEpoch).
   */
  firstEpoch?(network: BenchNetwork, data: SyntheticData, following: number): Promise<FirstEpoch>;
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
  /** what one net.fit call costs beyond its epochs (ours; see EpochCounts) */
  readbacksPerCall?: number;
  uploadsPerCall?: number;
  /**
   * What the transfer counts above were counted over: one whole epoch (which the readbacks and uploads per
   * epoch need); net.fit calls of different lengths (ours: per epoch and per call apart); or, where no whole
   * epoch could be counted, all timed runs (dispatches and submits only)
   */
  countedOver?: 'one epoch' | 'fit calls' | 'timed runs';
  /** first epoch on a fresh engine against the following ones, where measured (see FirstEpoch) */
  firstEpoch?: FirstEpoch;
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
  /**
   * Also time the first epoch on a fresh engine against the following ones (BenchEngine.firstEpoch), where
   * an epoch takes at most 2 s or `runSeconds`; default false
   */
  firstEpoch?: boolean;
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

const noTransfers: TransferCounts = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };

export function subtract(after: TransferCounts, before: TransferCounts): TransferCounts {
  return {
    dispatches: after.dispatches - before.dispatches,
    submits: after.submits - before.submits,
    uploads: after.uploads - before.uploads,
    readbacks: after.readbacks - before.readbacks,
  };
}

function add(a: TransferCounts, b: TransferCounts): TransferCounts {
  return subtract(a, subtract(noTransfers, b));
}

interface Contender {
  engine: BenchEngine;
  training: PreparedTraining;
  stepsPerEpoch: number;
  /** train() takes whole multiples of this many steps */
  stepsPerCall: number;
  /** steps taken so far: the engine walks the epochs in order, so this says where in an epoch it is */
  stepsTaken: number;
  stepsPerRun: number;
  examplesPerSec: number[];
  secondsPerStep: number;
  /** counted over exactly one epoch, from its first step to its last */
  epoch?: TransferCounts;
  /** per epoch and per call, from an engine that counts its calls of whole epochs */
  epochCounts?: EpochCounts;
  /** counted over all timed runs */
  timedRuns?: TransferCounts;
  gpuMillisecondsPerStep?: Record<string, number>;
  firstEpoch?: FirstEpoch;
}

/** The longest an engine trains beyond its timed runs only to count one whole epoch's transfers. */
const countingSeconds = 30;
/** The longest an engine trains under the GPU profiler (which itself slows it down). */
const profilingSeconds = 10;
/** The longest epoch whose first epoch on a fresh engine is timed (where runs are shorter). */
const firstEpochSeconds = 2;
/**
 * Fresh engines whose first epochs are timed: one sample's compile time varied by up to 2× on a loaded
 * 2-core machine (docs/benchmarks.md, Method).
 */
const firstEpochSamples = 3;

/**
 * One first-epoch sample of an engine made anew (a reference engine, the first of a process of its own):
 * preparing the network (its model, variables and batches on the device) and training one epoch, timed
 * together, then `following` one-epoch train calls, each timed (FirstEpoch). Ours time theirs through
 * net.fit instead (our-engines.ts timeFirstEpoch), as users train.
 */
export async function timeFirstEpochOfEngine(
  engine: BenchEngine,
  network: BenchNetwork,
  data: SyntheticData,
  following: number,
): Promise<FirstEpoch> {
  const start = performance.now();
  const training = await engine.prepare(network, data);
  try {
    const stepsPerEpoch = Math.ceil(data.examples / training.batch);
    await training.train(stepsPerEpoch);
    const firstSeconds = (performance.now() - start) / 1000;
    const seconds: number[] = [];
    for (let epoch = 0; epoch < following; epoch++)
      seconds.push(await timed(() => training.train(stepsPerEpoch)));
    return { firstSeconds, steadySeconds: spread(seconds).median, epochs: following };
  } finally {
    await training.dispose();
  }
}

/** What first-epoch samples were fresh in, singular and plural: processes of their own, or engines. */
export function freshUnit(freshProcesses: boolean | undefined): [one: string, many: string] {
  return freshProcesses ? ['process', 'processes'] : ['engine', 'engines'];
}

/** Medians of several first-epoch samples, with the spread of their ratios. */
function combineFirstEpochs(samples: FirstEpoch[]): FirstEpoch {
  return {
    firstSeconds: spread(samples.map((sample) => sample.firstSeconds)).median,
    steadySeconds: spread(samples.map((sample) => sample.steadySeconds)).median,
    epochs: samples[0].epochs,
    samples: samples.length,
    ratio: spread(samples.map((sample) => sample.firstSeconds / sample.steadySeconds)),
    ...(samples.every((sample) => sample.freshProcesses) && { freshProcesses: true }),
  };
}

async function train(contender: Contender, steps: number): Promise<number> {
  const seconds = await timed(() => contender.training.train(steps));
  contender.stepsTaken += steps;
  return seconds;
}

/**
 * Measures every engine on one network: each is warmed up and calibrated so that one timed run lasts about
 * `runSeconds` (at least one call of stepsPerCall steps), then the timed runs go round the engines in turn,
 * starting one engine later each round. Transfers are counted over one whole epoch: for engines that count
 * their own calls (ours), from the calls already made (adding a 2-epoch call if they were all alike); for
 * the others, an extra epoch after the warm-up where it takes at most 10 s. With `firstEpoch`, engines that
 * can then time a first epoch on fresh copies of themselves (firstEpochSamples), where an epoch takes at
 * most 2 s (or a run).
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
      const stepsPerCall = training.stepsPerCall ?? 1;
      const contender: Contender = {
        engine,
        training,
        stepsPerEpoch,
        stepsPerCall,
        stepsTaken: 0,
        stepsPerRun: stepsPerCall,
        secondsPerStep: 0,
        examplesPerSec: [],
      };
      contenders.push(contender);
      // Warm-up: one call compiles shaders and pipelines and fills caches; then the calls double until one
      // takes a quarter of a run, to learn the rate.
      await train(contender, stepsPerCall);
      let steps = stepsPerCall;
      let seconds = await train(contender, steps);
      while (seconds < timing.runSeconds / 4) {
        steps *= 2;
        seconds = await train(contender, steps);
      }
      const calls = Math.max(1, Math.round((steps / seconds / stepsPerCall) * timing.runSeconds));
      contender.stepsPerRun = calls * stepsPerCall;
      contender.secondsPerStep = seconds / steps;
      // Transfers are counted over one whole epoch when that takes at most 10 s (or two runs); engines
      // that count their own calls are counted from them instead (below).
      const epochSeconds = stepsPerEpoch * contender.secondsPerStep;
      if (training.counts && !training.epochCounts && epochSeconds <= Math.max(2 * timing.runSeconds, 10)) {
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
        // A full collection first (node --expose-gc, as npm run bench runs), so that the garbage of the
        // engine that ran before is not collected on this one's time.
        (globalThis as { gc?: () => void }).gc?.();
        const seconds = await train(contender, contender.stepsPerRun);
        if (countsBefore && contender.training.counts) {
          const counted = subtract(contender.training.counts(), countsBefore);
          contender.timedRuns = add(contender.timedRuns ?? noTransfers, counted);
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
      if (!training.epochCounts) continue;
      // All calls so far may have been of one length: add a call of two epochs if that takes at most 30 s.
      if (!training.epochCounts() && 2 * stepsPerEpoch * contender.secondsPerStep <= countingSeconds) {
        await train(contender, 2 * stepsPerEpoch);
      }
      contender.epochCounts = training.epochCounts();
    }
    for (const contender of timing.profile ? contenders : []) {
      const steps = Math.min(contender.stepsPerEpoch, contender.stepsPerRun);
      if (steps * contender.secondsPerStep > profilingSeconds) continue;
      const milliseconds = await timing.profile?.(contender.engine, () =>
        train(contender, steps).then(() => {}),
      );
      if (milliseconds) {
        contender.gpuMillisecondsPerStep = Object.fromEntries(
          Object.entries(milliseconds).map(([family, total]) => [family, total / steps]),
        );
      }
    }
    for (const contender of timing.firstEpoch ? contenders : []) {
      const { engine } = contender;
      const epochSeconds = data.examples / spread(contender.examplesPerSec).median;
      if (!engine.firstEpoch || epochSeconds > Math.max(timing.runSeconds, firstEpochSeconds)) continue;
      const following = Math.min(20, Math.max(3, Math.round((2 * timing.runSeconds) / epochSeconds)));
      const samples: FirstEpoch[] = [];
      for (let sample = 0; sample < firstEpochSamples; sample++) {
        samples.push(await engine.firstEpoch(network, data, following));
      }
      contender.firstEpoch = combineFirstEpochs(samples);
      const { firstSeconds, steadySeconds, ratio, freshProcesses } = contender.firstEpoch;
      const [fresh, freshPlural] = freshUnit(freshProcesses);
      log(
        `  ${engine.name}: first epoch ${(firstSeconds * 1000).toFixed(0)} ms in a fresh ${fresh}, then ` +
          `${(steadySeconds * 1000).toFixed(0)} ms (medians of ${firstEpochSamples} ${freshPlural}, ${following} ` +
          `epochs each; first ÷ steady ${ratio?.min.toFixed(1)}–${ratio?.max.toFixed(1)})`,
      );
    }
  } finally {
    for (const { training } of contenders) await training.dispose();
  }
  const flops = flopsPerExample(network.spec) / 1e9;
  return contenders.map((contender) => {
    const { engine, training, stepsPerEpoch, stepsPerRun, examplesPerSec, timedRuns } = contender;
    const examples = spread(examplesPerSec);
    const timedSteps = stepsPerRun * examplesPerSec.length;
    const epoch = contender.epochCounts?.perEpoch ?? contender.epoch;
    // Per step from an epoch where there was one, else from all the timed runs.
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
      ...(contender.epochCounts
        ? {
            readbacksPerCall: contender.epochCounts.perCall.readbacks,
            uploadsPerCall: contender.epochCounts.perCall.uploads,
            countedOver: 'fit calls',
          }
        : epoch
          ? { countedOver: 'one epoch' }
          : timedRuns
            ? { countedOver: 'timed runs' }
            : {}),
      runs: examplesPerSec.length,
      stepsPerRun,
    };
    if (contender.gpuMillisecondsPerStep) record.gpuMillisecondsPerStep = contender.gpuMillisecondsPerStep;
    if (contender.firstEpoch) record.firstEpoch = contender.firstEpoch;
    if (training.note) record.note = training.note;
    return record;
  });
}
