// Losing the GPU device in the middle of fit: the fit rejects with MlpError('device-lost') (no hang), and
// the run resumes from its last checkpoint on the CPU and on a new GPU device. A file of its own: it
// destroys a device of the process.

import { expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import type { SavedModel } from '../../src/io/model-file.js';
import { Network } from '../../src/network.js';
import { testDevice } from '../helpers/gpu.js';

it('device.destroy() mid-epoch rejects fit with device-lost; training resumes on the CPU and on a new device from the last checkpoint', async () => {
  const { device } = await testDevice();
  const gpu = await createEngine({ device });
  const spec = {
    inputSize: 2,
    layers: [
      { units: 3, activation: 'tanh' as const },
      { units: 1, activation: 'sigmoid' as const },
    ],
    loss: 'squared-error' as const,
    seed: 2,
  };
  const xor = { inputs: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float32Array.of(0, 1, 1, 0) };
  const checkpoints: SavedModel[] = [];
  const net = gpu.createNetwork(spec);
  const error = await net
    .fit(xor, {
      epochs: 20,
      checkpointEvery: 2,
      onCheckpoint: (checkpoint) => void checkpoints.push(checkpoint),
      onBatchEnd: ({ epoch, batch }) => {
        if (epoch === 5 && batch === 2) device.destroy();
      },
    })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(MlpError);
  expect((error as MlpError).code).toBe('device-lost');
  expect((error as MlpError).message).toMatch(/lost|destroyed/i);
  expect(checkpoints.map(({ epoch }) => epoch)).toEqual([2, 4]);

  const cpu = await createEngine({ backend: 'cpu' });
  const uninterrupted = cpu.createNetwork(spec);
  await uninterrupted.fit(xor, { epochs: 20 });
  const expected = await uninterrupted.evaluate(xor);
  const newDevice = await createEngine({ backend: 'webgpu' });
  for (const engine of [cpu, newDevice]) {
    const resumed = Network.load(checkpoints[1], engine);
    await resumed.fit(xor, { epochs: 16 });
    const result = await resumed.evaluate(xor);
    expect(resumed.epoch).toBe(20);
    expect(result.accuracy, engine.backend).toBe(expected.accuracy);
    expect(Math.abs(result.loss - expected.loss), engine.backend).toBeLessThan(1e-4);
  }
  newDevice.dispose();
  cpu.dispose();
  gpu.dispose();
});
