// Library (no entry points): the optimizer step of one parameter, as in src/backends/backend.ts, for the
// kernels that produce a gradient element and apply it in the same invocation (matmul.wgsl weightUpdate).
// Needs the library step.wgsl, and the including file's `options` (uniform StepOptions) and `control`
// (storage Control: t = control.step, already counted by this step's loss kernel, step.wgsl).
//
// Bindings (numbered above those of the kernels that include it):
//   parameters, slot0, slot1: read_write, one element per parameter, in the layout of the including kernel
//   (one layer's weights [units, inputs] row-major, then its biases [units]); slot0 = sgd's velocity v or
//   adam's first moment m, slot1 = adam's second moment s (untouched by sgd).
// Overrides: optimizer (0 sgd, 1 adam), nesterov (sgd), decoupledDecay (adamw).
//   g' = g + l2·w + l1·sign(w)   (decays: weights always, biases when options.decayBiases)
//   sgd:    v ← α·v − η·g';  w ← w + v                 (nesterov: w ← w + α·v − η·g')
//   adam:   m ← β1·m + (1 − β1)·g';  s ← β2·s + (1 − β2)·g'²;  w ← w − η·(m / (1 − β1^t)) / (√(s / (1 − β2^t)) + ε)
//   adamw:  as adam, then w ← w − η·weightDecay·w (when the parameter decays)

const OPTIMIZER_SGD: u32 = 0u;
const OPTIMIZER_ADAM: u32 = 1u;

override optimizer: u32 = OPTIMIZER_SGD;
override nesterov: bool = false;
override decoupledDecay: bool = false;

@group(0) @binding(13) var<storage, read_write> parameters: array<f32>;
@group(0) @binding(14) var<storage, read_write> slot0: array<f32>;
@group(0) @binding(15) var<storage, read_write> slot1: array<f32>;

// Applies gradient g to parameters[index] and its optimizer state.
fn updateParameter(index: u32, g: f32, decays: bool) {
  let w = parameters[index];
  var decayed = g;
  if (decays) {
    decayed = g + options.l2 * w + options.l1 * sign(w);
  }
  if (optimizer == OPTIMIZER_SGD) {
    let v = options.momentum * slot0[index] - options.learningRate * decayed;
    slot0[index] = v;
    if (nesterov) {
      parameters[index] = w + options.momentum * v - options.learningRate * decayed;
    } else {
      parameters[index] = w + v;
    }
    return;
  }
  let t = f32(control.step);
  let m = options.beta1 * slot0[index] + (1.0 - options.beta1) * decayed;
  let s = options.beta2 * slot1[index] + (1.0 - options.beta2) * decayed * decayed;
  slot0[index] = m;
  slot1[index] = s;
  let mCorrection = 1.0 - pow(options.beta1, t);
  let sCorrection = 1.0 - pow(options.beta2, t);
  let updated = w - (options.learningRate * (m / mCorrection)) / (sqrt(s / sCorrection) + options.epsilon);
  if (decoupledDecay && decays) {
    parameters[index] = updated - options.learningRate * options.weightDecay * updated;
  } else {
    parameters[index] = updated;
  }
}
