// The length checks both backends make on what crosses the backend contract, so that a wrong length reads
// the same whichever backend caught it.

import { MlpError } from '../errors.js';
import type { LayerParams, NetworkSpec } from '../model/spec.js';

export function checkLength(where: string, actual: number, expected: number, meaning: string): void {
  if (actual !== expected) {
    throw new MlpError('invalid-data', `${where}: expected length ${meaning} = ${expected}, got ${actual}`);
  }
}

/** Weights and biases of every layer of `spec`: weights units × inputs, biases units. */
export function checkLayerParams(spec: NetworkSpec, params: readonly LayerParams[], where: string): void {
  checkLength(where, params.length, spec.layers.length, 'number of layers');
  let inputs = spec.inputSize;
  spec.layers.forEach(({ units }, l) => {
    checkLength(
      `${where}[${l}].weights`,
      params[l].weights.length,
      units * inputs,
      `units × inputs = ${units} × ${inputs}`,
    );
    checkLength(`${where}[${l}].biases`, params[l].biases.length, units, 'units');
    inputs = units;
  });
}

/** `count` examples of `spec`'s inputs and outputs, row-major. */
export function checkExampleLengths(
  spec: NetworkSpec,
  inputs: Float32Array,
  targets: Float32Array,
  count: number,
): void {
  const { inputSize } = spec;
  const outputSize = spec.layers[spec.layers.length - 1].units;
  checkLength('inputs', inputs.length, count * inputSize, `count × inputSize = ${count} × ${inputSize}`);
  checkLength('targets', targets.length, count * outputSize, `count × outputs = ${count} × ${outputSize}`);
}
