// The public API of webgpu-mlp. Everything a user imports comes from here.

export { MlpError, type MlpErrorCode } from './errors.js';
export type {
  Activation,
  InitSpec,
  LayerParams,
  LayerSpec,
  Loss,
  NetworkSpec,
} from './model/spec.js';
export { activations, leakyReluSlope, losses } from './model/spec.js';
