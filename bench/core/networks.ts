// The benchmark's networks and their synthetic training sets. The names are part of the results-file
// format (bench/results/*.json): other tools read them, so keep them.

import type { OptimizerOptions } from '../../src/model/optimizer.js';
import { Random } from '../../src/model/random.js';
import type { NetworkSpec } from '../../src/model/spec.js';

export const benchNetworkNames = ['faces-b1', 'faces-b32', 'faces-wide', 'mnist', 'large'] as const;
export type BenchNetworkName = (typeof benchNetworkNames)[number];

/** The networks `--quick` runs. */
export const quickNetworkNames: readonly BenchNetworkName[] = ['faces-b1', 'faces-b32'];

export interface BenchNetwork {
  /** one of the benchmark's networks, or 'custom' for one a user set up (the demo's form) */
  name: BenchNetworkName | 'custom';
  /** one line for the table, e.g. "960-3-4 sigmoid, squared error, SGD η 0.3 α 0.3, batch 1" */
  description: string;
  spec: NetworkSpec;
  batchSize: number;
  /** SGD with classic momentum (lecture notes): v ← α·v − η·g; w ← w + v */
  learningRate: number;
  momentum: number;
  /**
   * Another optimizer, for a custom network: our engines train with it instead of SGD (learningRate,
   * momentum above); the reference engines train only the benchmark's networks, which leave it out.
   */
  optimizer?: OptimizerOptions;
  /** examples in the synthetic training set: one epoch */
  examples: number;
}

function facesNetwork(name: BenchNetworkName, hidden: number, batchSize: number): BenchNetwork {
  return {
    name,
    description: `960-${hidden}-4 sigmoid, squared error, SGD η 0.3 α 0.3, batch ${batchSize}`,
    spec: {
      inputSize: 960,
      layers: [
        { units: hidden, activation: 'sigmoid' },
        { units: 4, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
      init: { kind: 'uniform', scale: 0.05 },
      seed: 1,
    },
    batchSize,
    learningRate: 0.3,
    momentum: 0.3,
    // About the size of Mitchell's face-direction training set (277 images).
    examples: 256,
  };
}

function reluNetwork(
  name: BenchNetworkName,
  sizes: number[],
  batchSize: number,
  learningRate: number,
  examples: number,
): BenchNetwork {
  const [inputSize, ...units] = sizes;
  return {
    name,
    description: `${sizes.join('-')} ReLU, softmax cross-entropy, SGD η ${learningRate} α 0.9, batch ${batchSize}`,
    spec: {
      inputSize,
      layers: units.map((count, index) => ({
        units: count,
        activation: index === units.length - 1 ? 'softmax' : 'relu',
      })),
      loss: 'softmax-cross-entropy',
      init: { kind: 'he' },
      seed: 1,
    },
    batchSize,
    learningRate,
    momentum: 0.9,
    examples,
  };
}

export const benchNetworks: Record<BenchNetworkName, BenchNetwork> = {
  'faces-b1': facesNetwork('faces-b1', 3, 1),
  'faces-b32': facesNetwork('faces-b32', 3, 32),
  'faces-wide': facesNetwork('faces-wide', 64, 32),
  // mnist and large train on few examples so that an epoch, the unit in which our engines train (net.fit),
  // takes seconds, not minutes, on a CPU adapter; large at batch 64 so that TF.js's webgpu engine takes
  // about 30 s a step there, not 2 minutes (a full run must fit in about 20 minutes on 2 cores).
  mnist: reluNetwork('mnist', [784, 256, 256, 10], 128, 0.05, 512),
  large: reluNetwork('large', [2048, 2048, 2048, 10], 64, 0.01, 128),
};

/** A network of the user's, to measure on the user's data (`examples` of them) the way the benchmark's are. */
export function customNetwork(
  spec: NetworkSpec,
  batchSize: number,
  optimizer: OptimizerOptions,
  examples: number,
): BenchNetwork {
  const sizes = [spec.inputSize, ...spec.layers.map((layer) => layer.units)].join('-');
  const activations = [...new Set(spec.layers.map((layer) => layer.activation))].join('/');
  return {
    name: 'custom',
    description: `${sizes} ${activations}, ${spec.loss}, ${optimizer.kind} η ${optimizer.learningRate ?? 'default'}, batch ${batchSize}`,
    spec,
    batchSize,
    learningRate: optimizer.learningRate ?? 0,
    momentum: optimizer.kind === 'sgd' ? (optimizer.momentum ?? 0) : 0,
    optimizer,
    examples,
  };
}

/** Σ n_in·n_out over the layers: the multiply-adds of one example's forward pass (biases not counted). */
export function weightCount(spec: NetworkSpec): number {
  let inputs = spec.inputSize;
  let total = 0;
  for (const layer of spec.layers) {
    total += inputs * layer.units;
    inputs = layer.units;
  }
  return total;
}

/**
 * Floating-point operations of training on one example: forward, backward and gradient are one
 * multiply-add (2 flops) per weight each, so 6·Σ(n_in·n_out). A step on a batch of B costs B times this.
 */
export function flopsPerExample(spec: NetworkSpec): number {
  return 6 * weightCount(spec);
}

export interface SyntheticData {
  /** examples × inputSize, row-major, uniform in [0, 1) like scaled pixels */
  inputs: Float32Array;
  /** examples × outputs, row-major: one class per example, 0.1/0.9 for sigmoid outputs, 0/1 for softmax */
  targets: Float32Array;
  /** the class of each example */
  labels: Uint32Array;
  examples: number;
  inputSize: number;
  outputSize: number;
}

/** A seeded random training set of the network's shape. Speed does not depend on the values. */
export function syntheticData(network: BenchNetwork): SyntheticData {
  const { spec, examples } = network;
  const outputSize = spec.layers[spec.layers.length - 1].units;
  const random = new Random(spec.seed ?? 1);
  const inputs = new Float32Array(examples * spec.inputSize);
  for (let i = 0; i < inputs.length; i++) inputs[i] = random.next();
  const [low, high] = spec.loss === 'squared-error' ? [0.1, 0.9] : [0, 1];
  const targets = new Float32Array(examples * outputSize).fill(low);
  const labels = new Uint32Array(examples);
  for (let example = 0; example < examples; example++) {
    labels[example] = random.below(outputSize);
    targets[example * outputSize + labels[example]] = high;
  }
  return { inputs, targets, labels, examples, inputSize: spec.inputSize, outputSize };
}
