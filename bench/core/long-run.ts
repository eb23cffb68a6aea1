// The benchmark's long run (issue 8, resource hygiene): Mitchell's 960-3-4 faces network trained for many
// epochs through the public API (`net.fit`), with the GPU's live buffers and bytes (`net.stats()`) and the
// JS heap sampled as it goes. A leak shows as a slope. Browser-safe: the caller says how to read the heap
// (in Node: process.memoryUsage() after global.gc()).

import type { BackendKind } from '../../src/backends/backend.js';
import { syntheticFaceSplits } from '../../src/data/synthetic-faces.js';
import { createEngine } from '../../src/engine.js';
import { benchNetworks } from './networks.js';

/** Memory of the whole process, read by the caller's means. */
export interface ProcessMemory {
  /** bytes of JS heap in use (after a full garbage collection where the caller can force one) */
  heapBytes: number;
  /** resident set size in bytes, where known: catches native (Dawn) memory the JS heap does not see */
  residentBytes?: number;
}

export interface LongRunOptions {
  backends: readonly BackendKind[];
  /** epochs in all; default 1,000 */
  epochs?: number;
  /** a sample every this many epochs (each `fit` call trains this many); default 10 */
  sampleEvery?: number;
  /** training examples from the synthetic faces' default training split; default all of it (288) */
  examples?: number;
  memory: () => ProcessMemory;
  /** how `memory` measures, for the results (e.g. "heapUsed after global.gc()") */
  memoryMethod: string;
  log?: (line: string) => void;
}

export interface LongRunSample {
  /** epochs trained when the sample was taken */
  epoch: number;
  seconds: number;
  loss: number;
  liveBuffers: number;
  liveBytes: number;
  heapBytes: number;
  residentBytes?: number;
}

/** first, last, min and max of a sampled quantity, and its least-squares slope per 1,000 epochs */
export interface Trend {
  first: number;
  last: number;
  min: number;
  max: number;
  slopePer1000Epochs: number;
}

export interface LongRunRecord {
  network: 'faces-b1';
  description: string;
  engine: BackendKind;
  adapter: string;
  epochs: number;
  examplesPerEpoch: number;
  sampleEvery: number;
  seconds: number;
  examplesPerSec: number;
  memoryMethod: string;
  liveBuffers: Trend;
  liveBytes: Trend;
  heapBytes: Trend;
  residentBytes?: Trend;
  samples: LongRunSample[];
}

/** The long run trains the benchmark's faces-b1 network, on the synthetic faces rather than random data. */
const faces = benchNetworks['faces-b1'];
const description = `${faces.description}, synthetic faces (pose)`;

export function trend(epochs: readonly number[], values: readonly number[]): Trend {
  const count = values.length;
  const meanEpoch = epochs.reduce((sum, epoch) => sum + epoch, 0) / count;
  const meanValue = values.reduce((sum, value) => sum + value, 0) / count;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < count; i++) {
    covariance += (epochs[i] - meanEpoch) * (values[i] - meanValue);
    variance += (epochs[i] - meanEpoch) ** 2;
  }
  return {
    first: values[0],
    last: values[count - 1],
    min: Math.min(...values),
    max: Math.max(...values),
    slopePer1000Epochs: variance > 0 ? (1000 * covariance) / variance : 0,
  };
}

/**
 * Trains the faces network for `epochs` epochs on each backend, `sampleEvery` epochs per `fit` call, and
 * samples after each call. The first sample comes after the first call, once pipelines and caches exist.
 */
