// Losing the GPU device in the middle of Network.fit (issue 8): the fit rejects with MlpError 'device-lost'
// saying so; it neither hangs nor leaves an unhandled rejection (vitest fails the run on those).

import { expect, it } from 'vitest';
import { createEngine } from '../../../src/engine.js';
import { testDevice } from '../../helpers/gpu.js';

it('device.destroy() during fit rejects the fit with MlpError "device-lost"', async () => {
  const { device } = await testDevice();
  const engine = await createEngine({ device });
  const net = engine.createNetwork({
    inputSize: 2,
    layers: [
      { units: 4, activation: 'tanh' },
      { units: 1, activation: 'sigmoid' },
    ],
    loss: 'binary-cross-entropy',
  });
  const data = { inputs: [0, 0, 0, 1, 1, 0, 1, 1], targets: [0, 1, 1, 0] };
  const epochsSeen: number[] = [];
  const fit = net.fit(data, {
    epochs: 1000,
    batchSize: 2,
    onEpochEnd: ({ epoch }) => {
      epochsSeen.push(epoch);
      if (epoch === 3) device.destroy();
    },
  });
  await expect(fit).rejects.toMatchObject({ name: 'MlpError', code: 'device-lost' });
  await expect(fit).rejects.toThrow(/device was lost/);
  expect(epochsSeen.length).toBeGreaterThanOrEqual(3);
  expect(epochsSeen.length).toBeLessThan(10);
  engine.dispose();
});
