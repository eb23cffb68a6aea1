// brain.js's CPU NeuralNetwork, which many JavaScript users pick for small networks. It trains per example
// only (no mini-batches), with one activation for every layer and squared error, so it runs each network
// at batch 1, and the ReLU/softmax networks only approximately (ReLU throughout, squared error).
//
// brain.js 1.6.1 (npm's `latest`) is used because its gpu.js 1.x dependency is pure JavaScript; brain.js
// 2.0 betas take gpu.js 2.x as a peer, which needs the native `gl` package: that builds with node-gyp
// or downloads a prebuilt binary from GitHub at install time, and neither works here.

import brain from 'brain.js';
import type { BenchEngine, PreparedTraining } from '../core/measure.js';
import type { BenchNetwork, SyntheticData } from '../core/networks.js';
import { packageVersions } from './versions.js';

interface Example {
  input: number[];
  output: number[];
}

function prepare(network: BenchNetwork, data: SyntheticData): PreparedTraining {
  const { spec } = network;
  const exact = spec.loss === 'squared-error' && spec.layers.every((layer) => layer.activation === 'sigmoid');
  const notes = [
    ...(network.batchSize === 1 ? [] : ['batch 1: brain.js trains per example only']),
    ...(exact ? [] : ['ReLU in every layer and squared error: brain.js has no softmax']),
  ];
  const net = new brain.NeuralNetwork({
    hiddenLayers: spec.layers.slice(0, -1).map((layer) => layer.units),
    activation: exact ? 'sigmoid' : 'relu',
  });
  // brain.js treats anything that is not a plain Array as a keyed object: give it plain arrays.
  const examples: Example[] = [];
  for (let example = 0; example < data.examples; example++) {
    examples.push({
      input: Array.from(data.inputs.subarray(example * data.inputSize, (example + 1) * data.inputSize)),
      output: Array.from(data.targets.subarray(example * data.outputSize, (example + 1) * data.outputSize)),
    });
  }
  const options = {
    learningRate: network.learningRate,
    momentum: network.momentum,
    errorThresh: 1e-12, // never stop early (brain.js requires a value in (0, 1))
    log: false,
  };
  let position = 0;
  return {
    batch: 1,
    note: notes.length > 0 ? notes.join('; ') : undefined,
    async train(steps) {
      // Whole epochs through train() (its usual use, which also computes the epoch's error), and the
      // part-epochs at either end through train() on a slice.
      let remaining = steps;
      while (remaining > 0) {
        if (position === 0 && remaining >= examples.length) {
          const epochs = Math.floor(remaining / examples.length);
          net.train(examples, { ...options, iterations: epochs });
          remaining -= epochs * examples.length;
        } else {
          const count = Math.min(remaining, examples.length - position);
          net.train(examples.slice(position, position + count), { ...options, iterations: 1 });
          position = (position + count) % examples.length;
          remaining -= count;
        }
      }
    },
    dispose() {},
  };
}

export function brainjsEngine(): BenchEngine {
  return {
    name: 'brainjs',
    adapter: 'cpu (JavaScript)',
    versions: packageVersions('brain.js'),
    unsupported(network) {
      // Per example, faces-b32 would repeat faces-b1's measurement exactly.
      return network.name === 'faces-b32' ? 'trains per example only: see faces-b1' : undefined;
    },
    async prepare(network, data) {
      return prepare(network, data);
    },
    dispose() {},
  };
}
