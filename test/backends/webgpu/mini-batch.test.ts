// The fused mini-batch kernel (shaders/mini-batch.wgsl), used for small networks at batch sizes > 1 on CPU
// adapters: same numbers as the CPU backend (conformance.ts tolerance: relative 1e-4, floor scaled to the
// array's largest element) with sgd (momentum, nesterov), adam and adamw, l1/l2, dropout, every activation
// and loss, short last batches, more steps than one dispatch takes, and a cursor moved between calls; and
// one dispatch per call and 256 steps where the batched path would dispatch ~3 kernels per layer and step.
// The device keeps the default 16 KiB of workgroup memory, so the layout chosen does not depend on the
// adapter's own limit. It must be a CPU adapter (SwiftShader here): on a GPU the batched path trains. The
// workgroup is one subgroup of the adapter; the same device seen as CPU adapters with subgroups of 1 and
// 16 runs the kernel at those sizes too (16: more invocations than blocks of 4 rows at batch 32). The
// adapter's own configuration is told that workgroup memory is not zero-initialised (the library's own
// Dawn), so weights that fit go there; the other two are told it is (a browser), so weights stay in storage.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerSpec, StepOptions } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';
import { webgpuEntryPoint } from '../../../src/backends/webgpu/device.js';
import { miniBatchLayout, miniBatchWorkgroupWords } from '../../../src/backends/webgpu/mini-batch.js';
import { maxStepsPerDispatch } from '../../../src/backends/webgpu/per-example.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { NetworkSpec } from '../../../src/model/spec.js';
import { withAdapterInfo } from '../../helpers/gpu.js';
import { expectCloseScalar } from '../conformance.js';
import { adam, expectSameState, faces, randomParams, trainingExamples } from './fused-fixtures.js';

let device: GPUDevice;
const configurations: Record<
  'adapter' | 'one' | 'sixteen',
  { device: GPUDevice; backend: WebGpuBackend; zeroed: boolean }
> = {} as never;
/** `device` as a CPU adapter with subgroups of `size`. */
function withSubgroups(size: number): GPUDevice {
  return withAdapterInfo(device, { isFallbackAdapter: true, architecture: 'test', subgroupMinSize: size });
}
beforeAll(async () => {
  const adapter = await (await webgpuEntryPoint())?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter for the mini-batch tests');
  device = await adapter.requestDevice();
  expect(device.limits.maxComputeWorkgroupStorageSize).toBe(16384);
  for (const [name, view, zeroed] of [
    ['adapter', device, false],
    ['one', withSubgroups(1), true],
    ['sixteen', withSubgroups(16), true],
  ] as const) {
    configurations[name] = { device: view, backend: await WebGpuBackend.create(view, zeroed), zeroed };
  }
});
afterAll(() => {
  for (const { backend } of Object.values(configurations)) backend.dispose();
  device.destroy();
});

