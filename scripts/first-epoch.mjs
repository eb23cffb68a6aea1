// First-epoch stall on webgpu: for 960-3-4 on 288 examples at batch 1 and 32, each in a fresh process, the
// time of the first 1-epoch `net.fit` (which pays for pipeline compilation) against the median of the next
// 5 (steady state), and their ratio; repeated `runs` times (medians across runs, for a loaded machine).
// With --pipelines, every pipeline creation is timed as it happens (from the device's side).
// Run after `npm run build`: node scripts/first-epoch.mjs [runs=3] [--pipelines]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const examples = 288;
const steadyFits = 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function child(batchSize, timePipelines) {
  await import('../dist/src/node-platform.js');
  const { createEngine } = await import('../dist/src/index.js');
  if (timePipelines) {
    Object.assign(globalThis, (await import('webgpu')).globals);
    const proto = globalThis.GPUDevice.prototype;
    for (const method of ['createComputePipeline', 'createComputePipelineAsync', 'createShaderModule']) {
      const original = proto[method];
      proto[method] = function (descriptor) {
        const start = performance.now();
        const result = original.call(this, descriptor);
        const report = () =>
          console.error(`  ${method} ${descriptor.label}: ${(performance.now() - start).toFixed(0)} ms`);
        if (result instanceof Promise) result.then(report);
        else report();
        return result;
      };
    }
  }
  const startup = performance.now();
  const engine = await createEngine({ backend: 'webgpu' });
  const net = engine.createNetwork({
    inputSize: 960,
    layers: [
      { units: 3, activation: 'sigmoid' },
      { units: 4, activation: 'sigmoid' },
    ],
    loss: 'squared-error',
    init: { kind: 'uniform', scale: 0.05 },
    seed: 1,
  });
  const created = performance.now();
  let seed = 1;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const inputs = Float32Array.from({ length: examples * 960 }, random);
  const targets = Float32Array.from({ length: examples * 4 }, (_, i) => (i % 4 === 0 ? 0.9 : 0.1));
  const options = { epochs: 1, batchSize, optimizer: { kind: 'sgd', learningRate: 0.3, momentum: 0.3 } };
  // Wall time, and the CPU time of the whole process (every thread: Dawn's, SwiftShader's), which other
  // processes on a loaded machine disturb less.
  const fitMs = async () => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await net.fit({ inputs, targets }, options);
    const cpu = process.cpuUsage(cpuStart);
    return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
  };
  const first = await fitMs();
  const steady = [];
  for (let i = 0; i < steadyFits; i++) steady.push(await fitMs());
  engine.dispose();
  console.log(
    JSON.stringify({
      createMs: created - startup,
      firstMs: first.wall,
      steadyMs: median(steady.map((s) => s.wall)),
      firstCpuMs: first.cpu,
      steadyCpuMs: median(steady.map((s) => s.cpu)),
    }),
  );
}

const [mode, arg, flag] = process.argv.slice(2);
if (mode === '--child') {
  await child(Number(arg), flag === '--pipelines');
} else {
  const runs = Number(mode ?? 3) || 3;
  const timePipelines = process.argv.includes('--pipelines');
  const script = fileURLToPath(import.meta.url);
  for (const batchSize of [1, 32]) {
    const results = [];
    for (let run = 0; run < runs; run++) {
      const output = execFileSync(
        process.execPath,
        [script, '--child', String(batchSize), ...(timePipelines ? ['--pipelines'] : [])],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      results.push(JSON.parse(output.trim().split('\n').pop()));
    }
    const of = (key) => median(results.map((r) => r[key]));
    const ratios = (first, steady) => results.map((r) => (r[first] / r[steady]).toFixed(1)).join(', ');
    console.log(
      `batch ${batchSize}: engine+network ${of('createMs').toFixed(0)} ms; ` +
        `wall: first fit ${of('firstMs').toFixed(0)} ms, steady ${of('steadyMs').toFixed(1)} ms, ` +
        `first/steady ${(of('firstMs') / of('steadyMs')).toFixed(1)}x (runs: ${ratios('firstMs', 'steadyMs')}); ` +
        `CPU: first ${of('firstCpuMs').toFixed(0)} ms, steady ${of('steadyCpuMs').toFixed(1)} ms, ` +
        `first/steady ${(of('firstCpuMs') / of('steadyCpuMs')).toFixed(1)}x (runs: ${ratios('firstCpuMs', 'steadyCpuMs')})`,
    );
  }
}
