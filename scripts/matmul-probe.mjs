// What a CPU adapter's matmul could reach: matmul.wgsl's forward product (as the backend runs it, either
// feed) against minimal kernels generated here that compute each invocation's R × C block of C = A·Wᵀ
// (A rows × depth, W columns × depth, both row-major: a layer's forward) with vec4 loads along the depth,
// no bounds tests (sizes are multiples of the tile) and a plain store. "plain" blocks read every operand
// line themselves; "subgroup" blocks (the `subgroups` feature, SwiftShader's 4-wide subgroups) read a
// quarter of A's lines per lane and share them with subgroupBroadcast. Checked against a float64 product,
// then timed: GFLOP/s of wall time and per CPU-second of the process (SwiftShader's threads are in it), the
// fastest of 3 timings. docs/webgpu-kernels.md "What a load costs on SwiftShader" gives the figures.
// Run after `npm run build`: node scripts/matmul-probe.mjs [n=512] [variant…]
//   variants: staged, direct, subgroup, texels (matmul.wgsl's feeds), plain:RxC, subgroup:RxC (R a multiple of 4); default: all below
import { createRequire } from 'node:module';
import { standaloneForward } from '../dist/src/backends/webgpu/matmul-feed.js';
import { compiledKernels } from '../dist/src/backends/webgpu/pipelines.js';
import { dawnFlags } from '../dist/src/node-platform.js';

const { create, globals } = createRequire(import.meta.url)('webgpu');
Object.assign(globalThis, globals);
// Kept referenced for the life of the process: a collected instance can end the process mid-run.
const gpu = create(dawnFlags);
const adapter = await gpu.requestAdapter();
const features = adapter.features.has('subgroups') ? ['subgroups'] : [];
const device = await adapter.requestDevice({ requiredFeatures: features });

const n = Number(process.argv[2] ?? 512);
const variants = process.argv.slice(3);
if (variants.length === 0)
  variants.push('staged', 'direct', 'subgroup', 'plain:8x8', 'plain:16x16', 'subgroup:8x8', 'subgroup:16x4');

const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) / 2);
const w = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i) / 2);

/** A kernel of R × C blocks, 4 × 16 invocations per workgroup (a subgroup: 4 lanes along the columns). */
function blockKernel(rows, columns, subgroup) {
  const lines = [];
  const line = (text) => lines.push(text);
  if (subgroup) line('enable subgroups;');
  line(`@group(0) @binding(0) var<storage, read> left: array<vec4f>;
@group(0) @binding(1) var<storage, read> right: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> product: array<f32>;
@compute @workgroup_size(4, 16)
fn main(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let row0 = (group.y * 16u + local.y) * ${rows}u;
  let column0 = (group.x * 4u + local.x) * ${columns}u;
  let vectors = ${n / 4}u;`);
  for (let j = 0; j < columns; j++) line(`  let b${j}Start = (column0 + ${j}u) * vectors;`);
  // subgroup: lane l reads rows 4q + l and shares them; plain: each invocation reads all its rows
  const aLines = subgroup ? rows / 4 : rows;
  for (let q = 0; q < aLines; q++)
    line(`  let a${q}Start = (row0 + ${subgroup ? `${4 * q}u + local.x` : `${q}u`}) * vectors;`);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) line(`  var c${i}_${j} = 0.0;`);
  line('  for (var k = 0u; k < vectors; k++) {');
  for (let j = 0; j < columns; j++) line(`    let b${j} = right[b${j}Start + k];`);
  for (let q = 0; q < aLines; q++) line(`    let a${q}Line = left[a${q}Start + k];`);
  for (let i = 0; i < rows; i++) {
    line(`    let a${i} = ${subgroup ? `subgroupBroadcast(a${i >> 2}Line, ${i & 3}u)` : `a${i}Line`};`);
  }
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) line(`    c${i}_${j} += dot(a${i}, b${j});`);
  line('  }');
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++)
      line(`  product[(row0 + ${i}u) * ${n}u + column0 + ${j}u] = c${i}_${j};`);
  }
  line('}');
  return lines.join('\n');
}

async function generated(variant) {
  const [kind, shape] = variant.split(':');
  const [rows, columns] = shape.split('x').map(Number);
  const subgroup = kind === 'subgroup';
  if (subgroup && !features.length) throw new Error('this adapter has no subgroups');
  if (n % (16 * rows) || n % (4 * columns) || (subgroup && rows % 4)) {
    throw new Error(
      `${variant}: n = ${n} must be a multiple of the workgroup's ${16 * rows} × ${4 * columns} tile`,
    );
  }
  const start = performance.now();
  const module = device.createShaderModule({ code: blockKernel(rows, columns, subgroup) });
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const compileMs = performance.now() - start;
  const storage = (data) => {
    const buffer = device.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  };
  const buffers = [storage(a), storage(w), storage(new Float32Array(n * n))];
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  return {
    compileMs,
    product: buffers[2],
    run(dispatches) {
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < dispatches; i++) pass.dispatchWorkgroups(n / (4 * columns), n / (16 * rows));
      pass.end();
      device.queue.submit([encoder.finish()]);
    },
    destroy() {
      for (const buffer of buffers) buffer.destroy();
    },
  };
}

async function ours(feed) {
  const forward = standaloneForward(device, { rows: n, columns: n, depth: n }, feed);
  device.queue.writeBuffer(forward.left, 0, a);
  device.queue.writeBuffer(forward.right, 0, w);
  const start = performance.now();
  await compiledKernels(forward.kernels);
  return {
    compileMs: performance.now() - start,
    product: forward.product,
    run: forward.run,
    destroy: forward.destroy,
  };
}

async function maxError(product) {
  const readable = device.createBuffer({
    size: n * n * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(product, 0, readable, 0, n * n * 4);
  device.queue.submit([encoder.finish()]);
  await readable.mapAsync(GPUMapMode.READ);
  const c = new Float32Array(readable.getMappedRange().slice(0));
  readable.destroy();
  let error = 0;
  for (let t = 0; t < 256; t++) {
    const row = (t * 37) % n;
    const column = (t * 91) % n;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += a[row * n + k] * w[column * n + k];
    error = Math.max(error, Math.abs(sum - c[row * n + column]));
  }
  return error;
}

for (const variant of variants) {
  const kernel = variant.includes(':') ? await generated(variant) : await ours(variant);
  const time = async (dispatches) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    kernel.run(dispatches);
    await device.queue.onSubmittedWorkDone();
    const used = process.cpuUsage(cpu);
    return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
  };
  await time(1);
  const error = await maxError(kernel.product);
  if (!(error < 1e-3 * n)) throw new Error(`${variant}: wrong product, max error ${error}`);
  let dispatches = 1;
  while ((await time(dispatches)).wall < 300) dispatches *= 2;
  const timings = [await time(dispatches), await time(dispatches), await time(dispatches)];
  const gflop = (2 * n ** 3 * dispatches) / 1e9;
  const wall = Math.min(...timings.map((t) => t.wall)) / 1000;
  const cpu = Math.min(...timings.map((t) => t.cpu)) / 1000;
  console.log(
    `${variant.padEnd(14)} n=${n}  compile ${kernel.compileMs.toFixed(0).padStart(4)} ms  ${(gflop / wall).toFixed(2)} GFLOP/s  ${(gflop / cpu).toFixed(2)} per CPU-second`,
  );
  kernel.destroy();
}
process.exit(0);