export async function runLongRun(options: LongRunOptions): Promise<LongRunRecord[]> {
  const epochs = options.epochs ?? 1000;
  const sampleEvery = options.sampleEvery ?? 10;
  if (
    !Number.isInteger(epochs) ||
    !Number.isInteger(sampleEvery) ||
    sampleEvery < 1 ||
    epochs < 2 * sampleEvery
  ) {
    throw new Error(
      `long run: expected whole epochs (${epochs}) of at least two samples of ${sampleEvery} epochs each`,
    );
  }
  const log = options.log ?? (() => {});
  const { train } = syntheticFaceSplits({ task: 'pose' });
  const examples = Math.min(options.examples ?? train.count, train.count);
  const data = {
    inputs: train.inputs.subarray(0, examples * train.inputSize),
    targets: train.targets.subarray(0, examples * train.outputSize),
  };
  const records: LongRunRecord[] = [];
  for (const backend of options.backends) {
    const engine = await createEngine({ backend });
    const net = engine.createNetwork(faces.spec);
    const samples: LongRunSample[] = [];
    const started = performance.now();
    try {
      log(`long run, ${backend}: ${epochs} epochs of ${examples} examples, a sample every ${sampleEvery}`);
      while (net.epoch < epochs) {
        const history = await net.fit(data, {
          epochs: Math.min(sampleEvery, epochs - net.epoch),
          batchSize: faces.batchSize,
          shuffle: true,
          optimizer: { kind: 'sgd', learningRate: faces.learningRate, momentum: faces.momentum },
        });
        const seconds = (performance.now() - started) / 1000;
        const { liveBuffers, liveBytes } = net.stats();
        const memory = options.memory();
        const loss = history.epochs[history.epochs.length - 1].loss;
        samples.push({ epoch: net.epoch, seconds, loss, liveBuffers, liveBytes, ...memory });
        if (net.epoch % (10 * sampleEvery) === 0) {
          log(
            `  epoch ${net.epoch}: ${seconds.toFixed(0)} s, loss ${loss.toPrecision(3)}, ${liveBuffers} buffers ` +
              `(${liveBytes} bytes), heap ${(memory.heapBytes / 2 ** 20).toFixed(2)} MiB`,
          );
        }
      }
    } finally {
      net.dispose();
      engine.dispose();
    }
    const seconds = samples[samples.length - 1].seconds;
    const at = samples.map((sample) => sample.epoch);
    const trendOf = (pick: (sample: LongRunSample) => number) => trend(at, samples.map(pick));
    const resident = samples.every((sample) => sample.residentBytes !== undefined);
    records.push({
      network: 'faces-b1',
      description,
      engine: backend,
      adapter: engine.adapterDescription,
      epochs,
      examplesPerEpoch: examples,
      sampleEvery,
      seconds,
      examplesPerSec: (epochs * examples) / seconds,
      memoryMethod: options.memoryMethod,
      liveBuffers: trendOf((sample) => sample.liveBuffers),
      liveBytes: trendOf((sample) => sample.liveBytes),
      heapBytes: trendOf((sample) => sample.heapBytes),
      ...(resident ? { residentBytes: trendOf((sample) => sample.residentBytes ?? 0) } : {}),
      samples,
    });
  }
  return records;
}

function formatTrend(value: Trend, unit: number, digits: number): string {
  const show = (x: number) => (x / unit).toFixed(digits);
  return `${show(value.first)} / ${show(value.last)} / ${show(value.max)} (${value.slopePer1000Epochs >= 0 ? '+' : ''}${show(value.slopePer1000Epochs)})`;
}

/** A Markdown table of the long runs: first / last / max of each quantity, and (its slope per 1,000 epochs). */
export function formatLongRunTable(records: readonly LongRunRecord[]): string {
  const header = [
    'engine',
    'epochs × examples',
    'seconds',
    'live GPU buffers',
    'live GPU KiB',
    'JS heap MiB',
    'resident MiB',
    'loss first → last',
  ];
  const rows = records.map((record) => [
    record.engine,
    `${record.epochs} × ${record.examplesPerEpoch}`,
    record.seconds.toFixed(0),
    formatTrend(record.liveBuffers, 1, 0),
    formatTrend(record.liveBytes, 1024, 1),
    formatTrend(record.heapBytes, 2 ** 20, 2),
    record.residentBytes ? formatTrend(record.residentBytes, 2 ** 20, 1) : '–',
    `${record.samples[0].loss.toPrecision(3)} → ${record.samples[record.samples.length - 1].loss.toPrecision(3)}`,
  ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
