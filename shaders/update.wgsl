// The optimizer step: one pass over one parameter buffer (a layer's weights, or its biases), as in
// src/backends/backend.ts. Needs the library step.wgsl.
//
// Bindings: shape (uniform UpdateShape: length, isBias); options (uniform StepOptions); control (read: t);
//   parameters [length] read_write; gradient [length] read (the batch-mean gradient, matmul.wgsl);
//   slot0 [length] read_write (sgd: velocity v; adam: first moment m); slot1 [length] read_write (adam: s).
// Overrides: nesterov (sgd), decoupledDecay (adamw).
// One invocation updates one element; workgroups of 256, two-dimensional dispatch for long buffers.
//   g' = g + l2·w + l1·sign(w)   (biases only when options.decayBiases)
//   sgd:    v ← α·v − η·g';  w ← w + v                 (nesterov: w ← w + α·v − η·g')
//   adam:   m ← β1·m + (1 − β1)·g';  s ← β2·s + (1 − β2)·g'²;  w ← w − η·(m / (1 − β1^t)) / (√(s / (1 − β2^t)) + ε)
//   adamw:  as adam, then w ← w − η·weightDecay·w (when the buffer decays)
// t = control.step: the loss kernel of this step has already counted it (step.wgsl).

struct UpdateShape {
  length: u32,
  isBias: u32,
}

override nesterov: bool = false;
override decoupledDecay: bool = false;
const WORKGROUP: u32 = 256u;

@group(0) @binding(0) var<uniform> shape: UpdateShape;
@group(0) @binding(1) var<uniform> options: StepOptions;
@group(0) @binding(2) var<storage, read> control: Control;
@group(0) @binding(3) var<storage, read_write> parameters: array<f32>;
@group(0) @binding(4) var<storage, read> gradient: array<f32>;
@group(0) @binding(5) var<storage, read_write> slot0: array<f32>;
@group(0) @binding(6) var<storage, read_write> slot1: array<f32>;

fn decays() -> bool {
  return shape.isBias == 0u || options.decayBiases != 0u;
}

fn decayedGradient(index: u32, w: f32) -> f32 {
  if (decays()) {
    return gradient[index] + options.l2 * w + options.l1 * sign(w);
  }
  return gradient[index];
}

fn elementIndex(id: vec3u, groups: vec3u) -> u32 {
  return id.x + id.y * groups.x * WORKGROUP;
}

@compute @workgroup_size(WORKGROUP)
fn sgd(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = elementIndex(id, groups);
  if (index >= shape.length) {
    return;
  }
  let w = parameters[index];
  let g = decayedGradient(index, w);
  let v = options.momentum * slot0[index] - options.learningRate * g;
  slot0[index] = v;
  if (nesterov) {
    parameters[index] = w + options.momentum * v - options.learningRate * g;
  } else {
    parameters[index] = w + v;
  }
}

@compute @workgroup_size(WORKGROUP)
fn adam(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = elementIndex(id, groups);
  if (index >= shape.length) {
    return;
  }
  let t = f32(control.step);
  let w = parameters[index];
  let g = decayedGradient(index, w);
  let m = options.beta1 * slot0[index] + (1.0 - options.beta1) * g;
  let s = options.beta2 * slot1[index] + (1.0 - options.beta2) * g * g;
  slot0[index] = m;
  slot1[index] = s;
  let mCorrection = 1.0 - pow(options.beta1, t);
  let sCorrection = 1.0 - pow(options.beta2, t);
  let updated = w - (options.learningRate * (m / mCorrection)) / (sqrt(s / sCorrection) + options.epsilon);
  if (decoupledDecay && decays()) {
    parameters[index] = updated - options.learningRate * options.weightDecay * updated;
  } else {
    parameters[index] = updated;
  }
}
