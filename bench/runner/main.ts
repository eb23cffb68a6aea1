// `npm run bench`: our engines against TensorFlow.js, jax-js and brain.js on the same machine, in one run.
// Prints Markdown tables to stdout (progress to stderr) and writes bench/out/<date>-<host>.json (ignored by
// git), or where --json says: a run to keep goes to bench/results/, and `npm run bench:tables -- FILE`
// makes docs/benchmarks.md's tables from it.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';
import '../../src/node-platform.js';
import { formatLongRunTable, type LongRunRecord, runLongRun } from '../core/long-run.js';
import { type BenchEngine, benchEngineNames } from '../core/measure.js';
import { type BenchNetworkName, benchNetworkNames } from '../core/networks.js';
import { ourEngines } from '../core/our-engines.js';
import { runBenchmark } from '../core/run-benchmark.js';
import { packageVersions } from '../engines/versions.js';
import { firstEpochInFreshProcesses } from './first-epoch-process.js';
import { installGpuProfiler, profileGpu } from './gpu-profiler.js';
import { runMatmulBenchmark } from './matmul.js';
import { firstEpochReferenceEngines, referenceEngine } from './reference-engines.js';
import { benchTables } from './tables.js';

const usage = `Usage: npm run bench -- [--quick] [--only NAME[,NAME…]] [--engines NAME[,NAME…]] [--json PATH]
  --quick        a smoke run: faces-b1 and faces-b32, 0.5-second runs, matmul at 256³ only (a few minutes)
  --only         networks: ${benchNetworkNames.join(', ')}, matmul, long-run
                 (long-run: 960-3-4 faces at batch 1 through net.fit for 1,000 epochs on webgpu and cpu,
                 sampling live GPU buffers/bytes and the JS heap; only when named here or with --long-run)
  --long-run     add the long run to whatever else runs
  --long-run-epochs N   epochs of the long run (default 1000)
  --engines      engines: ${benchEngineNames.join(', ')} (default: all)
  --json PATH    where to write the results (default bench/out/<date>-<host>.json, ignored by git;
                 a run to keep: bench/results/<date>-<host>.json)
  --runs N       timed runs per engine (default 3, at least 3)
  --seconds S    seconds per timed run (default 2; 0.5 with --quick)`;

