// The one error type users catch. `code` says what kind of thing went wrong; the message says what was
// given, where, and what was expected.

export type MlpErrorCode =
  /** an argument or option is out of range, of the wrong size, or unknown */
  | 'invalid-argument'
  /** a data set is empty, has NaN/Infinity, or lengths that do not match */
  | 'invalid-data'
  /** a PGM, CSV, .list, model or checkpoint file is malformed */
  | 'invalid-file'
  /** no WebGPU adapter could be found */
  | 'no-adapter'
  /** the GPUDevice was lost or destroyed */
  | 'device-lost'
  /** a layer or data set exceeds the device's limits */
  | 'device-limit'
  /** a WebGPU validation or out-of-memory error */
  | 'gpu-error'
  /** training produced NaN or Infinity */
  | 'non-finite'
  /** the network or engine was used after dispose() */
  | 'disposed'
  /** the network is training: a fit is running, so setWeights or another fit would change it mid-run */
  | 'busy'
  /** a file could not be written or read: no permission, disk full, a read-only file system */
  | 'io-error'

  /** a GPUBuffer was given to an engine on the CPU backend */
  | 'wrong-backend'
  /** a GPUBuffer belongs to another GPUDevice than the engine's */
  | 'wrong-device'
  /** a GPUBuffer lacks a usage flag that its use needs (the message names it) */
  | 'buffer-usage'
  /** a GPUBuffer is smaller than `count` examples need */
  | 'buffer-size';

export class MlpError extends Error {
  override readonly name = 'MlpError';

  constructor(
    readonly code: MlpErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
