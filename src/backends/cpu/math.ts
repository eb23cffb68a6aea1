// The mathematics of a multi-layer perceptron, written to be read: the living definition that every
// backend must reproduce. Each activation sits beside its derivative, each loss beside its output delta,
// and the dense layer's forward pass beside its backward pass. All sums accumulate in float64; parameters
// may be Float32Array (as the backends store them) or Float64Array (for gradient checks in float64).
//
// Notation (lecture notes): for one layer, X is rows × inputs, W is units × inputs (w_ji, row-major),
// z = X·Wᵀ + b, o = f(z). δ = ∂(example loss)/∂z. Every matrix is row-major.

import { dropoutUniform } from '../../model/random.js';
import type { Activation, Loss, NetworkSpec } from '../../model/spec.js';
import { leakyReluSlope } from '../../model/spec.js';
import type { Metrics, OptimizerSpec, StepOptions } from '../backend.js';

/** Parameters of one dense layer, read-only, in any precision. */
export interface DenseParams {
  weights: ArrayLike<number>;
  biases: ArrayLike<number>;
}

/** A float array that can be written: the backends store float32, gradient checks use float64. */
export type FloatArray = Float32Array | Float64Array;

/** Parameters (or optimizer slots, or gradients) of one dense layer that can be written. */
export interface MutableDenseParams {
  weights: FloatArray;
  biases: FloatArray;
}

// ── Activations: f(z) beside f'(z) ──────────────────────────────────────────────────────────────────

/** σ(z) = 1 / (1 + e^(−z)), written so that e^(…) never overflows: exact 0 or 1 for |z| ≥ ~40. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** softplus(z) = ln(1 + e^z) = max(z, 0) + ln(1 + e^(−|z|)), finite for every finite z. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

interface ElementwiseActivation {
  f(z: number): number;
  /** f'(z). Written in z alone, so it can be taken after dropout has scaled the output. */
  derivative(z: number): number;
}

/** Every activation but softmax acts on each unit alone. */
const elementwiseActivations: Record<Exclude<Activation, 'softmax'>, ElementwiseActivation> = {
  // σ(z)                         σ'(z) = σ(z)·(1 − σ(z))
  sigmoid: {
    f: sigmoid,
    derivative: (z) => {
      const o = sigmoid(z);
      return o * (1 - o);
    },
  },
  // tanh(z)                      tanh'(z) = 1 − tanh²(z)
  tanh: {
    f: Math.tanh,
    derivative: (z) => {
      const o = Math.tanh(z);
      return 1 - o * o;
    },
  },
  // relu(z) = max(0, z)          relu'(z) = 1 if z > 0, else 0 (0 at z = 0)
  relu: { f: (z) => (z > 0 ? z : 0), derivative: (z) => (z > 0 ? 1 : 0) },
  // z if z > 0, else 0.01·z       1 if z > 0, else 0.01
  'leaky-relu': {
    f: (z) => (z > 0 ? z : leakyReluSlope * z),
    derivative: (z) => (z > 0 ? 1 : leakyReluSlope),
  },
  // z                            1
  linear: { f: (z) => z, derivative: () => 1 },
};

/**
 * softmax(z)_k = e^(z_k − m) / Σ_j e^(z_j − m) with m = max_j z_j (the shift cancels, and keeps e^(…) ≤ 1).
 * Its derivative is never needed alone: softmax is fused with softmax cross-entropy (δ below).
 */
function softmaxRow(z: ArrayLike<number>, offset: number, units: number, out: FloatArray): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < units; k++) max = Math.max(max, z[offset + k]);
  let sum = 0;
  for (let k = 0; k < units; k++) {
    const e = Math.exp(z[offset + k] - max);
    out[offset + k] = e;
    sum += e;
  }
  for (let k = 0; k < units; k++) out[offset + k] /= sum;
}

/** ln Σ_k e^(z_k) = m + ln Σ_k e^(z_k − m), finite for every finite z. */
function logSumExp(z: ArrayLike<number>, offset: number, units: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < units; k++) max = Math.max(max, z[offset + k]);
  let sum = 0;
  for (let k = 0; k < units; k++) sum += Math.exp(z[offset + k] - max);
  return max + Math.log(sum);
}

