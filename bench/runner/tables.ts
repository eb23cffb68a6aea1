// Makes docs/benchmarks.md's result tables from one results file of `npm run bench`, so that they cannot
// drift from a run by hand:
//
//   npm run bench:tables -- bench/results/2026-12-02-vm.json     rewrite the tables in the docs
//   npm run bench:tables -- --check                              exit 1 if they differ from the file the
//                                                                docs name (test/docs/benchmarks.test.ts
//                                                                checks the same)
//
// The tables go between `<!-- bench-tables FILE -->` and `<!-- /bench-tables -->` in docs/benchmarks.md;
// FILE (relative to the repository) is the training results; its `.matmul.json` sibling, where it exists,
// gives the matmul table. Nothing else in the page is touched.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRecord, type FirstEpoch, freshUnit } from '../core/measure.js';
import { formatNumber } from '../core/run-benchmark.js';
import type { MatmulRecord } from './matmul.js';

// Run from the repository root (npm run does), as a test or compiled in .bench-build/.
const root = process.cwd();
const docsPath = resolve(root, 'docs/benchmarks.md');
const markerPattern = /<!-- bench-tables (\S+) -->\n[\s\S]*?<!-- \/bench-tables -->/;

/** Engines that train on the CPU, for "the fastest CPU engine". */
const cpuEngines = ['cpu', 'tfjs-wasm', 'tfjs-cpu', 'jaxjs-wasm', 'brainjs'];
const gpuEngines = ['webgpu', 'tfjs-webgpu', 'jaxjs-webgpu'];

const ratio = (value: number) => `${formatNumber(value)}×`;
const counted = (value: number | null | undefined) =>
  value === null || value === undefined ? '–' : formatNumber(value);

function table(header: string[], rows: string[][]): string {
  if (rows.length === 0) return '(not measured in this run)';
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function throughputTable(records: BenchRecord[]): string {
  const rows = records.map((record) => {
    const same = records.filter((other) => other.network === record.network);
    const median = (engine: string) => same.find((other) => other.engine === engine)?.examplesPerSec.median;
    // The fastest CPU engine doing exactly the network's work (brain.js's notes mark where it does not).
    const fastestCpu = same
      .filter((other) => cpuEngines.includes(other.engine) && !other.note)
      .sort((a, b) => b.examplesPerSec.median - a.examplesPerSec.median)[0];
    const versus = (median: number | undefined) =>
      median === undefined || median === record.examplesPerSec.median
        ? ''
        : ratio(record.examplesPerSec.median / median);
    const { min, median: mid, max } = record.examplesPerSec;
    return [
      record.network,
      record.engine,
      String(record.batch),
      `${formatNumber(mid)} (${formatNumber(min)}–${formatNumber(max)})`,
      formatNumber(record.gflops.median),
      versus(median('tfjs-webgpu')),
      versus(median('jaxjs-webgpu')),
      fastestCpu && fastestCpu !== record
        ? `${ratio(mid / fastestCpu.examplesPerSec.median)} (${fastestCpu.engine})`
        : fastestCpu
          ? 'fastest CPU'
          : '',
    ];
  });
  return table(
    [
      'network',
      'engine',
      'batch',
      'examples/s median (min–max)',
      'GFLOP/s',
      'this ÷ tfjs-webgpu',
      'this ÷ jaxjs-webgpu',
      'this ÷ fastest CPU engine',
    ],
    rows,
  );
}

function transfersTable(records: BenchRecord[]): string {
  const rows = records
    .filter((record) => gpuEngines.includes(record.engine))
    .map((record) => [
      record.network,
      record.engine,
      counted(record.dispatchesPerStep),
      counted(record.submitsPerStep),
      counted(record.readbacksPerEpoch),
      counted(record.uploadsPerEpoch),
      counted(record.readbacksPerCall),
      counted(record.uploadsPerCall),
      record.countedOver ?? '–',
    ]);
  return table(
    [
      'network',
      'engine',
      'dispatches/step',
      'submits/step',
      'readbacks/epoch',
      'uploads/epoch',
      'readbacks/fit call',
      'uploads/fit call',
      'counted over',
    ],
    rows,
  );
}

/** "3 processes", "1 engine": how many samples, and fresh what. */
function freshSamples({ samples = 1, freshProcesses }: FirstEpoch): string {
  const [one, many] = freshUnit(freshProcesses);
  return `${samples} ${samples === 1 ? one : many}`;
}

function firstEpochTable(records: BenchRecord[]): string {
  const rows = records
    .flatMap(({ network, engine, firstEpoch }) => (firstEpoch ? [{ network, engine, firstEpoch }] : []))
    .map(({ network, engine, firstEpoch }) => [
      network,
      engine,
      formatNumber(firstEpoch.firstSeconds * 1000),
      `${formatNumber(firstEpoch.steadySeconds * 1000)} (${firstEpoch.epochs})`,
      firstEpoch.ratio
        ? `${ratio(firstEpoch.ratio.median)} (${ratio(firstEpoch.ratio.min)}–${ratio(firstEpoch.ratio.max)})`
        : ratio(firstEpoch.firstSeconds / firstEpoch.steadySeconds),
      freshSamples(firstEpoch),
    ]);
  return table(
    ['network', 'engine', 'first epoch, ms', 'steady epoch, ms (epochs)', 'first ÷ steady', 'fresh'],
    rows,
  );
}

function matmulTable(matmul: MatmulRecord[]): string {
  const rows = matmul.map((record) => {
    const ours = matmul.find((other) => other.size === record.size && other.engine === 'webgpu');
    const { min, median, max } = record.gflops;
    return [
      String(record.size),
      record.engine,
      `${formatNumber(median)} (${formatNumber(min)}–${formatNumber(max)})`,
      ours && ours !== record ? ratio(ours.gflops.median / median) : '',
    ];
  });
  return table(['n', 'engine', 'GFLOP/s median (min–max)', 'webgpu ÷ this'], rows);
}

function versionsLine(records: BenchRecord[]): string {
  const versions = new Map<string, string>();
  for (const record of records)
    for (const [name, version] of Object.entries(record.versions)) versions.set(name, version);
  return [...versions].map(([name, version]) => `${name} ${version}`).join(', ');
}

/** The tables of `records` (and of `matmul`, if any): the generated part of the page, and the runner's output. */
export function benchTables(records: BenchRecord[], matmul: MatmulRecord[] | undefined): string {
  const gpu = records.find((record) => record.engine === 'webgpu');
  const notes = records
    .filter((record) => record.note)
    .map((record) => `- ${record.network} ${record.engine}: ${record.note}`);
  const parts = [
    `Adapter: ${gpu?.adapter ?? 'none'}. Versions: ${versionsLine(records)}.`,
    '### Training throughput',
    'Medians of the alternating timed runs (min–max); ratios are this row ÷ that engine, both from this run. ' +
      'GFLOP/s = 6·Σ(n_in·n_out) per example.',
    throughputTable(records),
    ...(notes.length > 0 ? [notes.join('\n')] : []),
    '### Transfers',
    'Per step and per epoch; for ours also what one `net.fit` call costs beyond its epochs (see Method). ' +
      'Counted over `timed runs`: per step only, where a whole epoch took too long to count on its own.',
    transfersTable(records),
    '### First epoch',
    'A fresh engine and network: for ours, creating the network and a first 1-epoch `net.fit`, against the ' +
      'median epoch of the next `net.fit`; for the WebGPU reference engines, preparing the network (its ' +
      'variables and batches on the device) and training one epoch, against the median of one-epoch calls ' +
      'after it. Each the first engine of a fresh process (or a fresh engine in the benchmark’s process, ' +
      'where the last column says engines): medians, and first ÷ steady of each sample as median (min–max) ' +
      '(issue 12’s target: first ÷ steady ≤ 10× on faces-b1 and faces-b32).',
    firstEpochTable(records),
  ];
  if (matmul) {
    const matmulNotes = [
      ...new Set(
        matmul.filter((record) => record.note).map((record) => `- ${record.engine}: ${record.note}`),
      ),
    ];
    parts.push(
      '### Matrix multiply',
      'C = A·B, n×n by n×n; GFLOP/s = 2n³ / time.',
      matmulTable(matmul),
      ...(matmulNotes.length > 0 ? [matmulNotes.join('\n')] : []),
    );
  }
  return parts.join('\n\n');
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(resolve(root, path), 'utf8'));
}

