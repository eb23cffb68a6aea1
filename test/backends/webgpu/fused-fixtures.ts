// What the fused-kernel tests (per-example.test.ts, mini-batch.test.ts) and the parity test share: seeded
// parameters and examples, Mitchell's 960-3-4 network, adam's defaults, and the comparison of a WebGPU
// network's training with the CPU backend's (conformance.ts tolerance).

import { expect } from 'vitest';
import type { BackendNetwork, OptimizerSpec } from '../../../src/backends/backend.js';
import type { Random } from '../../../src/model/random.js';
import type { LayerParams, NetworkSpec } from '../../../src/model/spec.js';
import { expectClose } from '../conformance.js';

export const faces: NetworkSpec = {
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
};

export const adam: Extract<OptimizerSpec, { kind: 'adam' | 'adamw' }> = {
  kind: 'adam',
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
};

/** Weights U(±1/√inputs), biases U(±biasLimit), drawn from `random` layer by layer. */
export function randomParams(spec: NetworkSpec, random: Random, biasLimit = 0.1): LayerParams[] {
  let inputs = spec.inputSize;
  return spec.layers.map(({ units }) => {
    const limit = 1 / Math.sqrt(inputs);
    const layer = {
      weights: Float32Array.from({ length: units * inputs }, () => random.uniform(-limit, limit)),
      biases: Float32Array.from({ length: units }, () => random.uniform(-biasLimit, biasLimit)),
    };
    inputs = units;
    return layer;
  });
}

/** Inputs U(0, 1); targets 0/1 for one output, 0.1/0.9 for several, one-hot for softmax cross-entropy. */
export function trainingExamples(
  spec: NetworkSpec,
  count: number,
  random: Random,
): { inputs: Float32Array; targets: Float32Array } {
  const outputs = spec.layers[spec.layers.length - 1].units;
  const inputs = Float32Array.from({ length: count * spec.inputSize }, () => random.uniform(0, 1));
  const targets = new Float32Array(count * outputs);
  for (let r = 0; r < count; r++) {
    if (outputs === 1) targets[r] = random.below(2);
    else for (let k = 0; k < outputs; k++) targets[r * outputs + k] = k === random.below(outputs) ? 0.9 : 0.1;
  }
  if (spec.loss === 'softmax-cross-entropy') {
    targets.fill(0);
    for (let r = 0; r < count; r++) targets[r * outputs + random.below(outputs)] = 1;
  }
  return { inputs, targets };
}

/** The candidate's parameters, optimizer step and slots equal the reference's (the CPU backend's). */
export async function expectSameState(
  [reference, candidate]: BackendNetwork[],
  steps: number,
): Promise<void> {
  const [referenceParams, candidateParams] = await Promise.all([
    reference.readParams(),
    candidate.readParams(),
  ]);
  candidateParams.forEach((layer, l) => {
    expectClose(layer.weights, referenceParams[l].weights, `weights ${l}`);
    expectClose(layer.biases, referenceParams[l].biases, `biases ${l}`);
  });
  const [stateCpu, stateGpu] = await Promise.all([
    reference.readOptimizerState(),
    candidate.readOptimizerState(),
  ]);
  expect(stateGpu.step).toBe(steps);
  expect(stateGpu.slots.length).toBe(stateCpu.slots.length);
  stateGpu.slots.forEach((slot, k) => {
    slot.forEach((layer, l) => {
      expectClose(layer.weights, stateCpu.slots[k][l].weights, `slot ${k} weights ${l}`);
      expectClose(layer.biases, stateCpu.slots[k][l].biases, `slot ${k} biases ${l}`);
    });
  });
}
