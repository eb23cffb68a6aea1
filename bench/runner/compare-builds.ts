// Before/after of two builds of webgpu-mlp through what users call: `net.fit` on webgpu, for the benchmark's
// networks. Each measurement runs in a process of its own (Dawn allows one instance per process, and a fresh
// process is what a user's first epoch meets), the two builds alternating, and the table gives medians.
//
//   npm run bench:compare -- --base ../base [--rounds 3] [faces-b1 faces-b32 …]
//
// `--base` is a checkout of the earlier commit with `npm run build` done in it; the other build is this
// tree's dist/. Both train the networks and synthetic data of this tree's bench/core.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { spread } from '../core/measure.js';
import { type BenchNetworkName, benchNetworkNames, benchNetworks, syntheticData } from '../core/networks.js';
import { nodeChildResult } from './node-child.js';

/** What one process measures of one build on one network. */
interface Measurement {
  examplesPerSecond: number;
  /** a fresh engine's createNetwork plus its first 1-epoch fit */
  firstEpochSeconds: number;
  /** the median epoch of the fit after it */
  steadyEpochSeconds: number;
  readbacksPerEpoch: number;
}

/** How long the timed fit should last, roughly: enough epochs for a median, few enough for the budget. */
const timedSeconds = 3;

/** The `node` condition's entry of the package built in `folder` (its dist layout differs between commits). */
function nodeEntry(folder: string): string {
  const manifest = JSON.parse(readFileSync(resolve(folder, 'package.json'), 'utf8')) as {
    exports: { '.': { node: string } };
  };
  return pathToFileURL(resolve(folder, manifest.exports['.'].node)).href;
}

async function measure(folder: string, name: BenchNetworkName): Promise<Measurement> {
  type Library = typeof import('../../src/index.js');
  const { createEngine } = (await import(nodeEntry(folder))) as Library;
  const network = benchNetworks[name];
  const data = syntheticData(network);
  const examples = { inputs: data.inputs, targets: data.targets };
  const options = (epochs: number) => ({
    epochs,
    batchSize: network.batchSize,
    optimizer: { kind: 'sgd' as const, learningRate: network.learningRate, momentum: network.momentum },
  });
  const engine = await createEngine({ backend: 'webgpu' });
  try {
    const start = performance.now();
    const net = engine.createNetwork(network.spec);
    await net.fit(examples, options(1));
    const firstEpochSeconds = (performance.now() - start) / 1000;
    // one more epoch to size the timed fit, then the timed fit, epoch by epoch
    const sizing = performance.now();
    await net.fit(examples, options(1));
    const epochs = Math.max(3, Math.round(timedSeconds / ((performance.now() - sizing) / 1000)));
    const before = net.stats().readbacks;
    const ends = [performance.now()];
    await net.fit(examples, { ...options(epochs), onEpochEnd: () => void ends.push(performance.now()) });
    const readbacksPerEpoch = (net.stats().readbacks - before) / epochs;
    const total = (ends[ends.length - 1] - ends[0]) / 1000;
    const steadyEpochSeconds = spread(ends.slice(1).map((end, index) => (end - ends[index]) / 1000)).median;
    return {
      examplesPerSecond: (epochs * data.examples) / total,
      firstEpochSeconds,
      steadyEpochSeconds,
      readbacksPerEpoch,
    };
  } finally {
    engine.dispose();
  }
}

function runChild(folder: string, name: BenchNetworkName): Measurement {
  return nodeChildResult(fileURLToPath(import.meta.url), ['--child', folder, name], `${name} on ${folder}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      child: { type: 'boolean' },
    },
  });
  if (values.child) {
    const [folder, name] = positionals as [string, BenchNetworkName];
    process.stdout.write(`${JSON.stringify(await measure(folder, name))}\n`);
    return;
  }
  if (!values.base) throw new Error('--base <folder of the earlier build> is required');
  const builds = {
    before: resolve(values.base),
    after: resolve(fileURLToPath(new URL('../../..', import.meta.url))),
  };
  const names = (positionals.length > 0 ? positionals : benchNetworkNames) as BenchNetworkName[];
  const rounds = Number(values.rounds);
  const rows: string[] = [
    '| network | build | examples/s | first epoch (s) | steady epoch (s) | first ÷ steady | readbacks/epoch |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const name of names) {
    const results: Record<'before' | 'after', Measurement[]> = { before: [], after: [] };
    for (let round = 0; round < rounds; round++) {
      for (const build of ['before', 'after'] as const) results[build].push(runChild(builds[build], name));
    }
    const medians: Partial<Record<'before' | 'after', number>> = {};
    for (const build of ['before', 'after'] as const) {
      const of = (key: keyof Measurement) => spread(results[build].map((m) => m[key])).median;
      medians[build] = of('examplesPerSecond');
      const ratio = of('firstEpochSeconds') / of('steadyEpochSeconds');
      rows.push(
        `| ${name} | ${build} | ${of('examplesPerSecond').toFixed(1)} | ${of('firstEpochSeconds').toFixed(2)} | ${of('steadyEpochSeconds').toFixed(3)} | ${ratio.toFixed(1)}× | ${of('readbacksPerEpoch').toFixed(2)} |`,
      );
    }
    rows.push(
      `| ${name} | after ÷ before | ${((medians.after ?? 0) / (medians.before ?? 1)).toFixed(2)}× | | | | |`,
    );
    process.stderr.write(`${name} done\n`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
}

await main();