/** o = f(z) for a rows × units matrix. */
function activate(activation: Activation, z: Float64Array, rows: number, units: number): Float64Array {
  const o = new Float64Array(z.length);
  if (activation === 'softmax') {
    for (let r = 0; r < rows; r++) softmaxRow(z, r * units, units, o);
  } else {
    const { f } = elementwiseActivations[activation];
    for (let i = 0; i < z.length; i++) o[i] = f(z[i]);
  }
  return o;
}

// ── Losses: each example's loss beside its output delta δ = ∂loss/∂z ────────────────────────────────
// The loss of a batch is the mean of the example losses (spec.ts documents the same definitions).

/**
 * The loss of one example (row `row` of the output z and o, and of the targets t).
 * - squared-error:          ½·Σ_k (t_k − o_k)²
 * - binary-cross-entropy:   −Σ_k [t·ln o + (1 − t)·ln(1 − o)] = Σ_k [softplus(z_k) − t_k·z_k]   (o = σ(z))
 * - softmax-cross-entropy:  −Σ_k t_k·ln o_k = Σ_k t_k·(logsumexp(z) − z_k)                     (o = softmax(z))
 * The cross-entropies are written in z, so they stay finite when o rounds to exactly 0 or 1.
 */
export function exampleLoss(
  loss: Loss,
  z: ArrayLike<number>,
  o: ArrayLike<number>,
  t: ArrayLike<number>,
  row: number,
  units: number,
): number {
  const offset = row * units;
  let sum = 0;
  if (loss === 'squared-error') {
    for (let k = 0; k < units; k++) {
      const error = t[offset + k] - o[offset + k];
      sum += 0.5 * error * error;
    }
  } else if (loss === 'binary-cross-entropy') {
    for (let k = 0; k < units; k++) sum += softplus(z[offset + k]) - t[offset + k] * z[offset + k];
  } else {
    const lse = logSumExp(z, offset, units);
    for (let k = 0; k < units; k++) sum += t[offset + k] * (lse - z[offset + k]);
  }
  return sum;
}

/**
 * δ = ∂(example loss)/∂z of the output layer, written into `delta` for row `row`.
 * - squared-error:                    δ_k = (o_k − t_k)·f'(z_k)
 * - sigmoid + binary-cross-entropy:   δ_k = o_k − t_k         (the σ' cancels against the loss's 1/(o(1−o)))
 * - softmax + softmax-cross-entropy:  δ_k = o_k·Σ_j t_j − t_k  (= o_k − t_k for targets that sum to 1)
 */
function outputDelta(
  loss: Loss,
  activation: Activation,
  z: ArrayLike<number>,
  o: ArrayLike<number>,
  t: ArrayLike<number>,
  row: number,
  units: number,
  delta: Float64Array,
): void {
  const offset = row * units;
  if (loss === 'squared-error') {
    if (activation === 'softmax') throw new Error('squared-error with a softmax output is not defined here');
    const { derivative } = elementwiseActivations[activation];
    for (let k = 0; k < units; k++) {
      delta[offset + k] = (o[offset + k] - t[offset + k]) * derivative(z[offset + k]);
    }
  } else if (loss === 'binary-cross-entropy') {
    for (let k = 0; k < units; k++) delta[offset + k] = o[offset + k] - t[offset + k];
  } else {
    let targetSum = 0;
    for (let k = 0; k < units; k++) targetSum += t[offset + k];
    for (let k = 0; k < units; k++) delta[offset + k] = o[offset + k] * targetSum - t[offset + k];
  }
}

// ── A dense layer: forward beside backward ─────────────────────────────────────────────────────────

/** Σ_i a[aOffset + i]·b[bOffset + i], in four partial sums so the JS engine can overlap the multiply-adds. */
function dot(
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
  n: number,
): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += a[aOffset + i] * b[bOffset + i];
    s1 += a[aOffset + i + 1] * b[bOffset + i + 1];
    s2 += a[aOffset + i + 2] * b[bOffset + i + 2];
    s3 += a[aOffset + i + 3] * b[bOffset + i + 3];
  }
  for (; i < n; i++) s0 += a[aOffset + i] * b[bOffset + i];
  return s0 + s1 + (s2 + s3);
}

