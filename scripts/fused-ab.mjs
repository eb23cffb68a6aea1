// A/B of the fused mini-batch kernel through `net.fit` in one process, on webgpu: faces-b32 (960-3-4,
// batch 32, bench/core/networks.ts) trained by the fused kernel (mini-batch.wgsl, what a CPU adapter gets)
// and by the batched kernels (the same device seen as a GPU adapter, which keeps the batched path), and
// faces-b1 (per-example.wgsl), alternating, `rounds` fits of `epochs` epochs each; medians of examples
// per second of wall time, and per second of the process's CPU time (every thread: SwiftShader's), which
// other processes on a loaded machine disturb less.
// Run after `npm run build`: node scripts/fused-ab.mjs [rounds=7] [epochs=5]
import '../dist/src/node-platform.js';
import { benchNetworks, syntheticData } from '../dist/bench/core/networks.js';
import { webgpuEntryPoint } from '../dist/src/backends/webgpu/device.js';
import { createEngine } from '../dist/src/index.js';

const rounds = Number(process.argv[2] ?? 7) || 7;
const epochs = Number(process.argv[3] ?? 5) || 5;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const adapter = await (await webgpuEntryPoint()).requestAdapter();
const device = await adapter.requestDevice();
// The same device, reporting a GPU adapter: the backend then trains batch 32 with the batched kernels.
const asGpu = new Proxy(device, {
  get(target, key) {
    if (key === 'adapterInfo') return { vendor: 'ab-test', isFallbackAdapter: false, subgroupMinSize: 32 };
    const value = Reflect.get(target, key);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
const ownDevice = await createEngine({ backend: 'webgpu', quiet: true });
const seenAsGpu = await createEngine({ backend: 'webgpu', device: asGpu, quiet: true });

const configurations = [
  { name: 'faces-b32 fused', engine: ownDevice, network: benchNetworks['faces-b32'] },
  { name: 'faces-b32 batched', engine: seenAsGpu, network: benchNetworks['faces-b32'] },
  { name: 'faces-b1 per-example', engine: ownDevice, network: benchNetworks['faces-b1'] },
];
for (const c of configurations) {
  const data = syntheticData(c.network);
  c.data = { inputs: data.inputs, targets: data.targets };
  c.net = c.engine.createNetwork(c.network.spec);
  c.options = {
    epochs,
    batchSize: c.network.batchSize,
    optimizer: { kind: 'sgd', learningRate: c.network.learningRate, momentum: c.network.momentum },
  };
  const start = performance.now();
  await c.net.fit(c.data, { ...c.options, epochs: 1 });
  c.firstFitMs = performance.now() - start;
  c.rates = [];
  c.cpuRates = [];
}
for (let round = 0; round < rounds; round++) {
  for (const c of configurations) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await c.net.fit(c.data, c.options);
    const cpu = process.cpuUsage(cpuStart);
    c.rates.push((c.network.examples * epochs) / ((performance.now() - start) / 1000));
    c.cpuRates.push((c.network.examples * epochs) / ((cpu.user + cpu.system) / 1e6));
  }
}
const b1 = median(configurations[2].rates);
const b1Cpu = median(configurations[2].cpuRates);
for (const c of configurations) {
  const rate = median(c.rates);
  const cpuRate = median(c.cpuRates);
  console.log(
    `${c.name.padEnd(22)} ${rate.toFixed(0).padStart(7)} examples/s (median of ${rounds}), ` +
      `${(rate / b1).toFixed(2)}× faces-b1; per CPU second ${cpuRate.toFixed(0)}, ` +
      `${(cpuRate / b1Cpu).toFixed(2)}× faces-b1; first 1-epoch fit ${c.firstFitMs.toFixed(0)} ms`,
  );
}
ownDevice.dispose();
seenAsGpu.dispose();
device.destroy();
