// The public API of webgpu-mlp. Everything a user imports comes from here.
export type {
  Activation,
  InitSpec,
  LayerParams,
  LayerSpec,
  Loss,
  NetworkSpec,
} from './model/spec.js';
export { activations, leakyReluSlope, losses } from './model/spec.js';
