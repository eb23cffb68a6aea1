// Sizes beyond the device's limits, through the public API (issue 8): on an engine over a device with
// WebGPU's default limits (128 MiB per storage binding, as an embedding app might pass in), createNetwork,
// fit, evaluate and predict refuse what does not fit with MlpError('device-limit') naming what and the
// limit, leave nothing behind on the GPU, and keep working. (An engine's own device takes
// the adapter's limits: 1 GiB per binding on SwiftShader, beyond what one test should allocate.)

import { afterAll, beforeAll, expect, it } from 'vitest';
import { webgpuEntryPoint } from '../../../src/backends/webgpu/device.js';
import { createEngine, type Engine } from '../../../src/engine.js';
import type { Network } from '../../../src/network.js';

const defaultBindingLimit = 134_217_728; // 128 MiB
let device: GPUDevice;
let engine: Engine;
/** A network that stays alive throughout: its stats() count the engine's live GPU buffers and bytes. */
let keeper: Network;
beforeAll(async () => {
  const adapter = await (await webgpuEntryPoint())?.requestAdapter();
  if (!adapter) throw new Error('This test needs WebGPU: no adapter');
  device = await adapter.requestDevice(); // default limits
  expect(device.limits.maxStorageBufferBindingSize).toBe(defaultBindingLimit);
  engine = await createEngine({ device });
  keeper = engine.createNetwork({
    inputSize: 2,
    layers: [{ units: 1, activation: 'sigmoid' }],
    loss: 'squared-error',
  });
});
afterAll(() => {
  engine.dispose();
  device.destroy();
});

const liveMemory = () => {
  const { liveBuffers, liveBytes } = keeper.stats();
  return { liveBuffers, liveBytes };
};

it('createNetwork: a layer whose weights exceed one binding is refused, naming the layer and the limit', () => {
  const before = liveMemory();
  // 5800 × 5800 float32 weights = 134,560,000 bytes, just over 128 MiB
  const attempt = () =>
    engine.createNetwork({
      inputSize: 10,
      layers: [
        { units: 5800, activation: 'relu' },
        { units: 5800, activation: 'linear' },
      ],
      loss: 'squared-error',
    });
  expect(attempt).toThrow(
    expect.objectContaining({
      name: 'MlpError',
      code: 'device-limit',
      message: expect.stringMatching(
        /^layer 1 \(5800 units × 5800 inputs[^)]*\) needs 13\d{7} bytes in one GPU buffer; this device binds at most 134217728 bytes/,
      ),
    }),
  );
  expect(engine.networkCount).toBe(1);
  expect(liveMemory()).toEqual(before);
});

it('fit, evaluate and predict: data beyond one binding are refused before anything is uploaded', async () => {
  const inputSize = 2 ** 20; // 4 MiB per example
  const net = engine.createNetwork({
    inputSize,
    layers: [{ units: 1, activation: 'sigmoid' }],
    loss: 'squared-error',
  });
  const before = liveMemory();
  const count = 33; // 33 × 4 MiB = 132 MiB
  const data = { inputs: new Float32Array(count * inputSize), targets: new Float32Array(count) };
  const tooLarge = {
    name: 'MlpError',
    code: 'device-limit',
    message: expect.stringContaining('this device binds at most 134217728 bytes'),
  };
  await expect(net.fit(data, { epochs: 1 })).rejects.toMatchObject({
    ...tooLarge,
    message: expect.stringMatching(/^a data set of 33 examples × 1048576 inputs needs 138412032 bytes/),
  });
  await expect(net.evaluate(data)).rejects.toMatchObject(tooLarge);
  await expect(net.predict(data.inputs)).rejects.toMatchObject({
    ...tooLarge,
    message: expect.stringMatching(/^a batch of 33 rows × 1048576 values/),
  });
  expect(liveMemory()).toEqual(before);
  // The network and the engine keep working. (Training on 4 MiB examples would be slow on SwiftShader:
  // one workgroup per output unit walks all 2^20 inputs.)
  expect((await net.getWeights())[0].weights).toHaveLength(inputSize);
  const xor = { inputs: [0, 0, 0, 1, 1, 0, 1, 1], targets: [0, 1, 1, 0] };
  const history = await keeper.fit(xor, { epochs: 2 });
  expect(history.epochs.every(({ loss }) => Number.isFinite(loss))).toBe(true);
  net.dispose();
});
