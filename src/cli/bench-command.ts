// `webgpu-mlp bench`: the training-throughput benchmark of our engines (bench/core),
// from the command line. `npm run bench` adds the reference engines (TensorFlow.js, brain.js), dev-only.

import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type BenchNetworkName, benchNetworkNames } from '../../bench/core/networks.js';
import { ourEngines } from '../../bench/core/our-engines.js';
import { formatTable, runBenchmark } from '../../bench/core/run-benchmark.js';
import { positiveInteger, positiveNumber } from './flags.js';
import { packageVersion } from './package-version.js';

interface BenchFlags {
  quick: boolean;
  only?: BenchNetworkName[];
  backends: ('webgpu' | 'cpu')[];
  runs?: number;
  seconds?: number;
  json?: string;
}

function networkList(value: string): BenchNetworkName[] {
  const names = value.split(',').filter(Boolean);
  for (const name of names) {
    if (!(benchNetworkNames as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(
        `unknown network '${name}'; expected some of ${benchNetworkNames.join(', ')}.`,
      );
    }
  }
  return names as BenchNetworkName[];
}

function backendList(value: string): ('webgpu' | 'cpu')[] {
  const names = value.split(',').filter(Boolean);
  for (const name of names) {
    if (name !== 'webgpu' && name !== 'cpu')
      throw new InvalidArgumentError(`unknown backend '${name}'; expected webgpu, cpu.`);
  }
  return names as ('webgpu' | 'cpu')[];
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('measure training throughput (examples/s, GFLOP/s) of our engines on the benchmark networks')
    .option('--quick', 'a smoke run: faces-b1 and faces-b32, half-second runs', false)
    .addOption(
      new Option('--only <networks>', `networks: ${benchNetworkNames.join(', ')}`).argParser(networkList),
    )
    .addOption(
      new Option('--backends <names>', 'engines to compare: webgpu,cpu')
        .default(['webgpu', 'cpu'], 'webgpu,cpu')
        .argParser(backendList),
    )
    .addOption(new Option('--runs <n>', 'timed runs per engine (at least 3)').argParser(positiveInteger))
    .addOption(new Option('--seconds <s>', 'seconds per timed run').argParser(positiveNumber))
    .option('--json <file>', 'also write the records as JSON')
    .action(async (flags: BenchFlags) => {
      const engines = await ourEngines(flags.backends, { 'webgpu-mlp': packageVersion() });
      try {
        const records = await runBenchmark({
          engines,
          networks: flags.only,
          quick: flags.quick,
          runs: flags.runs,
          runSeconds: flags.seconds,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        process.stdout.write(`${formatTable(records, flags.backends)}\n`);
        if (flags.json) await writeFile(flags.json, `${JSON.stringify(records, null, 2)}\n`);
      } finally {
        for (const engine of engines) await engine.dispose();
      }
    });
}