const cases: {
  name: string;
  spec: NetworkSpec;
  optimizer: OptimizerSpec;
  dropout: number[];
  l2: number;
  count: number;
  batchSize: number;
  /** whether the weights go into workgroup memory where it is not zero-initialised (16 KiB of it) */
  workgroupWeights: boolean;
}[] = [
  {
    name: "Mitchell's 960-3-4 sigmoid, squared error, momentum 0.3, batch 32 (short last batch of 12)",
    spec: faces,
    optimizer: { kind: 'sgd', momentum: 0.3, nesterov: false },
    dropout: [0],
    l2: 0,
    count: 300,
    batchSize: 32,
    workgroupWeights: true,
  },
  {
    name: '960-3-4 with adam, batch 32',
    spec: faces,
    optimizer: adam,
    dropout: [0],
    l2: 0,
    count: 256,
    batchSize: 32,
    workgroupWeights: true,
  },
  {
    name: '7-120-9-5 tanh/relu with dropout, nesterov, l1 + l2, softmax cross-entropy, batch 8 (last 4)',
    spec: {
      inputSize: 7,
      layers: [
        { units: 120, activation: 'tanh' },
        { units: 9, activation: 'relu' },
        { units: 5, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true },
    dropout: [0.3, 0.2],
    l2: 0.01,
    count: 44,
    batchSize: 8,
    workgroupWeights: false,
  },
  {
    name: '5-4-1 leaky-relu, sigmoid with binary cross-entropy, plain sgd, batch 2: 265 steps, two dispatches',
    spec: {
      inputSize: 5,
      layers: [
        { units: 4, activation: 'leaky-relu' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binary-cross-entropy',
    },
    optimizer: { kind: 'sgd', momentum: 0, nesterov: false },
    dropout: [0],
    l2: 0,
    count: 530,
    batchSize: 2,
    workgroupWeights: true,
  },
  {
    name: '6-4-3 tanh/softmax with adamw, dropout, l1 + l2 on biases too, batch 5 (last 2)',
    spec: {
      inputSize: 6,
      layers: [
        { units: 4, activation: 'tanh' },
        { units: 3, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    optimizer: { ...adam, kind: 'adamw', weightDecay: 0.05 },
    dropout: [0.25],
    l2: 0.01,
    count: 52,
    batchSize: 5,
    workgroupWeights: true,
  },
  {
    name: '4-6-5-2 relu/sigmoid/linear regression, squared error, momentum 0.5, batch 3',
    spec: {
      inputSize: 4,
      layers: [
        { units: 6, activation: 'relu' },
        { units: 5, activation: 'sigmoid' },
        { units: 2, activation: 'linear' },
      ],
      loss: 'squared-error',
    },
    optimizer: { kind: 'sgd', momentum: 0.5, nesterov: false },
    dropout: [0, 0],
    l2: 0,
    count: 31,
    batchSize: 3,
    workgroupWeights: true,
  },
];

describe.each([
  ['this adapter', 'adapter', cases],
  ['subgroups of 1', 'one', cases.slice(0, 3)],
  ['subgroups of 16', 'sixteen', cases.slice(0, 3)],
] as const)('fused mini-batch training against the CPU backend, %s', (_, targetName, targetCases) => {
  for (const c of targetCases) {
    it(c.name, async () => {
      const { device, backend, zeroed } = configurations[targetName];
      const random = new Random(42);
      const { count, batchSize } = c;
      const { inputs, targets } = trainingExamples(c.spec, count, random);
      const params = randomParams(c.spec, random);
      const order = random.permutation(count);
      const options: StepOptions = {
        batchSize,
        learningRate: 0.05,
        l1: c.l2 / 10,
        l2: c.l2,
        decayBiases: c.l2 > 0,
        dropout: c.dropout,
        dropoutSeed: 77,
      };
      expect(miniBatchLayout(device.adapterInfo, device.limits, c.spec, batchSize, zeroed)).toEqual({
        workgroupSize: device.adapterInfo.subgroupMinSize,
        batchCapacity: batchSize,
        weightsInWorkgroup: c.workgroupWeights && !zeroed,
      });
      const batches = Math.ceil(count / batchSize);
      const first = Math.floor(batches / 3);
      const nets = [new CpuBackend().createNetwork(c.spec, params), backend.createNetwork(c.spec, params)];
      try {
        const metrics = [];
        for (const net of nets) {
          net.setOptimizer(c.optimizer);
          const dataset = net.upload(inputs, targets, count);
          net.setOrder(dataset, order);
          const before = net.stats();
          net.train(dataset, 0, first, options);
          net.train(dataset, first, batches - first, options);
          // resumed at batch 1: the device-side cursor moves back (an upload of it)
          net.train(dataset, 1, 2, options);
          if (net === nets[1]) {
            // one dispatch per call and per 256 steps, nothing uploaded but the options and the cursor
            const after = net.stats();
            expect(after.dispatches - before.dispatches).toBe(
              1 + Math.ceil((batches - first) / maxStepsPerDispatch) + 1,
            );
            expect(after.uploads - before.uploads).toBe(2);
            expect(after.readbacks - before.readbacks).toBe(0);
          }
          metrics.push(await net.takeTrainingMetrics());
        }
        const rowsOf = (batch: number) => Math.min(batchSize, count - batch * batchSize);
        expect(metrics[1].count).toBe(count + rowsOf(1) + rowsOf(2));
        expect(metrics[1].count).toBe(metrics[0].count);
        expect(metrics[1].correct).toBe(metrics[0].correct);
        expectCloseScalar(metrics[1].lossSum, metrics[0].lossSum, 'training loss sum');
        await expectSameState(nets, batches + 2);
      } finally {
        for (const net of nets) net.dispose();
      }
    });
  }
});

describe('miniBatchLayout', () => {
  const swiftShader = { isFallbackAdapter: true, architecture: 'swiftshader', subgroupMinSize: 4 };
  const limits = { maxComputeWorkgroupStorageSize: 16384 };

  it('960-3-4 at batch 32 on a CPU adapter: 752 words of rows and metrics, with the 2,899 weights 3,651 of 4,096', () => {
    const rows = { workgroupSize: 4, batchCapacity: 32, weightsInWorkgroup: false };
    const weights = { ...rows, weightsInWorkgroup: true };
    expect(miniBatchLayout(swiftShader, limits, faces, 32, true)).toEqual(rows);
    expect(miniBatchLayout(swiftShader, limits, faces, 32, false)).toEqual(weights);
    expect(miniBatchWorkgroupWords(faces, rows)).toBe(752);
    expect(miniBatchWorkgroupWords(faces, weights)).toBe(3651);
    // 51 rows (1,189 words) leave room for the weights (4,088 words), 52 (1,212) do not: storage
    expect(miniBatchLayout(swiftShader, limits, faces, 51, false)?.weightsInWorkgroup).toBe(true);
    expect(miniBatchLayout(swiftShader, limits, faces, 52, false)?.weightsInWorkgroup).toBe(false);
  });

  it('the batched path on a GPU, at batch size 1, and where rows or weights do not fit', () => {
    const gpu = { isFallbackAdapter: false, vendor: 'nvidia', subgroupMinSize: 32 };
    expect(miniBatchLayout(gpu, limits, faces, 32, false)).toBeUndefined();
    expect(miniBatchLayout(swiftShader, limits, faces, 1, false)).toBeUndefined();
    // rows × (2 × 7 units + 4 × 2 blocks + 1) + 16: 177 rows (4,087 words) fit, 178 (4,110) do not
    expect(miniBatchLayout(swiftShader, limits, faces, 177, false)).toBeDefined();
    expect(miniBatchLayout(swiftShader, limits, faces, 178, false)).toBeUndefined();
    // 1,500-3-4: 4,519 parameters, more than the 4,096 floats of workgroup memory
    const wider: NetworkSpec = { ...faces, inputSize: 1500 };
    expect(miniBatchLayout(swiftShader, limits, wider, 32, false)).toBeUndefined();
  });
});
