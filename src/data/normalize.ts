// Per-feature normalisation, fitted on the training set and applied unchanged to validation, test and
// prediction inputs (fitting on everything would leak the test set into training).

import { MlpError } from '../errors.js';

/**
 * - 'standard': (x − mean) / standard deviation, so each feature has mean 0 and variance 1;
 * - 'min-max': (x − min) / (max − min), so each feature spans [0, 1] on the training set.
 * A constant feature is only shifted (its scale is 1), never divided by 0.
 */
export type NormalizationKind = 'standard' | 'min-max';
export const normalizationKinds: readonly NormalizationKind[] = ['standard', 'min-max'];

/** x' = (x − offset[f]) / scale[f] for feature f. Plain numbers, so it can be saved with a model. */
export interface Normalization {
  kind: NormalizationKind;
  offset: number[];
  scale: number[];
}

export function fitNormalization(
  inputs: Float32Array,
  count: number,
  featureCount: number,
  kind: NormalizationKind = 'standard',
): Normalization {
  if (count < 1 || inputs.length !== count * featureCount) {
    throw new MlpError(
      'invalid-data',
      `cannot fit a normalisation: ${inputs.length} inputs for ${count} examples × ${featureCount} features`,
    );
  }
  const offset: number[] = [];
  const scale: number[] = [];
  for (let f = 0; f < featureCount; f++) {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < count; i++) {
      const x = inputs[i * featureCount + f];
      sum += x;
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    if (kind === 'min-max') {
      offset.push(min);
      scale.push(max > min ? max - min : 1);
    } else {
      const mean = sum / count;
      let squares = 0;
      for (let i = 0; i < count; i++) squares += (inputs[i * featureCount + f] - mean) ** 2;
      const deviation = Math.sqrt(squares / count);
      offset.push(mean);
      scale.push(deviation > 0 ? deviation : 1);
    }
  }
  return { kind, offset, scale };
}

/** A normalised copy of `inputs` (any number of rows of `normalization.offset.length` features). */
export function applyNormalization(normalization: Normalization, inputs: Float32Array): Float32Array {
  const featureCount = normalization.offset.length;
  if (inputs.length % featureCount !== 0) {
    throw new MlpError(
      'invalid-data',
      `inputs of length ${inputs.length} are not rows of the ${featureCount} features this normalisation was fitted on`,
    );
  }
  const out = new Float32Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const f = i % featureCount;
    out[i] = (inputs[i] - normalization.offset[f]) / normalization.scale[f];
  }
  return out;
}
