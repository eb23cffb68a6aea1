// What crosses between CPU and GPU (stats()), what stays alive, and what happens when the device goes.
// The dispatch counts of the batched step run on the device seen as a GPU adapter: on a CPU adapter these
// small networks train on the fused mini-batch kernel (one dispatch per call, mini-batch.test.ts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendNetwork, OptimizerSpec, StepOptions } from '../../../src/backends/backend.js';
import { type AcquiredDevice, webgpuEntryPoint } from '../../../src/backends/webgpu/device.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { NetworkSpec } from '../../../src/model/spec.js';
import { seenAsGpu, testDevice } from '../../helpers/gpu.js';

const spec: NetworkSpec = {
  inputSize: 9,
  layers: [
    { units: 8, activation: 'tanh' },
    { units: 5, activation: 'relu' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'softmax-cross-entropy',
};
const count = 40;
const batchSize = 4;
const options: StepOptions = {
  batchSize,
  learningRate: 0.1,
  l1: 0,
  l2: 0,
  decayBiases: false,
  dropout: [0.1, 0],
  dropoutSeed: 3,
};

function params() {
  const random = new Random(1);
  let inputs = spec.inputSize;
  return spec.layers.map(({ units }) => {
    const layer = {
      weights: Float32Array.from({ length: units * inputs }, () => random.uniform(-0.3, 0.3)),
      biases: new Float32Array(units),
    };
    inputs = units;
    return layer;
  });
}

function data() {
  const random = new Random(2);
  const inputs = Float32Array.from({ length: count * spec.inputSize }, () => random.uniform(-1, 1));
  const targets = new Float32Array(count * 3);
  for (let r = 0; r < count; r++) targets[r * 3 + random.below(3)] = 1;
  return { inputs, targets };
}

let gpu: WebGpuBackend;
/** the batched kernels at every batch size > 1 (seenAsGpu) */
let batched: WebGpuBackend;
let batchedDevice: AcquiredDevice;
beforeAll(async () => {
  gpu = await WebGpuBackend.create();
  batchedDevice = await testDevice();
  batched = await WebGpuBackend.create(seenAsGpu(batchedDevice.device), false);
});
afterAll(() => {
  gpu.dispose();
  batched.dispose();
  batchedDevice.device.destroy();
});

/** One epoch in two train() calls, then the metrics. */
async function epoch(
  net: BackendNetwork,
  dataset: ReturnType<BackendNetwork['upload']>,
  seed: number,
  stepOptions = options,
) {
  net.setOrder(dataset, new Random(seed).permutation(count));
  const batches = count / stepOptions.batchSize;
  net.train(dataset, 0, 1, stepOptions);
  net.train(dataset, 1, batches - 1, stepOptions);
  return net.takeTrainingMetrics();
}

describe('residency', () => {
  it('an epoch is one upload (the order) and one readback (the metrics); steps upload and read nothing', async () => {
    const net = batched.createNetwork(spec, params());
    try {
      const { inputs, targets } = data();
      const dataset = net.upload(inputs, targets, count);
      await epoch(net, dataset, 1); // the first epoch writes the training options once
      const start = net.stats();
      net.setOrder(dataset, new Random(9).permutation(count));
      const afterOrder = net.stats();
      expect(afterOrder.uploads - start.uploads).toBe(1);
      for (let batch = 0; batch < count / batchSize; batch += 2) net.train(dataset, batch, 2, options);
      const inside = net.stats();
      expect(inside.uploads, 'uploads inside the epoch').toBe(afterOrder.uploads);
      expect(inside.readbacks, 'readbacks inside the epoch').toBe(start.readbacks);
      // 3·L per step: 3 forward (layer 0 reads its rows through the order), loss, 2 hidden deltas,
      // 3 weight gradients with the optimizer step fused
      expect(inside.dispatches - afterOrder.dispatches).toBe((count / batchSize) * 3 * spec.layers.length);
      const metrics = await net.takeTrainingMetrics();
      expect(metrics.count).toBe(count);
      const end = net.stats();
      expect(end.readbacks - start.readbacks).toBe(1);
      expect(end.uploads - start.uploads).toBe(1);
    } finally {
      net.dispose();
    }
  });

  it('a batched step is exactly 3·L dispatches for every optimizer, with L1/L2 and dropout, at 1 to 3 layers', async () => {
    const optimizers: OptimizerSpec[] = [
      { kind: 'sgd', momentum: 0.9, nesterov: false },
      { kind: 'sgd', momentum: 0.9, nesterov: true },
      { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
      { kind: 'adamw', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 },
    ];
    const { inputs, targets } = data();
    for (const layerCount of [1, 2, 3]) {
      const layers = spec.layers.slice(spec.layers.length - layerCount);
      const shortSpec: NetworkSpec = { ...spec, layers };
      let fanIn = spec.inputSize;
      const shortParams = layers.map(({ units }) => {
        const layer = { weights: new Float32Array(units * fanIn).fill(0.1), biases: new Float32Array(units) };
        fanIn = units;
        return layer;
      });
      for (const optimizer of optimizers) {
        const net = batched.createNetwork(shortSpec, shortParams);
        try {
          net.setOptimizer(optimizer);
          const dataset = net.upload(inputs, targets, count);
          const stepOptions = {
            ...options,
            l1: 1e-4,
            l2: 1e-3,
            dropout: new Array(layerCount - 1).fill(0.2),
          };
          net.train(dataset, 0, 1, stepOptions);
          const before = net.stats();
          net.train(dataset, 1, 5, stepOptions);
          const after = net.stats();
          expect(after.dispatches - before.dispatches, `${optimizer.kind}, ${layerCount} layers`).toBe(
            5 * 3 * layerCount,
          );
          expect(after.uploads - before.uploads).toBe(0);
          expect((await net.takeTrainingMetrics()).finite).toBe(true);
        } finally {
          net.dispose();
        }
      }
    }
  });

  it('one train() call of many steps is few submissions, not one per step', async () => {
    const net = gpu.createNetwork(spec, params());
    try {
      const { inputs, targets } = data();
      const dataset = net.upload(inputs, targets, count);
      const before = net.stats();
      net.train(dataset, 0, count / batchSize, options);
      expect(net.stats().submits - before.submits).toBe(1);
    } finally {
      net.dispose();
    }
  });
});

describe('hygiene', () => {
  it('dispose() returns the live buffer count to where it started; 100 epochs do not grow it', async () => {
    const start = gpu.createNetwork(spec, params());
    const baseline = start.stats();
    start.dispose();
    const net = gpu.createNetwork(spec, params());
    const largeBatches = { ...options, batchSize: 20 };
    try {
      const { inputs, targets } = data();
      const dataset = net.upload(inputs, targets, count);
      await epoch(net, dataset, 0, largeBatches);
      await net.evaluate(dataset);
      const settled = net.stats();
      for (let e = 1; e <= 100; e++) {
        const metrics = await epoch(net, dataset, e, largeBatches);
        expect(metrics.finite).toBe(true);
        if (e % 10 === 0) await net.evaluate(dataset);
      }
      expect(net.stats().liveBuffers).toBe(settled.liveBuffers);
      expect(net.stats().liveBytes).toBe(settled.liveBytes);
      dataset.dispose();
    } finally {
      net.dispose();
    }
    const probe = gpu.createNetwork(spec, params());
    expect(probe.stats().liveBuffers).toBe(baseline.liveBuffers);
    expect(probe.stats().liveBytes).toBe(baseline.liveBytes);
    probe.dispose();
  });
});

describe('device loss and GPU errors', () => {
  let acquired: AcquiredDevice;
  beforeAll(async () => {
    acquired = await testDevice();
  });

  it('device.destroy() mid-training rejects with MlpError "device-lost", and later calls throw it', async () => {
    const backend = await WebGpuBackend.create(acquired.device);
    const net = backend.createNetwork(spec, params());
    const { inputs, targets } = data();
    const dataset = net.upload(inputs, targets, count);
    net.train(dataset, 0, 5, options);
    const pending = net.takeTrainingMetrics();
    acquired.device.destroy();
    await expect(pending).rejects.toMatchObject({ name: 'MlpError', code: 'device-lost' });
    await expect(net.readParams()).rejects.toMatchObject({ code: 'device-lost' });
    expect(() => net.train(dataset, 5, 1, options)).toThrow(/device was lost/);
    backend.dispose();
  });

  it('an uncaptured WebGPU error on the device rejects the next read with MlpError "gpu-error"', async () => {
    const { device } = await testDevice();
    const backend = await WebGpuBackend.create(device);
    const net = backend.createNetwork(spec, params());
    // An invalid buffer (MAP_READ with STORAGE) raises a validation error no error scope catches.
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(net.readParams()).rejects.toMatchObject({ code: 'gpu-error' });
    backend.dispose();
    device.destroy();
  });

  it('a device given by the caller is not destroyed by dispose()', async () => {
    const { device } = await testDevice();
    const backend = await WebGpuBackend.create(device);
    backend.createNetwork(spec, params());
    backend.dispose();
    let lost = false;
    device.lost.then(() => {
      lost = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lost).toBe(false);
    // still usable
    const buffer = device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE });
    buffer.destroy();
    device.destroy();
  });
});

describe('device limits', () => {
  it('a layer larger than one buffer binding is refused with MlpError "device-limit" naming layer and limit', async () => {
    const entry = await webgpuEntryPoint();
    const adapter = await entry?.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    const device = await adapter.requestDevice(); // default limits: 128 MiB per storage binding
    const backend = await WebGpuBackend.create(device);
    const before = backend.memory.counts();
    const huge: NetworkSpec = {
      inputSize: 100,
      layers: [
        { units: 50, activation: 'tanh' },
        { units: 6000, activation: 'tanh' },
        { units: 6000, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
    };
    expect(() => backend.createNetwork(huge, [])).toThrow(
      /layer 2 \(6000 units × 6000 inputs, weights and biases\) needs 144024000 bytes .* at most 134217728 bytes \(maxStorageBufferBindingSize/,
    );
    expect(() => backend.createNetwork(huge, [])).toThrow(expect.objectContaining({ code: 'device-limit' }));
    expect(backend.memory.counts()).toEqual(before);
    backend.dispose();
    device.destroy();
  });
});

describe('batch limits', () => {
  it('gradients() over more rows than one buffer binding holds is refused and leaves nothing behind', async () => {
    const entry = await webgpuEntryPoint();
    const adapter = await entry?.requestAdapter();
    if (!adapter) throw new Error('no adapter');
    const device = await adapter.requestDevice();
    const backend = await WebGpuBackend.create(device);
    const wide: NetworkSpec = {
      inputSize: 4,
      layers: [{ units: 1000, activation: 'linear' }],
      loss: 'squared-error',
    };
    const net = backend.createNetwork(wide, [
      { weights: new Float32Array(4000), biases: new Float32Array(1000) },
    ]);
    const before = backend.memory.counts();
    const rows = 40_000; // 40,000 × 1000 floats = 160 MB > 128 MiB
    await expect(
      net.gradients(new Float32Array(rows * 4), new Float32Array(rows * 1000), rows),
    ).rejects.toMatchObject({
      code: 'device-limit',
      message: expect.stringContaining('a batch of 40000 rows × 1000 values'),
    });
    expect(backend.memory.counts()).toEqual(before);
    backend.dispose();
    device.destroy();
  });
});
