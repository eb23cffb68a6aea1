// Polled against awaited readbacks in Node (src/backends/webgpu/readback-wait.ts), in one process,
// alternating: one long dispatch (both of SwiftShader's worker threads busy for about half a second), then
// `net.fit` on the benchmark's networks named on the command line. For the dispatch: wall time, and the CPU
// time of the main thread and of SwiftShader's workers (threads named Thread<NN>; Linux only); for fit:
// examples/s. Medians of `rounds`; on a shared machine read the ratios.
// Run after `npm run build`: node scripts/readback-wait.mjs [rounds=5] [network…]
import '../dist/src/node-platform.js';
import { readdirSync, readFileSync } from 'node:fs';
import { benchNetworks, syntheticData } from '../dist/bench/core/networks.js';
import { acquireDevice } from '../dist/src/backends/webgpu/device.js';
import { mapForReading } from '../dist/src/backends/webgpu/readback-wait.js';
import { createEngine } from '../dist/src/index.js';
import { nodePlatform } from '../dist/src/platform.js';

const rounds = Number(process.argv[2] ?? 5) || 5;
const networks = process.argv.slice(3);
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const modes = (round) => (round % 2 ? ['polled', 'awaited'] : ['awaited', 'polled']);

/** CPU milliseconds so far of the main thread and of SwiftShader's workers. */
function threadTimes() {
  const times = { main: 0, workers: 0 };
  for (const task of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    if (task === String(process.pid)) times.main += ms;
    else if (readFileSync(`/proc/self/task/${task}/comm`, 'utf8').startsWith('Thread<')) times.workers += ms;
  }
  return times;
}

const { device } = await acquireDevice();
const code = `@group(0) @binding(0) var<storage, read_write> data: array<f32>;
@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id: vec3u) {
  var s = 0.0;
  for (var i = 0u; i < 30000000u; i++) { s = s * 0.999 + f32(i); }
  data[id.x] = s;
}`;
const pipeline = device.createComputePipeline({
  layout: 'auto',
  compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
});
const storage = device.createBuffer({ size: 32, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const bindGroup = device.createBindGroup({
  layout: pipeline.getBindGroupLayout(0),
  entries: [{ binding: 0, resource: { buffer: storage } }],
});
const dispatch = { awaited: [], polled: [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of modes(round)) {
    const readable = device.createBuffer({
      size: 32,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    // two workgroups: one per worker thread on 2 cores
    pass.dispatchWorkgroups(2);
    pass.end();
    encoder.copyBufferToBuffer(storage, 0, readable, 0, 32);
    const before = threadTimes();
    const start = performance.now();
    device.queue.submit([encoder.finish()]);
    await mapForReading(readable, mode === 'polled');
    const wall = performance.now() - start;
    const after = threadTimes();
    dispatch[mode].push({ wall, main: after.main - before.main, workers: after.workers - before.workers });
    readable.destroy();
  }
}
for (const mode of ['awaited', 'polled']) {
  const field = (name) => median(dispatch[mode].map((run) => run[name])).toFixed(0);
  console.log(
    `dispatch, ${mode}: wall ${field('wall')} ms, main thread ${field('main')} ms of CPU, workers ${field('workers')} ms`,
  );
}
device.destroy();

if (networks.length > 0) {
  const engine = await createEngine({ backend: 'webgpu' });
  const platform = nodePlatform();
  for (const name of networks) {
    const bench = benchNetworks[name];
    const { inputs, targets } = syntheticData(bench);
    const data = { inputs, targets };
    const net = engine.createNetwork(bench.spec);
    const optimizer = { kind: 'sgd', learningRate: bench.learningRate, momentum: bench.momentum };
    const options = { epochs: 4, batchSize: bench.batchSize, optimizer };
    await net.fit(data, { ...options, epochs: 1 });
    const rates = { awaited: [], polled: [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of modes(round)) {
        Object.defineProperty(platform, 'pendingPromisesSpin', {
          value: mode === 'polled',
          configurable: true,
        });
        const start = performance.now();
        await net.fit(data, options);
        rates[mode].push((options.epochs * bench.examples) / ((performance.now() - start) / 1000));
      }
    }
    const polled = median(rates.polled);
    const awaited = median(rates.awaited);
    console.log(
      `${name} net.fit: awaited ${awaited.toFixed(0)} examples/s, polled ${polled.toFixed(0)}, ` +
        `polled ÷ awaited ${(polled / awaited).toFixed(2)}`,
    );
    net.dispose();
  }
}
process.exit(0);
