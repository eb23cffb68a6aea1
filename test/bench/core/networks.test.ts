import { describe, expect, it } from 'vitest';
import { benchNetworks, flopsPerExample, syntheticData, weightCount } from '../../../bench/core/networks.js';

describe('bench networks', () => {
  it('counts 6·Σ(n_in·n_out) flops per example', () => {
    expect(weightCount(benchNetworks['faces-b1'].spec)).toBe(960 * 3 + 3 * 4);
    expect(flopsPerExample(benchNetworks.mnist.spec)).toBe(6 * (784 * 256 + 256 * 256 + 256 * 10));
    expect(flopsPerExample(benchNetworks.large.spec)).toBe(6 * (2048 * 2048 * 2 + 2048 * 10));
  });

  it('defines the networks of the issue', () => {
    expect(benchNetworks['faces-b32'].batchSize).toBe(32);
    expect(benchNetworks['faces-wide'].spec.layers.map((layer) => layer.units)).toEqual([64, 4]);
    expect(benchNetworks.mnist.spec.layers.map((layer) => layer.activation)).toEqual([
      'relu',
      'relu',
      'softmax',
    ]);
    expect(benchNetworks.large.batchSize).toBe(64);
  });

  it('makes one-hot targets, 0.1/0.9 for squared error and 0/1 for softmax', () => {
    const faces = syntheticData(benchNetworks['faces-b1']);
    expect(faces.inputs.length).toBe(faces.examples * 960);
    for (let example = 0; example < faces.examples; example++) {
      const row = Array.from(faces.targets.subarray(example * 4, example * 4 + 4));
      expect(row.filter((value) => Math.fround(value) === Math.fround(0.1))).toHaveLength(3);
      expect(Math.fround(row[faces.labels[example]])).toBe(Math.fround(0.9));
    }
    const mnist = syntheticData(benchNetworks.mnist);
    const sums = Array.from({ length: mnist.examples }, (_, example) =>
      mnist.targets.subarray(example * 10, example * 10 + 10).reduce((sum, value) => sum + value, 0),
    );
    expect(new Set(sums)).toEqual(new Set([1]));
    expect(new Set(mnist.labels).size).toBe(10);
  });
});
