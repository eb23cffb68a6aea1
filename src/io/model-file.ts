// The save format of net.save(), Network.load() and checkpoints: one JSON object, so it goes into a
// file, localStorage, a postMessage or an HTTP body alike.
//
//   {
//     "format": "webgpu-mlp-model", "version": 2,
//     "spec": { inputSize, layers: [{ units, activation }…], loss, init, seed },
//     "epoch": epochs trained so far,
//     "optimizer": { kind, learningRate, …hyperparameters, "step": optimizer steps taken } | null,
//     "float32": base64 of little-endian IEEE-754 float32 values, in this order:
//         for each layer l: weights (units × inputs, row-major: w_ji at j·inputs + i), then biases (units);
//         then for each optimizer slot k (sgd: velocity; adam/adamw: m, then s), the same layout again,
//     "best": early stopping's best-so-far | null:
//         { "epoch", "loss" (the watched loss at that epoch), "watched" (which data it was measured on),
//           "float32"?: the weights after that epoch, laid out as above; absent when they are the
//           model's own weights }
//   }
//
// Version 1 is version 2 without "best"; both are read. Reading checks every field and the exact float
// count before allocating, so a malformed or lying file is MlpError('invalid-file') saying what was wrong,
// never a crash or an absurd allocation.

import { MlpError } from '../errors.js';
import {
  type OptimizerConfig,
  type OptimizerState,
  resolveOptimizer,
  slotCount,
} from '../model/optimizer.js';
import type { LayerParams } from '../model/spec.js';
import { type ValidatedSpec, validateSpec } from '../model/validate.js';

export const modelFormat = 'webgpu-mlp-model';
export const modelFormatVersion = 2;
/** Versions this code reads: 1 (before early stopping's best-so-far was saved) and 2. */
const readableVersions = [1, 2];

export interface SavedModel {
  format: typeof modelFormat;
  version: typeof modelFormatVersion;
  spec: ValidatedSpec;
  epoch: number;
  optimizer: (OptimizerConfig & { step: number }) | null;
  float32: string;
  best: { epoch: number; loss: number; watched: string; float32?: string } | null;
}

/**
 * Early stopping's best-so-far: the epoch with the lowest watched loss (validation loss, or training loss
 * without validation) since training began or early stopping last restored weights, and its weights.
 */
export interface BestSoFar {
  epoch: number;
  loss: number;
  /** which data the loss was measured on (see watchedData in train/fit.ts): a loss on other data is not comparable */
  watched: string;
  params: LayerParams[];
}

/** What a saved model holds, decoded. */
export interface ModelContents {
  spec: ValidatedSpec;
  epoch: number;
  params: LayerParams[];
  optimizer?: { config: OptimizerConfig; state: OptimizerState };
  best?: BestSoFar;
}

function parameterCount(spec: ValidatedSpec): number {
  let inputs = spec.inputSize;
  let total = 0;
  for (const { units } of spec.layers) {
    total += units * inputs + units;
    inputs = units;
  }
  return total;
}

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const chunk = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    text += base64Alphabet[chunk >> 18] + base64Alphabet[(chunk >> 12) & 63];
    text += i + 1 < bytes.length ? base64Alphabet[(chunk >> 6) & 63] : '=';
    text += i + 2 < bytes.length ? base64Alphabet[chunk & 63] : '=';
  }
  return text;
}

/** Decodes exactly `byteLength` bytes of padded base64 (the file's `field`), or explains why it cannot. */
function fromBase64(text: string, byteLength: number, source: string, field: string): Uint8Array {
  const expectedChars = Math.ceil(byteLength / 3) * 4;
  if (text.length !== expectedChars) {
    throw new MlpError(
      'invalid-file',
      `${source}: ${field} holds ${text.length} base64 characters; ${field === 'float32' ? 'the spec and optimizer need' : 'the spec needs'} ${byteLength} bytes = ${expectedChars} characters`,
    );
  }
  const bytes = new Uint8Array(byteLength);
  const sextet = (i: number): number => {
    const value = base64Alphabet.indexOf(text[i]);
    if (value < 0 && !(text[i] === '=' && i >= text.length - 2)) {
      throw new MlpError(
        'invalid-file',
        `${source}: ${field} has ${JSON.stringify(text[i])} at ${i}; expected base64`,
      );
    }
    return Math.max(value, 0);
  };
  for (let i = 0, b = 0; i < text.length; i += 4) {
    const chunk = (sextet(i) << 18) | (sextet(i + 1) << 12) | (sextet(i + 2) << 6) | sextet(i + 3);
    if (b < byteLength) bytes[b++] = chunk >> 16;
    if (b < byteLength) bytes[b++] = (chunk >> 8) & 255;
    if (b < byteLength) bytes[b++] = chunk & 255;
  }
  return bytes;
}

