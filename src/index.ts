// The public API of webgpu-mlp. Everything a user imports comes from here.

export type { BackendKind, BackendStats } from './backends/backend.js';
export { createEngine, Engine, type EngineOptions } from './engine.js';
export { MlpError, type MlpErrorCode } from './errors.js';
export { Network, type Numbers } from './model/network.js';
export type {
  Activation,
  InitSpec,
  LayerParams,
  LayerSpec,
  Loss,
  NetworkSpec,
} from './model/spec.js';
export { activations, leakyReluSlope, losses } from './model/spec.js';