/** Forward: z = X·Wᵀ + b, i.e. z_rj = b_j + Σ_i x_ri·w_ji. */
function denseForward(
  x: ArrayLike<number>,
  rows: number,
  inputs: number,
  layer: DenseParams,
  units: number,
): Float64Array {
  const z = new Float64Array(rows * units);
  const { weights, biases } = layer;
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++)
      z[r * units + j] = biases[j] + dot(x, r * inputs, weights, j * inputs, inputs);
  }
  return z;
}

/**
 * Backward, parameter gradients summed over the rows: ∂E/∂W = δᵀ·X (∂E/∂w_ji = Σ_r δ_rj·x_ri) and
 * ∂E/∂b = column sums of δ (∂E/∂b_j = Σ_r δ_rj).
 */
function denseParamGradients(
  delta: Float64Array,
  x: ArrayLike<number>,
  rows: number,
  inputs: number,
  units: number,
): { weights: Float64Array; biases: Float64Array } {
  const weights = new Float64Array(units * inputs);
  const biases = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const xOffset = r * inputs;
    for (let j = 0; j < units; j++) {
      const d = delta[r * units + j];
      biases[j] += d;
      const wOffset = j * inputs;
      for (let i = 0; i < inputs; i++) weights[wOffset + i] += d * x[xOffset + i];
    }
  }
  return { weights, biases };
}

/**
 * Backward into the layer below: δ_l = (δ_{l+1}·W_{l+1}) ⊙ f'(z_l) ⊙ mask_l, where W_{l+1} is this layer's
 * weights (units × inputs), z_l the layer below's pre-activations (rows × inputs), and mask_l its dropout
 * scale (0 or 1/(1 − rate); none = 1).
 */
function hiddenDelta(
  deltaAbove: Float64Array,
  weightsAbove: ArrayLike<number>,
  unitsAbove: number,
  zBelow: Float64Array,
  activationBelow: Activation,
  maskBelow: Float64Array | undefined,
  rows: number,
  unitsBelow: number,
): Float64Array {
  if (activationBelow === 'softmax') throw new Error('softmax is an output activation only');
  const { derivative } = elementwiseActivations[activationBelow];
  const delta = new Float64Array(rows * unitsBelow);
  for (let r = 0; r < rows; r++) {
    const offset = r * unitsBelow;
    for (let j = 0; j < unitsAbove; j++) {
      const d = deltaAbove[r * unitsAbove + j];
      const wOffset = j * unitsBelow;
      for (let i = 0; i < unitsBelow; i++) delta[offset + i] += d * weightsAbove[wOffset + i];
    }
    for (let i = 0; i < unitsBelow; i++) {
      delta[offset + i] *= derivative(zBelow[offset + i]) * (maskBelow ? maskBelow[offset + i] : 1);
    }
  }
  return delta;
}

// ── Dropout ────────────────────────────────────────────────────────────────────────────────────────

/**
 * Inverted dropout mask of hidden layer `layer` for the rows of one mini-batch: unit j of row r is kept,
 * scaled by 1/(1 − rate), when dropoutUniform(seed, step, layer, r, j) ≥ rate, and zeroed otherwise.
 */
export function dropoutMask(
  seed: number,
  step: number,
  layer: number,
  rate: number,
  rows: number,
  units: number,
): Float64Array {
  const mask = new Float64Array(rows * units);
  const keptScale = 1 / (1 - rate);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) {
      mask[r * units + j] = dropoutUniform(seed, step, layer, r, j) >= rate ? keptScale : 0;
    }
  }
  return mask;
}

// ── The whole network ──────────────────────────────────────────────────────────────────────────────

/** What the forward pass leaves for the backward pass, per layer: z and the output fed to the next layer. */
export interface ForwardPass {
  inputs: Float64Array;
  rows: number;
  /** pre-activations, rows × units */
  z: Float64Array[];
  /** outputs after dropout (what the next layer reads), rows × units */
  o: Float64Array[];
  /** dropout scale per hidden layer, rows × units; undefined where there is no dropout */
  masks: (Float64Array | undefined)[];
}

