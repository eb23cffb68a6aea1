// Library (no bindings, no entry points): the optimizer step of one parameter for the fused kernels
// (per-example.wgsl, mini-batch.wgsl), the formulas of update.wgsl on rates read once per dispatch. Needs
// step.wgsl, and from the including file: `options` (uniform StepOptions) and the accessors
// loadSlot(slot, index), storeSlot(slot, index, value), storeWeight(index, value) of its packed parameters
// and slots (slot k of parameter index; sgd: v; adam: m then s).
// Overrides: optimizer (0 sgd, 1 adam), nesterov (sgd), decoupledDecay (adamw).
//   g' = g + l2·w + l1·sign(w)   (decays: weights always, biases when options.decayBiases)
//   sgd:    v ← α·v − η·g';  w ← w + v                 (nesterov: w ← w + α·v − η·g')
//   adam:   m ← β1·m + (1 − β1)·g';  s ← β2·s + (1 − β2)·g'²;  w ← w − η·(m / (1 − β1^t)) / (√(s / (1 − β2^t)) + ε)
//   adamw:  as adam, then w ← w − η·weightDecay·w (when the parameter decays)
// Conditions combine with & and |, not && and || (no branch: see per-example.wgsl).

override optimizer: u32 = 0u;
override nesterov: bool = false;
override decoupledDecay: bool = false;
const OPTIMIZER_ADAM: u32 = 1u;

// The options read once per dispatch: loads from a uniform buffer inside the inner loops would be
// repeated per element by compilers that cannot prove the stores in those loops leave them alone.
struct Rates {
  learningRate: f32,
  momentum: f32,
  l1: f32,
  l2: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weightDecay: f32,
  // 1 − β^t of this step (adam)
  mCorrection: f32,
  sCorrection: f32,
  penalized: bool,
  // options.decayBiases
  decayBiases: bool,
}

fn dispatchRates() -> Rates {
  return Rates(
    options.learningRate,
    options.momentum,
    options.l1,
    options.l2,
    options.beta1,
    options.beta2,
    options.epsilon,
    options.weightDecay,
    1.0,
    1.0,
    (options.l1 != 0.0) | (options.l2 != 0.0),
    options.decayBiases != 0u,
  );
}

// The rates of the step numbered `step` from 0 (adam's t = step + 1).
fn stepRates(rates: Rates, step: u32) -> Rates {
  var result = rates;
  if (optimizer == OPTIMIZER_ADAM) {
    let t = f32(step + 1u);
    result.mCorrection = 1.0 - pow(rates.beta1, t);
    result.sCorrection = 1.0 - pow(rates.beta2, t);
  }
  return result;
}

// One parameter's optimizer step, given its value w and its gradient; `decays`: its buffer takes l1, l2
// and adamw's decay (weights always, biases when options.decayBiases). Returns the new value.
fn updateParameter(index: u32, w: f32, gradient: f32, decays: bool, rates: Rates) -> f32 {
  let g = gradient + select(0.0, rates.l2 * w + rates.l1 * sign(w), decays & rates.penalized);
  var updated: f32;
  if (optimizer == OPTIMIZER_ADAM) {
    let m = rates.beta1 * loadSlot(0u, index) + (1.0 - rates.beta1) * g;
    let s = rates.beta2 * loadSlot(1u, index) + (1.0 - rates.beta2) * g * g;
    storeSlot(0u, index, m);
    storeSlot(1u, index, s);
    updated = w - (rates.learningRate * (m / rates.mCorrection)) / (sqrt(s / rates.sCorrection) + rates.epsilon);
    if (decoupledDecay & decays) {
      updated -= rates.learningRate * rates.weightDecay * updated;
    }
  } else {
    let v = rates.momentum * loadSlot(0u, index) - rates.learningRate * g;
    storeSlot(0u, index, v);
    if (nesterov) {
      updated = w + rates.momentum * v - rates.learningRate * g;
    } else {
      updated = w + v;
    }
  }
  storeWeight(index, updated);
  return updated;
}
