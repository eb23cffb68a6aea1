// Data on the GPU: the caller's GPUBuffers of examples, in the layouts of the CPU arrays
// (row-major float32: inputs count × inputSize, targets count × outputs). What can be checked without a
// device is checked here (usage flags, sizes); the device itself is checked by the backend.

import { MlpError } from '../errors.js';

/** Examples in the caller's GPUBuffers, on the engine's device. See docs/embedding.md. */
export interface GpuData {
  /** count × inputSize float32, row-major */
  inputs: GPUBuffer;
  /** count × outputs float32, row-major: needed by fit and evaluate, not by predict */
  targets?: GPUBuffer;
  count: number;
}

/** One layer's parameters inside a live GPUBuffer: weights [units, inputs] row-major, then biases [units]. */
export interface LayerParameterBuffer {
  buffer: GPUBuffer;
  /** byte offset of w_00 */
  weightsOffset: number;
  /** byte offset of b_0 */
  biasesOffset: number;
  units: number;
  inputs: number;
}

/** The network's live parameter buffers: read-only for the caller, valid until dispose(). */
export interface ParameterBuffers {
  /** changes whenever training or setWeights changes the parameters */
  version: number;
  layers: LayerParameterBuffer[];
}

/** GPUBufferUsage's flags by name (the WebGPU spec's values), so this file needs no WebGPU globals. */
export const bufferUsage = {
  MAP_READ: 0x1,
  MAP_WRITE: 0x2,
  COPY_SRC: 0x4,
  COPY_DST: 0x8,
  INDEX: 0x10,
  VERTEX: 0x20,
  UNIFORM: 0x40,
  STORAGE: 0x80,
  INDIRECT: 0x100,
  QUERY_RESOLVE: 0x200,
} as const;

export type BufferUsageName = keyof typeof bufferUsage;

/** A GPUBuffer, recognised by shape: Dawn in Node has no GPUBuffer class on globalThis. */
export function isGpuBuffer(value: unknown): value is GPUBuffer {
  if (typeof value !== 'object' || value === null) return false;
  const buffer = value as Partial<GPUBuffer>;
  return (
    typeof buffer.size === 'number' &&
    typeof buffer.usage === 'number' &&
    typeof buffer.mapAsync === 'function' &&
    typeof buffer.destroy === 'function'
  );
}

/** `{ inputs: GPUBuffer, … }`: data for the GPU path rather than arrays. */
export function isGpuData(value: unknown): value is GpuData {
  return typeof value === 'object' && value !== null && isGpuBuffer((value as { inputs?: unknown }).inputs);
}

/**
 * Refuses a buffer without the usage flags `needs` (MlpError('buffer-usage') naming the missing ones) or
 * smaller than `byteLength` (MlpError('buffer-size')). `what` names the buffer, `sizeMeaning` its shape.
 */
export function checkGpuBuffer(
  what: string,
  buffer: GPUBuffer,
  needs: readonly BufferUsageName[],
  byteLength: number,
  sizeMeaning: string,
): void {
  const missing = needs.filter((name) => (buffer.usage & bufferUsage[name]) === 0);
  if (missing.length > 0) {
    const has = (Object.keys(bufferUsage) as BufferUsageName[]).filter(
      (name) => (buffer.usage & bufferUsage[name]) !== 0,
    );
    throw new MlpError(
      'buffer-usage',
      `${what}: the GPUBuffer lacks ${missing.map((name) => `GPUBufferUsage.${name}`).join(' and ')} (it has ${has.join(' | ') || 'no flags'}); create it with ${needs.map((name) => `GPUBufferUsage.${name}`).join(' | ')}`,
    );
  }
  if (buffer.size < byteLength) {
    throw new MlpError(
      'buffer-size',
      `${what}: the GPUBuffer holds ${buffer.size} bytes; ${sizeMeaning} needs ${byteLength}`,
    );
  }
}

/** Refuses a count that is not a positive integer (MlpError('invalid-data')). */
function checkGpuCount(what: string, count: unknown): number {
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new MlpError(
      'invalid-data',
      `${what}: count must be a positive integer (the examples in the buffers), got ${String(count)}`,
    );
  }
  return count;
}

/** What a use of GPU data needs of its input buffer. */
export type GpuDataUse = 'train' | 'predict';

/**
 * Checks `data` for a network of `inputSize` inputs and `outputSize` outputs, without the device.
 * 'train' (fit, evaluate) binds the buffers in place: inputs and targets need STORAGE, and inputs whole
 * 16-byte vectors (the kernels read them as vec4). 'predict' copies input rows on the GPU: COPY_SRC.
 */
export function checkGpuData(
  what: string,
  data: GpuData,
  inputSize: number,
  outputSize: number,
  use: GpuDataUse,
): { inputs: GPUBuffer; targets: GPUBuffer | undefined; count: number } {
  const count = checkGpuCount(what, data.count);
  const inputBytes = count * inputSize * 4;
  if (use === 'predict') {
    checkGpuBuffer(
      `${what}.inputs`,
      data.inputs,
      ['COPY_SRC'],
      inputBytes,
      `count × inputSize = ${count} × ${inputSize} floats`,
    );
    return { inputs: data.inputs, targets: undefined, count };
  }
  checkGpuBuffer(
    `${what}.inputs`,
    data.inputs,
    ['STORAGE'],
    Math.ceil(inputBytes / 16) * 16,
    `count × inputSize = ${count} × ${inputSize} floats, rounded up to whole 16-byte vectors,`,
  );
  if (!isGpuBuffer(data.targets)) {
    throw new MlpError(
      'invalid-data',
      `${what}.targets: expected a GPUBuffer of count × outputs = ${count} × ${outputSize} floats (inputs are a GPUBuffer), got ${typeof data.targets}`,
    );
  }
  checkGpuBuffer(
    `${what}.targets`,
    data.targets,
    ['STORAGE'],
    count * outputSize * 4,
    `count × outputs = ${count} × ${outputSize} floats`,
  );
  return { inputs: data.inputs, targets: data.targets, count };
}
