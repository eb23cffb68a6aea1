// A labelled data set in the shape the trainer takes: inputs and targets as flat row-major arrays, plus
// what the examples mean (class names, image shape, where each example came from).

import { MlpError } from '../errors.js';
import { Random } from '../model/random.js';

export interface Dataset {
  /** count × inputSize, row-major */
  inputs: Float32Array;
  /** count × outputSize, row-major: the encoded labels (see TargetEncoding) */
  targets: Float32Array;
  count: number;
  inputSize: number;
  outputSize: number;
  /** the class index of each example, in [0, classNames.length) */
  labels: Uint32Array;
  classNames: string[];
  /** the shape of one input as a picture (rows = height), for weight images; width × height = inputSize */
  width: number;
  height: number;
  /** where each example came from (file path, or "line N" of a CSV) */
  sources: string[];
}

/**
 * How class labels become output targets:
 * - '0.1/0.9': 0.9 for the class, 0.1 elsewhere (Mitchell's targets for sigmoid outputs, which never reach 0 or 1);
 * - 'one-hot': 1 for the class, 0 elsewhere (for softmax outputs and cross-entropy).
 */
export type TargetEncoding = '0.1/0.9' | 'one-hot';
export const targetEncodings: readonly TargetEncoding[] = ['0.1/0.9', 'one-hot'];

export function encodeTargets(
  labels: Uint32Array,
  classCount: number,
  encoding: TargetEncoding,
): Float32Array {
  if (!Number.isInteger(classCount) || classCount < 1) {
    throw new MlpError(
      'invalid-argument',
      `encodeTargets: classCount ${classCount} is not a positive integer`,
    );
  }
  if (!targetEncodings.includes(encoding)) {
    throw new MlpError(
      'invalid-argument',
      `encodeTargets: encoding ${JSON.stringify(encoding)} is not one of ${targetEncodings.join(', ')}`,
    );
  }
  // Checked first: a label out of range would otherwise mark a class in the next example's row.
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new MlpError(
        'invalid-data',
        `labels[${i}] is ${label}; expected a class index from 0 to ${classCount - 1}`,
      );
    }
  }
  const [low, high] = encoding === '0.1/0.9' ? [0.1, 0.9] : [0, 1];
  const targets = new Float32Array(labels.length * classCount).fill(low);
  for (let i = 0; i < labels.length; i++) targets[i * classCount + labels[i]] = high;
  return targets;
}

/** The examples at `indices`, in that order. */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const { inputSize, outputSize } = dataset;
  const count = indices.length;
  for (let k = 0; k < count; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= dataset.count) {
      throw new MlpError(
        'invalid-argument',
        `subset: indices[${k}] is ${i}; expected an example index from 0 to ${dataset.count - 1}`,
      );
    }
  }
  const inputs = new Float32Array(count * inputSize);
  const targets = new Float32Array(count * outputSize);
  const labels = new Uint32Array(count);
  const sources: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = indices[k];
    inputs.set(dataset.inputs.subarray(i * inputSize, (i + 1) * inputSize), k * inputSize);
    targets.set(dataset.targets.subarray(i * outputSize, (i + 1) * outputSize), k * outputSize);
    labels[k] = dataset.labels[i];
    sources.push(dataset.sources[i]);
  }
  return { ...dataset, inputs, targets, labels, count, sources };
}

export interface Splits {
  train: Dataset;
  validation: Dataset;
  test: Dataset;
}

/**
 * Shuffles the examples with `seed` and cuts them into train, validation and test sets; the fractions are
 * of the whole set, and train gets the rest.
 */
export function splitDataset(
  dataset: Dataset,
  fractions: { validation: number; test: number },
  seed: number,
): Splits {
  const { validation, test } = fractions;
  if (!(validation >= 0 && test >= 0 && validation + test < 1)) {
    throw new MlpError(
      'invalid-argument',
      `split fractions must be ≥ 0 with validation + test < 1; got validation ${validation}, test ${test}`,
    );
  }
  const order = new Random(seed).permutation(dataset.count);
  const validationCount = Math.round(dataset.count * validation);
  const testCount = Math.round(dataset.count * test);
  return {
    test: subset(dataset, order.subarray(0, testCount)),
    validation: subset(dataset, order.subarray(testCount, testCount + validationCount)),
    train: subset(dataset, order.subarray(testCount + validationCount)),
  };
}
