// Pictures of what a network learned, as greyscale PNG files (fast-png, which runs in Node and browsers):
// Mitchell's picture of each hidden unit's input weights laid out as the input image, and a strip of the
// output units' weights from the hidden units.

import { encode } from 'fast-png';
import { MlpError } from '../errors.js';
import type { LayerParams } from '../model/spec.js';

/**
 * Grey levels for signed values: 0 is mid-grey, +range is white, −range is black (Mitchell's convention:
 * bright = large positive weight). Each value becomes a `pixelSize` × `pixelSize` square so the picture is
 * big enough to see.
 */
export function signedGreyPng(
  values: ArrayLike<number>,
  width: number,
  height: number,
  options: { range?: number; pixelSize?: number } = {},
): Uint8Array {
  if (values.length !== width * height) {
    throw new MlpError(
      'invalid-argument',
      `${values.length} values do not make a ${width}×${height} picture`,
    );
  }
  const pixelSize = options.pixelSize ?? 8;
  let range = options.range ?? 0;
  if (options.range === undefined)
    for (let i = 0; i < values.length; i++) range = Math.max(range, Math.abs(values[i]));
  const scale = range > 0 ? 127.5 / range : 0;
  const outWidth = width * pixelSize;
  const data = new Uint8Array(outWidth * height * pixelSize);
  for (let y = 0; y < height * pixelSize; y++) {
    for (let x = 0; x < outWidth; x++) {
      const value = values[Math.floor(y / pixelSize) * width + Math.floor(x / pixelSize)];
      data[y * outWidth + x] = Math.max(0, Math.min(255, Math.round(127.5 + value * scale)));
    }
  }
  return encode({ width: outWidth, height: height * pixelSize, data, depth: 8, channels: 1 });
}

export interface WeightPicture {
  /** a file name, e.g. "hidden-1.png" */
  name: string;
  png: Uint8Array;
}

/**
 * One picture per unit of the first hidden layer (its input weights as a `width` × `height` image, scaled by
 * that unit's largest |weight|), and `output-weights.png`: one row per output unit, one column per hidden
 * unit, then the bias, all on one scale.
 */
export function weightPictures(
  layers: readonly LayerParams[],
  width: number,
  height: number,
): WeightPicture[] {
  if (layers.length < 2) return [];
  const inputs = width * height;
  const first = layers[0];
  const units = first.biases.length;
  if (first.weights.length !== units * inputs) {
    throw new MlpError(
      'invalid-argument',
      `the first layer has ${first.weights.length / units} inputs, not ${width}×${height}`,
    );
  }
  const pictures: WeightPicture[] = [];
  for (let unit = 0; unit < units; unit++) {
    const row = first.weights.subarray(unit * inputs, (unit + 1) * inputs);
    pictures.push({ name: `hidden-${unit + 1}.png`, png: signedGreyPng(row, width, height) });
  }
  const output = layers[layers.length - 1];
  const outputs = output.biases.length;
  const fanIn = output.weights.length / outputs;
  const strip: number[] = [];
  for (let k = 0; k < outputs; k++)
    strip.push(...output.weights.subarray(k * fanIn, (k + 1) * fanIn), output.biases[k]);
  pictures.push({
    name: 'output-weights.png',
    png: signedGreyPng(strip, fanIn + 1, outputs, { pixelSize: 24 }),
  });
  return pictures;
}
