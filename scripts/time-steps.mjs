// Rough time per training step of the reference networks on both backends (the bench helper owns the
// real benchmark in bench/). Run after `npm run build`: node scripts/time-steps.mjs
// Prints the median of 3 timed runs (after one warm-up) per configuration, dispatches per step, and on
// SwiftShader the CPU time its worker threads spent per step.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import '../dist/src/node-platform.js';
import { CpuBackend } from '../dist/src/backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../dist/src/backends/webgpu/webgpu-backend.js';
import { Random } from '../dist/src/model/random.js';

const only = process.argv[2];
const configs = [
  {
    name: '960-3-4 sigmoid, batch 1',
    sizes: [960, 3, 4],
    batch: 1,
    // enough steps for the workers' CPU time, counted in 10 ms ticks
    examples: 2048,
    activation: 'sigmoid',
    loss: 'squared-error',
    out: 'sigmoid',
  },
  {
    // fused too: on CPU adapters with the weights in storage (they exceed workgroup memory)
    name: '960-64-4 sigmoid, batch 1',
    sizes: [960, 64, 4],
    batch: 1,
    examples: 64,
    activation: 'sigmoid',
    loss: 'squared-error',
    out: 'sigmoid',
  },
  {
    // the batched kernels (batch 1 takes the fused per-example kernel)
    name: '960-3-4 sigmoid, batch 32',
    sizes: [960, 3, 4],
    batch: 32,
    examples: 512,
    activation: 'sigmoid',
    loss: 'squared-error',
    out: 'sigmoid',
  },
  {
    name: '784-256-256-10 relu/softmax, batch 128',
    sizes: [784, 256, 256, 10],
    batch: 128,
    examples: 512,
    activation: 'relu',
    loss: 'softmax-cross-entropy',
    out: 'softmax',
  },
];

function setup(c) {
  const spec = {
    inputSize: c.sizes[0],
    layers: c.sizes
      .slice(1)
      .map((units, l, all) => ({ units, activation: l === all.length - 1 ? c.out : c.activation })),
    loss: c.loss,
  };
  const random = new Random(1);
  let inputs = spec.inputSize;
  const params = spec.layers.map(({ units }) => {
    const layer = {
      weights: Float32Array.from({ length: units * inputs }, () => random.uniform(-0.05, 0.05)),
      biases: new Float32Array(units),
    };
    inputs = units;
    return layer;
  });
  const outputs = c.sizes[c.sizes.length - 1];
  const x = Float32Array.from({ length: c.examples * spec.inputSize }, () => random.next());
  const t = new Float32Array(c.examples * outputs);
  for (let r = 0; r < c.examples; r++) t[r * outputs + random.below(outputs)] = 1;
  return { spec, params, x, t };
}

// CPU time of SwiftShader's worker threads (named Thread<NN>), where it runs the shaders: unlike wall
// time, hardly changed by the load of a shared machine. Linux only (/proc); NaN elsewhere.
function swiftShaderWorkerMs() {
  try {
    let ticks = 0;
    for (const task of readdirSync('/proc/self/task')) {
      if (!readFileSync(`/proc/self/task/${task}/comm`, 'utf8').startsWith('Thread<')) continue;
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    }
    return ticks * 10; // 100 ticks per second
  } catch {
    return Number.NaN;
  }
}

async function time(backend, c, optimizer) {
  const { spec, params, x, t } = setup(c);
  const net = backend.createNetwork(spec, params);
  net.setOptimizer(optimizer);
  const dataset = net.upload(x, t, c.examples);
  const steps = c.examples / c.batch;
  const options = {
    batchSize: c.batch,
    learningRate: 0.01,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: [],
    dropoutSeed: 1,
  };
  const epoch = async () => {
    net.setOrder(dataset, new Random(2).permutation(c.examples));
    net.train(dataset, 0, steps, options);
    await net.takeTrainingMetrics();
  };
  await epoch();
  const before = net.stats();
  const runs = [];
  const workerRuns = [];
  for (let i = 0; i < 3; i++) {
    const workerStart = swiftShaderWorkerMs();
    const start = performance.now();
    await epoch();
    runs.push((performance.now() - start) / steps);
    workerRuns.push((swiftShaderWorkerMs() - workerStart) / steps);
  }
  workerRuns.sort((a, b) => a - b);
  const dispatches = (net.stats().dispatches - before.dispatches) / (3 * steps);
  net.dispose();
  runs.sort((a, b) => a - b);
  return { msPerStep: runs[1], workerMsPerStep: workerRuns[1], dispatches };
}

const gpu = await WebGpuBackend.create();
const cpu = new CpuBackend();
console.log(`adapter: ${gpu.adapterDescription}`);
for (const c of configs.filter((c) => !only || c.name.startsWith(only))) {
  const momentum = { kind: 'sgd', momentum: 0.9, nesterov: false };
  const adam = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
  // batch 1 with adam too: the fused kernel takes both optimizers
  for (const [label, optimizer] of c.batch === 1
    ? [
        ['momentum', momentum],
        ['adam', adam],
      ]
    : [['momentum', momentum]]) {
    const cpuResult = await time(cpu, c, optimizer);
    const gpuResult = await time(gpu, c, optimizer);
    console.log(
      `${c.name}, ${label}: cpu ${cpuResult.msPerStep.toFixed(3)} ms/step; webgpu ${gpuResult.msPerStep.toFixed(3)} ms/step (SwiftShader workers' CPU ${gpuResult.workerMsPerStep.toFixed(3)} ms/step), ${gpuResult.dispatches.toFixed(3)} dispatches/step`,
    );
  }
}
console.log(
  `load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
gpu.dispose();
