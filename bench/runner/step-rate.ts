// Dev tool: training examples/s of bench networks on webgpu (median of `rounds` networks, each timed over
// EPOCHS (default 2) epochs after one warm-up), the SwiftShader workers' CPU time per example, and the
// trained weights' checksum. For A/B runs of two builds (a checkout of
// the base commit and this one), run alternately: node .bench-build/bench/runner/step-rate.js rounds name…
import '../../src/node-platform.js';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';
import { WebGpuBackend } from '../../src/backends/webgpu/webgpu-backend.js';
import { initParams } from '../../src/model/init.js';
import { Random } from '../../src/model/random.js';
import { validateSpec } from '../../src/model/validate.js';
import { type BenchNetworkName, benchNetworks } from '../core/networks.js';

await webgpuEntryPoint();
const gpu = await WebGpuBackend.create();
const [roundsArg, ...names] = process.argv.slice(2) as [string, ...BenchNetworkName[]];
const rounds = Number(roundsArg);
const epochs = Number(process.env.EPOCHS ?? 2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// CPU time of SwiftShader's worker threads (named Thread<NN>), where it runs the shaders: hardly changed by
// the load of a shared machine, unlike wall time (the method of scripts/time-steps.mjs). Linux only.
function swiftShaderWorkerMs(): number {
  let ticks = 0;
  for (const task of readdirSync('/proc/self/task')) {
    if (!readFileSync(`/proc/self/task/${task}/comm`, 'utf8').startsWith('Thread<')) continue;
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

async function run(name: BenchNetworkName) {
  const bench = benchNetworks[name];
  const net = gpu.createNetwork(bench.spec, initParams(validateSpec(bench.spec)));
  net.setOptimizer({ kind: 'sgd', momentum: bench.momentum, nesterov: false });
  const random = new Random(1);
  const count = bench.examples;
  const x = Float32Array.from({ length: count * bench.spec.inputSize }, () => random.next());
  const outputs = bench.spec.layers[bench.spec.layers.length - 1].units;
  const t = new Float32Array(count * outputs);
  for (let r = 0; r < count; r++) t[r * outputs + random.below(outputs)] = 1;
  const dataset = net.upload(x, t, count);
  const steps = Math.ceil(count / bench.batchSize);
  const options = {
    batchSize: bench.batchSize,
    learningRate: bench.learningRate,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: [],
    dropoutSeed: 1,
  };
  const epoch = async () => {
    net.setOrder(dataset, new Random(2).permutation(count));
    net.train(dataset, 0, steps, options);
    await net.takeTrainingMetrics();
  };
  await epoch();
  const start = performance.now();
  const workerStart = swiftShaderWorkerMs();
  for (let e = 0; e < epochs; e++) await epoch();
  const workerMs = swiftShaderWorkerMs() - workerStart;
  const seconds = (performance.now() - start) / 1000;
  const checksum = (await net.readParams()).reduce(
    (sum, layer) => sum + layer.weights.reduce((s, w) => s + Math.abs(w), 0),
    0,
  );
  net.dispose();
  return {
    examplesPerSecond: (epochs * count) / seconds,
    workerMsPerExample: workerMs / (epochs * count),
    checksum,
  };
}

for (const name of names) {
  const rates: number[] = [];
  let checksum = 0;
  const workerUs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const result = await run(name);
    rates.push(result.examplesPerSecond);
    workerUs.push(result.workerMsPerExample * 1000);
    checksum = result.checksum;
  }
  console.log(
    `${name}: ${median(rates).toFixed(0)} ex/s [${rates.map((v) => v.toFixed(0))}], SwiftShader workers ${median(workerUs).toFixed(1)} µs of CPU per example [${workerUs.map((v) => v.toFixed(1))}], Σ|w| ${checksum.toFixed(6)}`,
  );
}
console.log(
  `load average ${loadavg()
    .map((v) => v.toFixed(1))
    .join(' ')}`,
);
gpu.dispose();
