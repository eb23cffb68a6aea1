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

  it('refuses labels outside the classes (which would mark a class in the next row) and bad arguments', () => {
    const attempts: [() => unknown, string, RegExp][] = [
      [
        () => encodeTargets(Uint32Array.of(0, 2), 2, 'one-hot'),
        'invalid-data',
        /labels\[1\] is 2; expected a class index from 0 to 1/,
      ],
      [
        () => encodeTargets([0, -1] as unknown as Uint32Array, 2, 'one-hot'),
        'invalid-data',
        /labels\[1\] is -1/,
      ],
      [
        () => encodeTargets([0.5] as unknown as Uint32Array, 2, '0.1/0.9'),
        'invalid-data',
        /labels\[0\] is 0.5/,
      ],
      [
        () => encodeTargets(Uint32Array.of(0), 0, 'one-hot'),
        'invalid-argument',
        /classCount 0 is not a positive integer/,
      ],
      [
        () => encodeTargets(Uint32Array.of(0), 2, 'binary' as never),
        'invalid-argument',
        /encoding "binary" is not one of/,
      ],
      [
        () => subset(tiny, [1, 4]),
        'invalid-argument',
        /subset: indices\[1\] is 4; expected an example index from 0 to 3/,
      ],
      [() => subset(tiny, [-1]), 'invalid-argument', /indices\[0\] is -1/],
    ];
    for (const [attempt, code, message] of attempts) {
      expect(attempt).toThrow(message);
      expect(attempt).toThrow(expect.objectContaining({ name: 'MlpError', code }));
    }
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
