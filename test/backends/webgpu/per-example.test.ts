// The fused per-example SGD kernel (shaders/per-example.wgsl), used for batch size 1 on small networks:
// same numbers as the CPU backend (conformance.ts tolerance: relative 1e-4, floor scaled to the array's
// largest element), and far fewer dispatches than steps.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OptimizerSpec, StepOptions } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';
import { perExampleFits } from '../../../src/backends/webgpu/per-example.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { LayerParams, NetworkSpec } from '../../../src/model/spec.js';
import { expectClose, expectCloseScalar } from '../conformance.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await WebGpuBackend.create();
});
afterAll(() => gpu.dispose());

function randomParams(spec: NetworkSpec, random: Random): LayerParams[] {
  let inputs = spec.inputSize;
  return spec.layers.map(({ units }) => {
    const limit = 1 / Math.sqrt(inputs);
    const layer = {
      weights: Float32Array.from({ length: units * inputs }, () => random.uniform(-limit, limit)),
      biases: Float32Array.from({ length: units }, () => random.uniform(-0.1, 0.1)),
    };
    inputs = units;
    return layer;
  });
}

const cases: {
  name: string;
  spec: NetworkSpec;
  optimizer: OptimizerSpec;
  dropout: number[];
  l2: number;
  /** examples = steps; over 256 takes two dispatches */
  count: number;
}[] = [
  {
    name: "Mitchell's 960-3-4 sigmoid, squared error, momentum 0.3",
    spec: {
      inputSize: 960,
      layers: [
        { units: 3, activation: 'sigmoid' },
        { units: 4, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
    },
    optimizer: { kind: 'sgd', momentum: 0.3, nesterov: false },
    dropout: [0],
    l2: 0,
    count: 300,
  },
  {
    name: '7-300-9-5 tanh/relu with dropout, nesterov, l1 + l2, softmax cross-entropy',
    spec: {
      inputSize: 7,
      layers: [
        { units: 300, activation: 'tanh' },
        { units: 9, activation: 'relu' },
        { units: 5, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true },
    dropout: [0.3, 0.2],
    l2: 0.01,
    count: 40,
  },
  {
    name: '5-4-1 leaky-relu, sigmoid with binary cross-entropy, plain sgd',
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
  },
];

describe('fused per-example SGD against the CPU backend', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const random = new Random(42);
      const { count } = c;
      const outputs = c.spec.layers[c.spec.layers.length - 1].units;
      const inputs = Float32Array.from({ length: count * c.spec.inputSize }, () => random.uniform(0, 1));
      const targets = new Float32Array(count * outputs);
      for (let r = 0; r < count; r++) {
        if (outputs === 1) targets[r] = random.below(2);
        else
          for (let k = 0; k < outputs; k++)
            targets[r * outputs + k] = k === random.below(outputs) ? 0.9 : 0.1;
      }
      if (c.spec.loss === 'softmax-cross-entropy') {
        targets.fill(0);
        for (let r = 0; r < count; r++) targets[r * outputs + random.below(outputs)] = 1;
      }
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
      const backend = gpu;
      expect(perExampleFits(backend.device, c.spec)).toBe(true);
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
          if (net === nets[1]) {
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
        const [reference, candidate] = await Promise.all(nets.map((n) => n.readParams()));
        candidate.forEach((layer, l) => {
          expectClose(layer.weights, reference[l].weights, `weights ${l}`);
          expectClose(layer.biases, reference[l].biases, `biases ${l}`);
        });
        const [stateCpu, stateGpu] = await Promise.all(nets.map((n) => n.readOptimizerState()));
        expect(stateGpu.step).toBe(count);
        expectClose(stateGpu.slots[0][0].weights, stateCpu.slots[0][0].weights, 'velocity');
      } finally {
        for (const net of nets) net.dispose();
      }
    });
  }

  it('is not used for networks beyond workgroup memory (784-256-256-10)', () => {
    const spec: NetworkSpec = {
      inputSize: 784,
      layers: [
        { units: 256, activation: 'relu' },
        { units: 256, activation: 'relu' },
        { units: 10, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    };
    expect(perExampleFits(gpu.device, spec)).toBe(false);
  });
});
