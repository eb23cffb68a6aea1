// The benchmark's entry point, shared by `npm run bench` (bench/runner/main.ts, which adds the reference engines:
// dev-only) and the CLI's `webgpu-mlp bench` (our engines only), which does:
//
//   const engines = await ourEngines(['webgpu', 'cpu'], { 'webgpu-mlp': version });
//   const records = await runBenchmark({ engines, quick, networks, log: (line) => console.error(line) });
//   console.log(formatTable(records));            // and write JSON.stringify(records) where asked
//   for (const engine of engines) await engine.dispose();

import { type BenchEngine, type BenchRecord, measureNetwork, type TimingOptions } from './measure.js';
import {
  type BenchNetworkName,
  benchNetworkNames,
  benchNetworks,
  quickNetworkNames,
  syntheticData,
} from './networks.js';

export interface BenchmarkOptions {
  /** networks to run; default all, or faces-b1 and faces-b32 with `quick` */
  networks?: readonly BenchNetworkName[];
  /** a smoke run: half-second runs on two small networks */
  quick?: boolean;
  /** the engines to compare, in the order of the table; the first is the one the ratios are for */
  engines: BenchEngine[];
  /** seconds per timed run; default 2, or 0.5 with `quick` */
  runSeconds?: number;
  /** timed runs per engine; default 3 (the minimum) */
  runs?: number;
  /** progress lines (to stderr in the CLI) */
  log?: (line: string) => void;
  /** GPU time by kernel family, where the caller can measure it: see TimingOptions.profile */
  profile?: TimingOptions['profile'];
  /** called with all records so far after each network, e.g. to save them before a long run ends */
  onNetworkDone?: (records: readonly BenchRecord[]) => void;
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchRecord[]> {
  const quick = options.quick ?? false;
  const networks = options.networks ?? (quick ? quickNetworkNames : benchNetworkNames);
  const runs = Math.max(3, options.runs ?? 3);
  const runSeconds = options.runSeconds ?? (quick ? 0.5 : 2);
  const log = options.log ?? (() => {});
  const records: BenchRecord[] = [];
  for (const name of networks) {
    const network = benchNetworks[name];
    const started = performance.now();
    log(`${name}: ${network.description}`);
    records.push(
      ...(await measureNetwork(network, syntheticData(network), options.engines, {
        runSeconds,
        runs,
        log,
        profile: options.profile,
        firstEpoch: true,
      })),
    );
    log(`${name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    options.onNetworkDone?.(records);
  }
  return records;
}

/** A figure for a table: about three significant digits, thousands separated. */
export function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

function formatRatio(ratio: number): string {
  return `${formatNumber(ratio)}×`;
}

/** A transfer count, or '–' where the engine has no GPU or the count needed a whole epoch there was not. */
function counted(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : formatNumber(value);
}

/**
 * A Markdown table: one row per record, with examples/s, GFLOP/s, transfers (per step and per epoch, from
 * one whole epoch where it was counted: see BenchRecord.countedOver) and the ratios ours ÷ that row.
 */
export function formatTable(records: BenchRecord[], ours: readonly string[] = ['webgpu', 'cpu']): string {
  const header = [
    'network',
    'engine',
    'batch',
    'examples/s median (min–max)',
    'GFLOP/s',
    'dispatches/step',
    'submits/step',
    'readbacks/epoch',
    'uploads/epoch',
    ...ours.map((engine) => `${engine} ÷ this`),
  ];
  const rows = records.map((record) => {
    const { min, median, max } = record.examplesPerSec;
    return [
      record.network,
      record.engine,
      String(record.batch),
      `${formatNumber(median)} (${formatNumber(min)}–${formatNumber(max)})`,
      formatNumber(record.gflops.median),
      counted(record.dispatchesPerStep),
      counted(record.submitsPerStep),
      counted(record.readbacksPerEpoch),
      counted(record.uploadsPerEpoch),
      ...ours.map((engine) => {
        const mine = records.find((other) => other.network === record.network && other.engine === engine);
        return mine && mine !== record ? formatRatio(mine.examplesPerSec.median / median) : '';
      }),
    ];
  });
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}
