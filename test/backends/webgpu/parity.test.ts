// Whole networks, GPU against the CPU backend: forward, gradients and 20 training steps, for every hidden
// activation × every output activation/loss pair, with 1 to 3 hidden layers (the depth cycles over the
// pairs, so every pair and every depth is covered). Tolerance: conformance.ts expectClose, relative 1e-4
// with a floor scaled to the array's largest element.

import { afterAll, beforeAll, describe, it } from 'vitest';
import type { StepOptions } from '../../../src/backends/backend.js';
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { Activation, Loss, NetworkSpec } from '../../../src/model/spec.js';
import { expectClose, expectCloseScalar } from '../conformance.js';
import { randomParams } from './fused-fixtures.js';

const hiddenActivations: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear'];
const outputs: { activation: Activation; loss: Loss; units: number }[] = [
  ...(['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear'] as const).map((activation) => ({
    activation,
    loss: 'squared-error' as const,
    units: 3,
  })),
  { activation: 'sigmoid', loss: 'binary-cross-entropy', units: 2 },
  { activation: 'softmax', loss: 'softmax-cross-entropy', units: 4 },
];

const steps = 20;
const batchSize = 4;

function examples(spec: NetworkSpec, count: number, random: Random) {
  const units = spec.layers[spec.layers.length - 1].units;
  const inputs = Float32Array.from({ length: count * spec.inputSize }, () => random.uniform(-1, 1));
  const targets = new Float32Array(count * units);
  for (let r = 0; r < count; r++) {
    if (spec.loss === 'softmax-cross-entropy') targets[r * units + random.below(units)] = 1;
    else for (let k = 0; k < units; k++) targets[r * units + k] = random.below(2) ? 0.9 : 0.1;
  }
  return { inputs, targets };
}

let gpu: WebGpuBackend;
const cpu = new CpuBackend();
beforeAll(async () => {
  gpu = await WebGpuBackend.create();
});
afterAll(() => gpu.dispose());

describe('GPU against CPU backend: forward, gradients, 20 training steps', () => {
  let pair = 0;
  for (const hidden of hiddenActivations) {
    for (const output of outputs) {
      const depth = 1 + (pair++ % 3);
      const name = `${depth} × ${hidden} hidden → ${output.activation}, ${output.loss}`;
      it(name, async () => {
        const random = new Random(pair * 7919 + depth);
        const spec: NetworkSpec = {
          inputSize: 5,
          layers: [
            ...Array.from({ length: depth }, (_, l) => ({ units: 6 + l, activation: hidden })),
            { units: output.units, activation: output.activation },
          ],
          loss: output.loss,
        };
        const params = randomParams(spec, random, 0.2);
        const data = examples(spec, steps * batchSize, random);
        const order = random.permutation(steps * batchSize);
        const options: StepOptions = {
          batchSize,
          learningRate: 0.05,
          l1: 0.001,
          l2: 0.01,
          decayBiases: false,
          dropout: spec.layers.slice(1).map(() => 0.2),
          dropoutSeed: 5,
        };
        const nets = [cpu.createNetwork(spec, params), gpu.createNetwork(spec, params)];
        try {
          const [reference, candidate] = nets;
          const probe = data.inputs.subarray(0, 7 * spec.inputSize);
          expectClose(
            await candidate.predict(probe, 7),
            await reference.predict(probe, 7),
            `${name}: outputs`,
          );
          const targets = data.targets.subarray(0, 7 * output.units);
          const [gradientsCpu, gradientsGpu] = await Promise.all(
            nets.map((n) => n.gradients(probe, targets, 7)),
          );
          gradientsGpu.forEach((layer, l) => {
            expectClose(layer.weights, gradientsCpu[l].weights, `${name}: gradient weights ${l}`);
            expectClose(layer.biases, gradientsCpu[l].biases, `${name}: gradient biases ${l}`);
          });
          const metrics = [];
          for (const net of nets) {
            net.setOptimizer({ kind: 'sgd', momentum: 0.9, nesterov: false });
            const dataset = net.upload(data.inputs, data.targets, steps * batchSize);
            net.setOrder(dataset, order);
            net.train(dataset, 0, steps, options);
            metrics.push(await net.takeTrainingMetrics());
          }
          expectCloseScalar(metrics[1].lossSum, metrics[0].lossSum, `${name}: training loss sum`);
          const [after, afterGpu] = await Promise.all(nets.map((n) => n.readParams()));
          afterGpu.forEach((layer, l) => {
            expectClose(layer.weights, after[l].weights, `${name}: trained weights ${l}`);
            expectClose(layer.biases, after[l].biases, `${name}: trained biases ${l}`);
          });
        } finally {
          for (const net of nets) net.dispose();
        }
      });
    }
  }
});