/** Forward through every layer. `masks[l]`, when given, scales hidden layer l's output (dropout). */
export function forward(
  spec: NetworkSpec,
  params: readonly DenseParams[],
  inputs: ArrayLike<number>,
  rows: number,
  masks: (Float64Array | undefined)[] = [],
): ForwardPass {
  const z: Float64Array[] = [];
  const o: Float64Array[] = [];
  // One element type for every layer's input keeps the inner loops monomorphic (and fast) in JS engines.
  const inputs64 = inputs instanceof Float64Array ? inputs : Float64Array.from(inputs);
  let x: Float64Array = inputs64;
  let inputSize = spec.inputSize;
  spec.layers.forEach((layer, l) => {
    const zl = denseForward(x, rows, inputSize, params[l], layer.units);
    const ol = activate(layer.activation, zl, rows, layer.units);
    const mask = masks[l];
    if (mask) for (let i = 0; i < ol.length; i++) ol[i] *= mask[i];
    z.push(zl);
    o.push(ol);
    x = ol;
    inputSize = layer.units;
  });
  return { inputs: inputs64, rows, z, o, masks: spec.layers.map((_, l) => masks[l]) };
}

/** Gradients of the MEAN example loss over the pass's rows, for every layer. */
export function backward(
  spec: NetworkSpec,
  params: readonly DenseParams[],
  pass: ForwardPass,
  targets: ArrayLike<number>,
): { weights: Float64Array; biases: Float64Array }[] {
  const { rows, z, o, masks } = pass;
  const last = spec.layers.length - 1;
  const output = spec.layers[last];
  let delta: Float64Array = new Float64Array(rows * output.units);
  for (let r = 0; r < rows; r++) {
    outputDelta(spec.loss, output.activation, z[last], o[last], targets, r, output.units, delta);
  }
  const gradients: { weights: Float64Array; biases: Float64Array }[] = new Array(spec.layers.length);
  for (let l = last; l >= 0; l--) {
    const x = l === 0 ? pass.inputs : o[l - 1];
    const inputSize = l === 0 ? spec.inputSize : spec.layers[l - 1].units;
    const sums = denseParamGradients(delta, x, rows, inputSize, spec.layers[l].units);
    for (let i = 0; i < sums.weights.length; i++) sums.weights[i] /= rows;
    for (let j = 0; j < sums.biases.length; j++) sums.biases[j] /= rows;
    gradients[l] = sums;
    if (l > 0) {
      const below = spec.layers[l - 1];
      delta = hiddenDelta(
        delta,
        params[l].weights,
        spec.layers[l].units,
        z[l - 1],
        below.activation,
        masks[l - 1],
        rows,
        below.units,
      );
    }
  }
  return gradients;
}

// ── Metrics ────────────────────────────────────────────────────────────────────────────────────────

/** The class a row stands for: argmax (first maximum) for several units; for one unit, 1 when ≥ 0.5, else 0. */
export function classOf(values: ArrayLike<number>, row: number, units: number): number {
  const offset = row * units;
  if (units === 1) return values[offset] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let k = 1; k < units; k++) if (values[offset + k] > values[offset + best]) best = k;
  return best;
}

/** Number of classes a confusion matrix has for an output layer of `units` units. */
export function classCount(units: number): number {
  return units === 1 ? 2 : units;
}

/** Loss sum, correct count and finiteness of one forward pass against its targets. */
export function passMetrics(spec: NetworkSpec, pass: ForwardPass, targets: ArrayLike<number>): Metrics {
  const last = spec.layers.length - 1;
  const units = spec.layers[last].units;
  const z = pass.z[last];
  const o = pass.o[last];
  let lossSum = 0;
  let correct = 0;
  let finite = true;
  for (let r = 0; r < pass.rows; r++) {
    const loss = exampleLoss(spec.loss, z, o, targets, r, units);
    lossSum += loss;
    if (!Number.isFinite(loss)) finite = false;
    for (let k = 0; k < units; k++) if (!Number.isFinite(o[r * units + k])) finite = false;
    if (classOf(o, r, units) === classOf(targets, r, units)) correct++;
  }
  return { lossSum, correct, count: pass.rows, finite };
}

