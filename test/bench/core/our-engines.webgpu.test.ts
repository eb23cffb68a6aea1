// Our webgpu engine in the benchmark: its transfers are counted over one whole epoch, checked against the
// backend's own counters around a hand-driven epoch of the same network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureNetwork } from '../../../bench/core/measure.js';
import { benchNetworks, syntheticData } from '../../../bench/core/networks.js';
import { backendEngine } from '../../../bench/core/our-engines.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { initParams } from '../../../src/model/init.js';
import { validateSpec } from '../../../src/model/validate.js';
import { testDevice } from '../../helpers/gpu.js';

describe('our webgpu engine in the benchmark', () => {
  let backend: WebGpuBackend;
  beforeAll(async () => {
    backend = await WebGpuBackend.create((await testDevice()).device);
  });
  afterAll(() => backend?.dispose());

  it('counts dispatches per step and one readback and one upload per epoch, over a whole epoch', async () => {
    const network = { ...benchNetworks['faces-b32'], examples: 128 }; // 4 steps per epoch
    const data = syntheticData(network);
    const [record] = await measureNetwork(network, data, [backendEngine(backend, {})], {
      runSeconds: 0.2,
      runs: 3,
    });

    // The same epoch driven by hand, after a first epoch that pays the one-time uploads.
    const spec = validateSpec(network.spec);
    const net = backend.createNetwork(spec, initParams(spec));
    const dataset = net.upload(data.inputs, data.targets, data.examples);
    const options = {
      batchSize: 32,
      learningRate: 0.3,
      l1: 0,
      l2: 0,
      decayBiases: false,
      dropout: [0],
      dropoutSeed: 1,
    };
    net.setOptimizer({ kind: 'sgd', momentum: 0.3, nesterov: false });
    const order = Uint32Array.from({ length: 128 }, (_, i) => i);
    const epoch = async () => {
      net.setOrder(dataset, order);
      net.train(dataset, 0, 4, options);
      await net.takeTrainingMetrics();
    };
    await epoch();
    const before = net.stats();
    await epoch();
    const after = net.stats();
    dataset.dispose();
    net.dispose();

    expect(record.countedOver).toBe('one epoch');
    expect(record.readbacksPerEpoch).toBe(1);
    expect(record.uploadsPerEpoch).toBe(1);
    expect(record.dispatchesPerStep).toBe((after.dispatches - before.dispatches) / 4);
    expect(record.dispatchesPerStep).toBeGreaterThan(0);
  });
});
