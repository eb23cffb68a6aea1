// How long the fused kernels take to compile, alone: per-example.wgsl (batch 1) and mini-batch.wgsl
// (batch 32) for 960-3-4 with sgd, with the constants the backend gives them on this adapter, each compiled
// `repeats` times on a fresh device with Dawn's flags of src/node-platform.ts (createComputePipeline, which
// compiles on the calling thread, so the process's CPU time is the compile's). Medians and minimums: on a
// shared machine the load moves single figures by ±30%. For a figure the load does not move, count
// SwiftShader's instructions with valgrind (one repeat, ~25 s):
//   valgrind --tool=callgrind --toggle-collect='*ComputePipeline::InitializeSpecialization*' \
//     node scripts/compile-probe.mjs 1 per-example        (then read "Collected" in its output)
// docs/webgpu-design.md "Pipeline compilation" gives the figures and what drives them.
// Run after `npm run build`: node scripts/compile-probe.mjs [repeats=5] [per-example|mini-batch]
import { createRequire } from 'node:module';
import { miniBatchKernelFor, miniBatchLayout } from '../dist/src/backends/webgpu/mini-batch.js';
import {
  perExampleDevice,
  perExampleKernelFor,
  perExampleLayout,
} from '../dist/src/backends/webgpu/per-example.js';
import { dawnFlags } from '../dist/src/node-platform.js';

const { create, globals } = createRequire(import.meta.url)('webgpu');
Object.assign(globalThis, globals);
const gpu = create(dawnFlags);

const repeats = Number(process.argv[2] ?? 5) || 5;
const only = process.argv[3];
const spec = {
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
};
const optimizer = { kind: 'sgd', momentum: 0.3, nesterov: false };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function freshDevice() {
  const adapter = await gpu.requestAdapter();
  const { maxComputeWorkgroupStorageSize } = adapter.limits;
  return adapter.requestDevice({ requiredLimits: { maxComputeWorkgroupStorageSize } });
}

const kernels = {
  'per-example': (device) => {
    const layout = perExampleLayout(
      device.limits,
      spec,
      optimizer,
      perExampleDevice(device.adapterInfo, false),
    );
    return layout && perExampleKernelFor(spec, optimizer, false, layout);
  },
  'mini-batch': (device) => {
    const layout = miniBatchLayout(device.adapterInfo, device.limits, spec, 32, false);
    return layout && miniBatchKernelFor(spec, optimizer, false, layout);
  },
};

for (const [name, kernelFor] of Object.entries(kernels)) {
  if (only && name !== only) continue;
  const wall = [];
  const cpu = [];
  for (let k = 0; k < repeats; k++) {
    const device = await freshDevice();
    const kernel = kernelFor(device);
    if (!kernel) {
      console.log(`${name}: not taken on this adapter`);
      break;
    }
    const module = device.createShaderModule({ code: kernel.family.source });
    const constants = Object.fromEntries(
      Object.entries(kernel.constants).map(([key, v]) => [key, Number(v)]),
    );
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'train', constants } });
    const used = process.cpuUsage(cpuStart);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
    device.destroy();
  }
  if (wall.length > 0) {
    console.log(
      `${name}: wall median ${median(wall).toFixed(0)} ms (min ${Math.min(...wall).toFixed(0)}), ` +
        `CPU median ${median(cpu).toFixed(0)} ms (min ${Math.min(...cpu).toFixed(0)}) of ${wall.length}`,
    );
  }
}
process.exit(0);
