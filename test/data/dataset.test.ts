import { describe, expect, it } from 'vitest';
import { type Dataset, encodeTargets, splitDataset, subset } from '../../src/data/dataset.js';
import { MlpError } from '../../src/errors.js';

const tiny: Dataset = {
  inputs: Float32Array.of(0, 1, 10, 11, 20, 21, 30, 31),
  targets: encodeTargets(Uint32Array.of(0, 1, 1, 0), 2, 'one-hot'),
  count: 4,
  inputSize: 2,
  outputSize: 2,
  labels: Uint32Array.of(0, 1, 1, 0),
  classNames: ['a', 'b'],
  width: 2,
  height: 1,
  sources: ['r0', 'r1', 'r2', 'r3'],
};

describe('data sets', () => {
  it('encodes labels as 0.1/0.9 or one-hot rows', () => {
    expect([...encodeTargets(Uint32Array.of(2, 0), 3, 'one-hot')]).toEqual([0, 0, 1, 1, 0, 0]);
    expect([...encodeTargets(Uint32Array.of(1), 2, '0.1/0.9')]).toEqual([Math.fround(0.1), Math.fround(0.9)]);
  });

  it('takes subsets row by row', () => {
    const picked = subset(tiny, [3, 1]);
    expect([...picked.inputs]).toEqual([30, 31, 10, 11]);
    expect([...picked.targets]).toEqual([1, 0, 0, 1]);
    expect([...picked.labels]).toEqual([0, 1]);
    expect(picked.sources).toEqual(['r3', 'r1']);
    expect(picked.count).toBe(2);
  });

  it('splits into disjoint seeded train, validation and test sets', () => {
    const splits = splitDataset(tiny, { validation: 0.25, test: 0.25 }, 7);
    expect([splits.train.count, splits.validation.count, splits.test.count]).toEqual([2, 1, 1]);
    const all = [...splits.train.sources, ...splits.validation.sources, ...splits.test.sources];
    expect(all.sort()).toEqual(tiny.sources);
    expect(splitDataset(tiny, { validation: 0.25, test: 0.25 }, 7)).toEqual(splits);
    expect(() => splitDataset(tiny, { validation: 0.5, test: 0.5 }, 1)).toThrow(MlpError);
  });
});