/** The page with its marked region made from `source` (relative to the repository). */
export function renderDocs(page: string, source: string): string {
  if (!markerPattern.test(page)) {
    throw new Error(`${docsPath}: no <!-- bench-tables FILE --> … <!-- /bench-tables --> region`);
  }
  const matmulPath = source.replace(/\.json$/, '.matmul.json');
  const tables = benchTables(
    readJson<BenchRecord[]>(source),
    existsSync(resolve(root, matmulPath)) ? readJson<MatmulRecord[]>(matmulPath) : undefined,
  );
  const generated = `Generated by \`npm run bench:tables -- ${source}\`; do not edit by hand.`;
  return page.replace(
    markerPattern,
    `<!-- bench-tables ${source} -->\n${generated}\n\n${tables}\n<!-- /bench-tables -->`,
  );
}

/** The results file the page's tables say they come from. */
export function namedSource(page: string): string {
  const match = markerPattern.exec(page);
  if (!match) throw new Error(`${docsPath}: no <!-- bench-tables FILE --> region`);
  return match[1];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = readFileSync(docsPath, 'utf8');
  const [argument] = process.argv.slice(2);
  if (!argument) {
    console.error('Usage: npm run bench:tables -- RESULTS.json | --check');
    process.exit(2);
  }
  if (argument === '--check') {
    const source = namedSource(page);
    if (renderDocs(page, source) !== page) {
      console.error(
        `docs/benchmarks.md: the tables differ from ${source}; run npm run bench:tables -- ${source}`,
      );
      process.exit(1);
    }
    console.log(`docs/benchmarks.md matches ${source}`);
  } else {
    writeFileSync(docsPath, renderDocs(page, argument.replace(/^\.\//, '')));
    console.log(`docs/benchmarks.md: tables from ${argument}`);
  }
}