// ── Optimizers (backend.ts documents the same update rules) ─────────────────────────────────────────

/** The training state that an optimizer step changes, in the precision the caller stores it. */
export interface TrainingState {
  params: MutableDenseParams[];
  /** slots[k][layer]: sgd has [velocity], adam/adamw [m, s] */
  slots: MutableDenseParams[][];
  /** optimizer steps taken so far: adam's t before this step, and the dropout mask counter */
  step: number;
}

/**
 * One optimizer step on one parameter array, in place. `t` is the step number counting from 1.
 * g' = g + l2·w + l1·sign(w) when `decays`, then:
 * - sgd:            v ← α·v − η·g';  w ← w + v             (nesterov: w ← w + α·v − η·g')
 * - adam:           m ← β1·m + (1 − β1)·g';  s ← β2·s + (1 − β2)·g'²;
 *                   w ← w − η·(m / (1 − β1^t)) / (√(s / (1 − β2^t)) + ε)
 * - adamw:          as adam, then w ← w − η·weightDecay·w (when `decays`)
 */
export function updateParameters(
  optimizer: OptimizerSpec,
  t: number,
  w: FloatArray,
  g: ArrayLike<number>,
  slots: FloatArray[],
  options: Pick<StepOptions, 'learningRate' | 'l1' | 'l2'>,
  decays: boolean,
): void {
  const { learningRate: eta } = options;
  const l1 = decays ? options.l1 : 0;
  const l2 = decays ? options.l2 : 0;
  if (optimizer.kind === 'sgd') {
    const { momentum: alpha, nesterov } = optimizer;
    const [v] = slots;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] + l2 * w[i] + l1 * Math.sign(w[i]);
      v[i] = alpha * v[i] - eta * gi;
      w[i] += nesterov ? alpha * v[i] - eta * gi : v[i];
    }
    return;
  }
  const { beta1, beta2, epsilon, weightDecay } = optimizer;
  const [m, s] = slots;
  const mCorrection = 1 - beta1 ** t;
  const sCorrection = 1 - beta2 ** t;
  const decoupledDecay = optimizer.kind === 'adamw' && decays ? weightDecay : 0;
  for (let i = 0; i < w.length; i++) {
    const gi = g[i] + l2 * w[i] + l1 * Math.sign(w[i]);
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    s[i] = beta2 * s[i] + (1 - beta2) * gi * gi;
    const updated = w[i] - (eta * (m[i] / mCorrection)) / (Math.sqrt(s[i] / sCorrection) + epsilon);
    w[i] = updated - eta * decoupledDecay * updated;
  }
}

/**
 * One training step on one mini-batch (rows of `inputs`/`targets` in the order visited): forward with
 * dropout, backward, optimizer update of every layer, step counter + 1. Returns the forward pass's metrics.
 */
export function trainStep(
  spec: NetworkSpec,
  optimizer: OptimizerSpec,
  state: TrainingState,
  inputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  rows: number,
  options: StepOptions,
): Metrics {
  const masks = spec.layers.map((layer, l) => {
    const rate = l < spec.layers.length - 1 ? (options.dropout[l] ?? 0) : 0;
    return rate > 0 ? dropoutMask(options.dropoutSeed, state.step, l, rate, rows, layer.units) : undefined;
  });
  const pass = forward(spec, state.params, inputs, rows, masks);
  const metrics = passMetrics(spec, pass, targets);
  const gradients = backward(spec, state.params, pass, targets);
  const t = state.step + 1;
  state.params.forEach((layer, l) => {
    const slotsOf = (part: 'weights' | 'biases') => state.slots.map((slot) => slot[l][part]);
    updateParameters(optimizer, t, layer.weights, gradients[l].weights, slotsOf('weights'), options, true);
    updateParameters(
      optimizer,
      t,
      layer.biases,
      gradients[l].biases,
      slotsOf('biases'),
      options,
      options.decayBiases,
    );
  });
  state.step = t;
  return metrics;
}