function listOption<T extends string>(
  given: string[] | undefined,
  allowed: readonly T[],
  what: string,
): T[] | undefined {
  if (!given) return undefined;
  const names = given.flatMap((value) => value.split(',')).filter(Boolean);
  for (const name of names) {
    if (!allowed.includes(name as T)) {
      throw new Error(`Unknown ${what} "${name}": expected one of ${allowed.join(', ')}.`);
    }
  }
  return names as T[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      engines: { type: 'string', multiple: true },
      json: { type: 'string' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      'long-run': { type: 'boolean', default: false },
      'long-run-epochs': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const only = listOption(values.only, [...benchNetworkNames, 'matmul', 'long-run'] as const, 'network');
  const networks = only?.filter((name): name is BenchNetworkName => name !== 'matmul' && name !== 'long-run');
  const runMatmul = !only || only.includes('matmul');
  const runLong = values['long-run'] || (only?.includes('long-run') ?? false);
  const engineNames = listOption(values.engines, benchEngineNames, 'engine') ?? [...benchEngineNames];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const startLoad = loadavg();
  const started = new Date();
  const resultsPath = values.json ?? `bench/out/${started.toISOString().slice(0, 10)}-${hostname()}.json`;
  mkdirSync(dirname(resultsPath), { recursive: true });

  // The profiler wraps WebGPU's prototypes, so it goes in before any engine makes a WebGPU object.
  const gpu = await webgpuEntryPoint();
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  const timestampQuery = adapter?.features.has('timestamp-query') ?? false;
  if (timestampQuery) installGpuProfiler();
  const profile = async (engine: BenchEngine, train: () => Promise<void>) => {
    if (!timestampQuery || !['webgpu', 'tfjs-webgpu', 'jaxjs-webgpu'].includes(engine.name)) return undefined;
    const times = await profileGpu(train);
    return Object.fromEntries([...times].map(([family, time]) => [family, time.milliseconds]));
  };

  const engines: BenchEngine[] = [];
  const ours = engineNames.filter((name): name is 'webgpu' | 'cpu' => name === 'webgpu' || name === 'cpu');
  const runNetworks = networks?.length !== 0;
  const ourVersion = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  if (runNetworks) {
    engines.push(
      ...(await ourEngines(
        ours,
        { 'webgpu-mlp': ourVersion.version },
        packageVersions('webgpu'),
        firstEpochInFreshProcesses,
      )),
    );
    for (const name of engineNames) {
      if (name === 'webgpu' || name === 'cpu') continue;
      const engine = await referenceEngine(name);
      engines.push(
        firstEpochReferenceEngines.includes(name)
          ? { ...engine, firstEpoch: firstEpochInFreshProcesses(name) }
          : engine,
      );
    }
  }

  const records = !runNetworks
    ? []
    : await runBenchmark({
        networks: networks ?? undefined,
        quick: values.quick,
        engines,
        runs: values.runs ? Number(values.runs) : undefined,
        runSeconds: values.seconds ? Number(values.seconds) : undefined,
        log,
        profile,
        // Saved as each network ends, so that a run cut short keeps what it measured.
        onNetworkDone: (done) => writeResults(resultsPath, done),
      });
  const matmul = runMatmul ? await runMatmulBenchmark({ quick: values.quick, log }) : [];
  for (const engine of engines) await engine.dispose();
  const longRun = runLong ? await longRunOfOurEngines(ours, values['long-run-epochs'], log) : [];

  const machine = `${hostname()}: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.versions.node}`;
  const load = `load average ${startLoad.map((value) => value.toFixed(2)).join(' ')} at the start, ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} at the end`;
  console.log(`Benchmark ${started.toISOString()} on ${machine}; ${load}.`);
  console.log(
    `WebGPU adapter: ${adapter ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}` : 'none'}.`,
  );
  console.log(
    timestampQuery
      ? 'The adapter has timestamp-query.'
      : 'The adapter has no timestamp-query: no GPU time per kernel family.',
  );
  if (records.length > 0 || matmul.length > 0) {
    // The tables docs/benchmarks.md shows (npm run bench:tables makes them there from the results file).
    console.log(`\n${benchTables(records, matmul.length > 0 ? matmul : undefined)}`);
  }
  const profiled = records.filter((record) => record.gpuMillisecondsPerStep);
  if (profiled.length > 0) {
    console.log(
      '\nGPU time per step by kernel family (timestamp-query, each dispatch timed in a pass of its own; ms):\n',
    );
    for (const record of profiled) {
      const families = Object.entries(record.gpuMillisecondsPerStep ?? {}).sort(([, a], [, b]) => b - a);
      const total = families.reduce((sum, [, milliseconds]) => sum + milliseconds, 0);
      const parts = families.map(([family, milliseconds]) => `${family} ${milliseconds.toPrecision(3)}`);
      console.log(
        `- ${record.network} ${record.engine}: ${total.toPrecision(3)} in all; ${parts.join(', ')}`,
      );
    }
  }
  if (longRun.length > 0) {
    const [record] = longRun;
    console.log(
      `\nLong run: ${record.description}; ${record.epochs} epochs of ${record.examplesPerEpoch} examples through ` +
        `net.fit, ${record.sampleEvery} epochs per fit call, sampled after each call (${record.memoryMethod}). ` +
        'First / last / max of the samples (least-squares slope per 1,000 epochs):\n',
    );
    console.log(formatLongRunTable(longRun));
  }

  // Each part goes to its own file, and only when it ran: a long run alone leaves a day's full results be.
  const parts: [string, unknown[] | false][] = [
    [resultsPath, runNetworks && records],
    [resultsPath.replace(/\.json$/, '.matmul.json'), matmul.length > 0 && matmul],
    [resultsPath.replace(/\.json$/, '.long-run.json'), longRun.length > 0 && longRun],
  ];
  for (const [file, contents] of parts) {
    if (!contents) continue;
    writeResults(file, contents);
    log(`Wrote ${file}`);
  }
}

function writeResults(path: string, contents: readonly unknown[]): void {
  writeFileSync(path, `${JSON.stringify(contents, null, 2)}\n`);
}

/** The long run on our engines (both, when --engines names neither), with the JS heap read after a full GC. */
async function longRunOfOurEngines(
  ours: ('webgpu' | 'cpu')[],
  epochs: string | undefined,
  log: (line: string) => void,
): Promise<LongRunRecord[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  return runLongRun({
    backends: ours.length > 0 ? ours : ['webgpu', 'cpu'],
    epochs: epochs ? Number(epochs) : undefined,
    memory: () => {
      gc?.();
      const { heapUsed, rss } = process.memoryUsage();
      return { heapBytes: heapUsed, residentBytes: rss };
    },
    memoryMethod: gc
      ? 'JS heap: process.memoryUsage().heapUsed after global.gc() (node --expose-gc); resident: rss'
      : 'JS heap: process.memoryUsage().heapUsed without a forced GC (node ran without --expose-gc); resident: rss',
    log,
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
