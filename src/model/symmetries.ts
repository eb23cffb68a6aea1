// The symmetries of parameter space (lecture notes): different weights that compute the same function, so
// a trained network is one of many equivalent minima. Permuting the units of a hidden layer (with their
// incoming and outgoing weights) never changes the outputs; for an odd activation (tanh, linear), negating
// one hidden unit's incoming weights, bias and outgoing weights does not either. H hidden units thus have
// H! (× 2^H for tanh) equivalent settings.

import { MlpError } from '../errors.js';
import type { LayerParams, NetworkSpec } from './spec.js';

function copyLayers(params: readonly LayerParams[]): LayerParams[] {
  return params.map(({ weights, biases }) => ({ weights: weights.slice(), biases: biases.slice() }));
}

function checkHiddenLayer(spec: NetworkSpec, params: readonly LayerParams[], layer: number): number {
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.layers.length - 1) {
    throw new MlpError(
      'invalid-argument',
      `layer: ${layer} is not a hidden layer; expected an integer from 0 to ${spec.layers.length - 2}`,
    );
  }
  if (params.length !== spec.layers.length) {
    throw new MlpError(
      'invalid-argument',
      `params: ${params.length} layers; the spec has ${spec.layers.length}`,
    );
  }
  return layer === 0 ? spec.inputSize : spec.layers[layer - 1].units;
}

/**
 * Weights of the same function with hidden layer `layer`'s units reordered: unit j of the result is unit
 * `permutation[j]` of `params`. Returns copies.
 */
export function permuteHiddenUnits(
  spec: NetworkSpec,
  params: readonly LayerParams[],
  layer: number,
  permutation: readonly number[],
): LayerParams[] {
  const inputs = checkHiddenLayer(spec, params, layer);
  const units = spec.layers[layer].units;
  const sorted = [...permutation].sort((a, b) => a - b);
  if (sorted.length !== units || sorted.some((unit, j) => unit !== j)) {
    throw new MlpError(
      'invalid-argument',
      `permutation: [${permutation.join(', ')}] is not a permutation of 0…${units - 1} (layer ${layer} has ${units} units)`,
    );
  }
  const result = copyLayers(params);
  const above = params[layer + 1];
  const aboveUnits = spec.layers[layer + 1].units;
  permutation.forEach((from, to) => {
    result[layer].weights.set(
      params[layer].weights.subarray(from * inputs, (from + 1) * inputs),
      to * inputs,
    );
    result[layer].biases[to] = params[layer].biases[from];
    for (let k = 0; k < aboveUnits; k++)
      result[layer + 1].weights[k * units + to] = above.weights[k * units + from];
  });
  return result;
}

/**
 * Weights of the same function with hidden unit `unit` of layer `layer` negated: its incoming weights,
 * bias and outgoing weights change sign. Only for odd activations (f(−z) = −f(z): tanh, linear).
 * Returns copies.
 */
export function flipHiddenUnit(
  spec: NetworkSpec,
  params: readonly LayerParams[],
  layer: number,
  unit: number,
): LayerParams[] {
  const inputs = checkHiddenLayer(spec, params, layer);
  const { units, activation } = spec.layers[layer];
  if (activation !== 'tanh' && activation !== 'linear') {
    throw new MlpError(
      'invalid-argument',
      `flipHiddenUnit: layer ${layer} is ${activation}; the sign flip is a symmetry only of odd activations (tanh, linear)`,
    );
  }
  if (!Number.isInteger(unit) || unit < 0 || unit >= units) {
    throw new MlpError(
      'invalid-argument',
      `unit: ${unit} is not a unit of layer ${layer}; expected 0 to ${units - 1}`,
    );
  }
  const result = copyLayers(params);
  for (let i = 0; i < inputs; i++) result[layer].weights[unit * inputs + i] *= -1;
  result[layer].biases[unit] *= -1;
  for (let k = 0; k < spec.layers[layer + 1].units; k++) result[layer + 1].weights[k * units + unit] *= -1;
  return result;
}
