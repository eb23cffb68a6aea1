// What a network is: its layers, activations, loss and initialisation. Plain data, shared by every backend.

export const activations = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear', 'softmax'] as const;
export type Activation = (typeof activations)[number];

export const losses = ['squared-error', 'binary-cross-entropy', 'softmax-cross-entropy'] as const;
/**
 * - squared-error: ½·Σ_outputs (t − o)², averaged over the batch (Mitchell's E).
 * - binary-cross-entropy: −Σ_outputs [t·ln o + (1 − t)·ln(1 − o)], averaged over the batch; sigmoid outputs only.
 * - softmax-cross-entropy: −Σ_outputs t·ln o, averaged over the batch; softmax output layer only.
 */
export type Loss = (typeof losses)[number];

/** Slope of leaky-relu for negative inputs. */
export const leakyReluSlope = 0.01;

export type InitSpec =
  /** U(−scale, +scale); Mitchell's ±0.05 */
  | { kind: 'uniform'; scale?: number }
  /** N(0, variance / fan_in); variance 1 by default */
  | { kind: 'normal'; variance?: number }
  /** Glorot: U(±√(6 / (fan_in + fan_out))) */
  | { kind: 'xavier' }
  /** He: N(0, 2 / fan_in) */
  | { kind: 'he' };

export interface LayerSpec {
  units: number;
  activation: Activation;
}

export interface NetworkSpec {
  inputSize: number;
  /** hidden layers then the output layer */
  layers: LayerSpec[];
  loss: Loss;
  /** default { kind: 'uniform', scale: 0.05 } */
  init?: InitSpec;
  /** seeds initialisation, shuffling and dropout; default 1 */
  seed?: number;
}

/** One dense layer's parameters. `weights` is units × inputs, row-major: weights[j * inputs + i] is w_ji. */
export interface LayerParams {
  weights: Float32Array;
  biases: Float32Array;
}