/** Base64 of the little-endian float32 values of `groups`, each layer's weights then biases. */
/** `field` names the groups in errors: a file with a non-finite value would be refused by load, so none is written. */
function encodeFloats(groups: LayerParams[][], field: string): string {
  const values = groups.flatMap((layers) => layers.flatMap(({ weights, biases }) => [weights, biases]));
  const view = new DataView(new ArrayBuffer(values.reduce((sum, array) => sum + array.length, 0) * 4));
  let offset = 0;
  for (const array of values) {
    for (const value of array) {
      if (!Number.isFinite(value)) {
        throw new MlpError(
          'non-finite',
          `save: ${field} float ${offset / 4} is ${value}; a model file holds finite values only (load would refuse it)`,
        );
      }
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  return toBase64(new Uint8Array(view.buffer));
}

function sameParams(a: LayerParams[], b: LayerParams[]): boolean {
  const same = (x: Float32Array, y: Float32Array) =>
    x.length === y.length && x.every((value, i) => Object.is(value, y[i]));
  return a.every((layer, l) => same(layer.weights, b[l].weights) && same(layer.biases, b[l].biases));
}

/** The saved form of a network: see the layout at the top of this file. */
export function encodeModel(contents: ModelContents): SavedModel {
  const { optimizer, best } = contents;
  return {
    format: modelFormat,
    version: modelFormatVersion,
    spec: contents.spec,
    epoch: contents.epoch,
    optimizer: optimizer ? { ...optimizer.config, step: optimizer.state.step } : null,
    float32: encodeFloats([contents.params, ...(optimizer?.state.slots ?? [])], 'float32'),
    best: best
      ? {
          epoch: best.epoch,
          loss: best.loss,
          watched: best.watched,
          ...(sameParams(best.params, contents.params)
            ? {}
            : { float32: encodeFloats([best.params], 'best.float32') }),
        }
      : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Re-raises an option/spec error from inside a file as 'invalid-file', naming the file. */
function asFileError<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof MlpError)
      throw new MlpError('invalid-file', `${source}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * Reads a saved model (the object, or its JSON text). `source` names it in errors (a file path, or
 * "saved model"). Throws MlpError('invalid-file') for anything malformed.
 */
export function decodeModel(saved: unknown, source = 'saved model'): ModelContents {
  let value = saved;
  if (typeof saved === 'string') {
    try {
      value = JSON.parse(saved);
    } catch (error) {
      throw new MlpError('invalid-file', `${source}: not valid JSON (${String(error)})`, { cause: error });
    }
  }
  if (!isRecord(value) || value.format !== modelFormat) {
    throw new MlpError(
      'invalid-file',
      `${source}: not a webgpu-mlp model (expected "format": "${modelFormat}")`,
    );
  }
  if (!readableVersions.includes(value.version as number)) {
    throw new MlpError(
      'invalid-file',
      `${source}: format version ${String(value.version)}; this version of webgpu-mlp reads versions ${readableVersions.join(' and ')}`,
    );
  }
  const spec = asFileError(source, () => validateSpec(value.spec));
  const epoch = value.epoch;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0) {
    throw new MlpError('invalid-file', `${source}: epoch ${String(epoch)} is not a non-negative integer`);
  }
  let optimizer: { config: OptimizerConfig; step: number } | undefined;
  if (value.optimizer !== null && value.optimizer !== undefined) {
    if (!isRecord(value.optimizer)) {
      throw new MlpError('invalid-file', `${source}: optimizer is not an object or null`);
    }
    const { step, ...config } = value.optimizer;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) {
      throw new MlpError(
        'invalid-file',
        `${source}: optimizer.step ${String(step)} is not a non-negative integer`,
      );
    }
    optimizer = { config: asFileError(source, () => resolveOptimizer(config, undefined)), step };
  }
  const groups = 1 + (optimizer ? slotCount(optimizer.config.kind) : 0);
  const floats = decodeFloats(spec, groups, value.float32, 'float32', source);
  const contents: ModelContents = { spec, epoch, params: floats[0] };
  if (optimizer) {
    contents.optimizer = {
      config: optimizer.config,
      state: { step: optimizer.step, slots: floats.slice(1) },
    };
  }
  if (value.version !== 1 && value.best !== null) contents.best = decodeBest(value.best, contents, source);
  return contents;
}

/** `groups` sets of parameters in the layout of `spec`, from base64 `text` (the field `field`). */
function decodeFloats(
  spec: ValidatedSpec,
  groups: number,
  text: unknown,
  field: string,
  source: string,
): LayerParams[][] {
  if (typeof text !== 'string')
    throw new MlpError('invalid-file', `${source}: ${field} is not a base64 string`);
  const view = new DataView(fromBase64(text, parameterCount(spec) * groups * 4, source, field).buffer);
  let offset = 0;
  const take = (length: number): Float32Array => {
    const array = new Float32Array(length);
    for (let i = 0; i < length; i++, offset += 4) {
      array[i] = view.getFloat32(offset, true);
      if (!Number.isFinite(array[i])) {
        throw new MlpError(
          'invalid-file',
          `${source}: ${field} float ${offset / 4} is ${array[i]}; expected finite values`,
        );
      }
    }
    return array;
  };
  const readLayers = (): LayerParams[] => {
    let inputs = spec.inputSize;
    return spec.layers.map(({ units }) => {
      const layer = { weights: take(units * inputs), biases: take(units) };
      inputs = units;
      return layer;
    });
  };
  return Array.from({ length: groups }, readLayers);
}

function decodeBest(best: unknown, contents: ModelContents, source: string): BestSoFar {
  if (!isRecord(best)) throw new MlpError('invalid-file', `${source}: best is not an object or null`);
  const { epoch, loss, watched } = best;
  if (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 1 || epoch > contents.epoch) {
    throw new MlpError(
      'invalid-file',
      `${source}: best.epoch ${String(epoch)} is not an epoch from 1 to the model's epoch ${contents.epoch}`,
    );
  }
  if (typeof loss !== 'number' || !Number.isFinite(loss)) {
    throw new MlpError('invalid-file', `${source}: best.loss ${String(loss)} is not a finite number`);
  }
  if (typeof watched !== 'string') {
    throw new MlpError('invalid-file', `${source}: best.watched ${String(watched)} is not a string`);
  }
  const params =
    best.float32 === undefined
      ? contents.params
      : decodeFloats(contents.spec, 1, best.float32, 'best.float32', source)[0];
  return { epoch, loss, watched, params };
}
