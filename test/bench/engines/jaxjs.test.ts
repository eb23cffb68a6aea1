// jax-js as a reference engine: its jitted step (forward, gradient, momentum update) trains, on its Wasm
// and WebGPU devices, a network too small to take long; the epoch loss must fall as it learns.
import '../../../src/node-platform.js';
import { describe, expect, it } from 'vitest';
import { type BenchNetwork, benchNetworks, syntheticData } from '../../../bench/core/networks.js';
import { jaxjsEngine } from '../../../bench/engines/jaxjs.js';

describe('the jax-js engines', () => {
  // 960-3-4 on 64 examples at batch 16: 4 steps an epoch.
  const faces = { ...benchNetworks['faces-b32'], batchSize: 16, examples: 64 };
  // mnist's kind of network, shrunk (64-32-10 ReLU and softmax) so WebGPU compiles it fast: 2 steps an epoch.
  const { mnist } = benchNetworks;
  const relu: BenchNetwork = {
    ...mnist,
    spec: {
      ...mnist.spec,
      inputSize: 64,
      layers: [
        { units: 32, activation: 'relu' },
        { units: 10, activation: 'softmax' },
      ],
    },
    examples: 64,
    batchSize: 32,
  };

  for (const name of ['jaxjs-wasm', 'jaxjs-webgpu'] as const) {
    it(`${name} trains with SGD and momentum: the epoch loss falls`, { timeout: 120_000 }, async () => {
      const engine = await jaxjsEngine(name);
      expect(engine.versions['@jax-js/jax']).toMatch(/^\d+\.\d+\.\d+/);
      for (const network of [faces, relu]) {
        const training = await engine.prepare(network, syntheticData(network));
        const stepsPerEpoch = network.examples / network.batchSize;
        await training.train(20 * stepsPerEpoch);
        const losses = training.epochLosses;
        await training.dispose();
        expect(losses).toHaveLength(20);
        expect(losses.every(Number.isFinite)).toBe(true);
        expect(losses[19]).toBeLessThan(0.9 * losses[0]);
      }
    });
  }
});
