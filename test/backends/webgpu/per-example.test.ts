// The fused per-example kernel (shaders/per-example.wgsl), used for batch size 1: same numbers as the CPU
// backend (conformance.ts tolerance: relative 1e-4, floor scaled to the array's largest element) with sgd,
// adam and adamw, for each place the weights and optimizer slots can live, and far fewer dispatches than
// steps. The GPU cases run on a device with the default 16 KiB of workgroup memory, so that the layout each
// case exercises does not depend on the adapter's own limit, and in both kernel configurations (CPU adapter:
// 4 invocations; GPU: 64), whatever the adapter, so each forward scheme of the kernel runs somewhere.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerSpec, StepOptions } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';
import { webgpuEntryPoint } from '../../../src/backends/webgpu/device.js';
import {
  type PerExampleDevice,
  type PerExampleLayout,
  perExampleDevice,
  perExampleLayout,
} from '../../../src/backends/webgpu/per-example.js';
import { usePerExampleWorkgroupSize } from '../../../src/backends/webgpu/per-example-workgroup.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { NetworkSpec } from '../../../src/model/spec.js';
import { expectCloseScalar } from '../conformance.js';
import { adam, expectSameState, faces, randomParams, trainingExamples } from './fused-fixtures.js';

// The kernel is configured from the adapter (perExampleDevice): one subgroup and weights in storage on CPU
// adapters, 64 invocations on GPUs. Both configurations run here: the device as it is, and the same device
// seen through a proxy that reports a GPU adapter.
const gpuAdapterInfo: Partial<GPUAdapterInfo> = {
  vendor: 'nvidia',
  isFallbackAdapter: false,
  subgroupMinSize: 32,
};
interface Target {
  backend: WebGpuBackend;
  device: GPUDevice;
  fused: PerExampleDevice;
}
const configurations: Record<'adapter' | 'gpu', Target> = {} as Record<'adapter' | 'gpu', Target>;
let device: GPUDevice;
beforeAll(async () => {
  const adapter = await (await webgpuEntryPoint())?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter for the per-example tests');
  device = await adapter.requestDevice();
  expect(device.limits.maxComputeWorkgroupStorageSize).toBe(16384);
  const asGpu = new Proxy(device, {
    get(target, key) {
      if (key === 'adapterInfo') return gpuAdapterInfo;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  // The device comes from the library's own Dawn instance (webgpuEntryPoint), which does not zero-initialise
  // workgroup memory: told so, the backend puts weights that fit there on this CPU adapter too.
  for (const [name, view] of [
    ['adapter', device],
    ['gpu', asGpu],
  ] as const) {
    const fused = perExampleDevice(view.adapterInfo, false);
    const backend = await WebGpuBackend.create(view, false);
    // The rule's size, whatever the backend measured (per-example-workgroup.test.ts tests the measurement).
    usePerExampleWorkgroupSize(view, fused.workgroupSize);
    configurations[name] = { backend, device: view, fused };
  }
  expect(configurations.gpu.fused).toEqual({
    workgroupSize: 64,
    storageWeights: false,
    workgroupWeights: true,
  });
});
afterAll(() => {
  for (const target of Object.values(configurations)) target.backend.dispose();
  device.destroy();
});

const cases: {
  name: string;
  spec: NetworkSpec;
  optimizer: OptimizerSpec;
  dropout: number[];
  l2: number;
  /** examples = steps; over 256 takes two dispatches */
  count: number;
  /** where the weights and slots live with 16 KiB of workgroup memory; undefined: the batched path */
  layout: (
    device: PerExampleDevice,
  ) => Pick<PerExampleLayout, 'weightsInWorkgroup' | 'slotsInWorkgroup'> | undefined;
}[] = [
  {
    name: "Mitchell's 960-3-4 sigmoid, squared error, momentum 0.3 (velocity in storage)",
    spec: faces,
    optimizer: { kind: 'sgd', momentum: 0.3, nesterov: false },
    dropout: [0],
    l2: 0,
    count: 300,
    layout: () => ({ weightsInWorkgroup: true, slotsInWorkgroup: false }),
  },
  {
    name: '7-120-9-5 tanh/relu with dropout, nesterov, l1 + l2, softmax cross-entropy',
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
    count: 40,
    layout: () => ({ weightsInWorkgroup: true, slotsInWorkgroup: false }),
  },
  {
    name: '5-4-1 leaky-relu, sigmoid with binary cross-entropy, plain sgd (all in workgroup memory)',
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
    count: 60,
    layout: () => ({ weightsInWorkgroup: true, slotsInWorkgroup: true }),
  },
  {
    name: '960-3-4 with adam (m and s in storage)',
    spec: faces,
    optimizer: adam,
    dropout: [0],
    l2: 0,
    count: 270,
    layout: () => ({ weightsInWorkgroup: true, slotsInWorkgroup: false }),
  },
  {
    name: '6-4-3 tanh/softmax with adamw, dropout, l1 + l2 on biases too (all in workgroup memory)',
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
    count: 50,
    layout: () => ({ weightsInWorkgroup: true, slotsInWorkgroup: true }),
  },
  {
    name: '100-100-10 sigmoid, momentum (weights beyond workgroup memory: in storage on CPU adapters)',
    spec: {
      inputSize: 100,
      layers: [
        { units: 100, activation: 'sigmoid' },
        { units: 10, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
    },
    optimizer: { kind: 'sgd', momentum: 0.5, nesterov: false },
    dropout: [0],
    l2: 0,
    count: 30,
    layout: (d) => (d.storageWeights ? { weightsInWorkgroup: false, slotsInWorkgroup: false } : undefined),
  },
];

describe.each([
  ['this adapter', 'adapter'],
  ['the GPU configuration (64 invocations) on this adapter', 'gpu'],
] as const)('fused per-example training against the CPU backend, %s', (_, targetName) => {
  for (const c of cases) {
    it(c.name, async () => {
      const { backend, device, fused } = configurations[targetName];
      const random = new Random(42);
      const { count } = c;
      const { inputs, targets } = trainingExamples(c.spec, count, random);
      const params = randomParams(c.spec, random);
      const order = random.permutation(count);
      const options: StepOptions = {
        batchSize: 1,
        learningRate: 0.05,
        l1: c.l2 / 10,
        l2: c.l2,
        decayBiases: c.l2 > 0,
        dropout: c.dropout,
        dropoutSeed: 77,
      };
      const layout = perExampleLayout(device.limits, c.spec, c.optimizer, fused);
      expect(
        layout && {
          weightsInWorkgroup: layout.weightsInWorkgroup,
          slotsInWorkgroup: layout.slotsInWorkgroup,
        },
      ).toEqual(c.layout(fused));
      const nets = [new CpuBackend().createNetwork(c.spec, params), backend.createNetwork(c.spec, params)];
      try {
        const metrics = [];
        for (const net of nets) {
          net.setOptimizer(c.optimizer);
          const dataset = net.upload(inputs, targets, count);
          net.setOrder(dataset, order);
          const before = net.stats();
          const first = Math.floor(count / 3);
          net.train(dataset, 0, first, options);
          net.train(dataset, first, count - first, options);
          if (net === nets[1] && layout) {
            // one dispatch per call and per 256 steps, nothing uploaded but the options, nothing read
            const after = net.stats();
            expect(after.dispatches - before.dispatches).toBe(1 + Math.ceil((count - first) / 256));
            expect(after.uploads - before.uploads).toBe(1); // the training options, once
            expect(after.readbacks - before.readbacks).toBe(0);
          }
          metrics.push(await net.takeTrainingMetrics());
        }
        expect(metrics[1].count).toBe(count);
        expect(metrics[1].correct).toBe(metrics[0].correct);
        expectCloseScalar(metrics[1].lossSum, metrics[0].lossSum, 'training loss sum');
        await expectSameState(nets, count);
      } finally {
        for (const net of nets) net.dispose();
      }
    });
  }
});

describe('perExampleLayout', () => {
  const sgd: OptimizerSpec = { kind: 'sgd', momentum: 0.3, nesterov: false };
  const swiftShaderInfo = { isFallbackAdapter: true, architecture: 'swiftshader', subgroupMinSize: 4 };
  // In Node, on the library's own Dawn (no zero-initialisation of workgroup memory).
  const swiftShader = perExampleDevice(swiftShaderInfo, false);
  const gpuAdapter = perExampleDevice(
    { isFallbackAdapter: false, vendor: 'nvidia', subgroupMinSize: 32 },
    true,
  );
  const mnist: NetworkSpec = {
    inputSize: 784,
    layers: [
      { units: 256, activation: 'relu' },
      { units: 256, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    loss: 'softmax-cross-entropy',
  };

  it('one subgroup and storage weights on CPU adapters; 64 invocations, workgroup weights only on GPUs', () => {
    expect(swiftShader).toEqual({ workgroupSize: 4, storageWeights: true, workgroupWeights: true });
    expect(gpuAdapter).toEqual({ workgroupSize: 64, storageWeights: false, workgroupWeights: true });
  });

  it('on a CPU adapter that zero-initialises workgroup memory (a browser), the weights stay in storage', () => {
    const browserSwiftShader = perExampleDevice(swiftShaderInfo, true);
    expect(browserSwiftShader).toEqual({ workgroupSize: 4, storageWeights: true, workgroupWeights: false });
    const limits = { maxComputeWorkgroupStorageSize: 16384 };
    expect(perExampleLayout(limits, faces, sgd, swiftShader)?.weightsInWorkgroup).toBe(true);
    expect(perExampleLayout(limits, faces, sgd, browserSwiftShader)).toEqual({
      workgroupSize: 4,
      weightsInWorkgroup: false,
      slotsInWorkgroup: false,
      partialCount: 16,
    });
  });

  it('960-3-4: weights in 16 KiB, velocity too in 32 KiB but not adam’s two slots', () => {
    const at = (bytes: number, optimizer: OptimizerSpec) =>
      perExampleLayout({ maxComputeWorkgroupStorageSize: bytes }, faces, optimizer, gpuAdapter);
    const layout = (weightsInWorkgroup: boolean, slotsInWorkgroup: boolean, partialCount: number) => ({
      workgroupSize: 64,
      weightsInWorkgroup,
      slotsInWorkgroup,
      partialCount,
    });
    // 3 × 7 units + 3 + 64 + 2,899 weights = 2,987 of 4,096 floats (the inputs are read from the data
    // set): room for wide partials (3 more per invocation), not for the velocity
    expect(at(16384, sgd)).toEqual(layout(true, false, 256));
    expect(at(32768, sgd)).toEqual(layout(true, true, 256));
    expect(at(32768, adam)).toEqual(layout(true, false, 256));
  });

  it('784-256-256-10: weights in storage on a CPU adapter, the batched path on a GPU', () => {
    const limits = { maxComputeWorkgroupStorageSize: 32768 };
    expect(perExampleLayout(limits, mnist, sgd, swiftShader)).toEqual({
      workgroupSize: 4,
      weightsInWorkgroup: false,
      slotsInWorkgroup: false,
      partialCount: 16,
    });
    expect(perExampleLayout(limits, mnist, sgd, gpuAdapter)).toBeUndefined();
  });

  it('not at all when the per-unit arrays do not fit, or beyond 8 layers', () => {
    const wide: NetworkSpec = { ...faces, layers: [{ units: 4000, activation: 'relu' }, faces.layers[1]] };
    expect(
      perExampleLayout({ maxComputeWorkgroupStorageSize: 32768 }, wide, sgd, swiftShader),
    ).toBeUndefined();
    const deep: NetworkSpec = {
      inputSize: 4,
      layers: Array.from({ length: 9 }, () => ({ units: 4, activation: 'relu' as const })),
      loss: 'squared-error',
    };
    expect(
      perExampleLayout({ maxComputeWorkgroupStorageSize: 32768 }, deep, sgd, swiftShader),
    ).toBeUndefined();
  });
});
