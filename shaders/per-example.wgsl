// Per-example SGD (batch size 1) for small networks: ONE workgroup runs many sequential training steps in
// one dispatch, with every weight held in workgroup memory, so a step costs a few barriers instead of ~16
// dispatches (each ~12 µs of fixed overhead). Used when batchSize = 1, the optimizer is sgd, and the
// weights plus 3 floats per unit fit the device's maxComputeWorkgroupStorageSize (webgpu-backend.ts
// perExampleFits); the numbers are those of the batched kernels at rows = 1.
// Needs the libraries activation.wgsl, random.wgsl, step.wgsl and metrics.wgsl.
//
// Bindings:
//   run: uniform Run, bound with a dynamic offset into a static buffer of step counts (no per-call upload)
//   network: uniform NetworkTable — per layer (inputs, units, activation code, weight offset) and
//            (bias offset, unit offset) into the packed arrays below; loss code
//   options: uniform StepOptions (step.wgsl); control: read_write Control; order: read_write Order
//   datasetInputs [count, inputs] read; datasetTargets [count, outputs] read
//   parameters: read_write, every layer's weights [units, inputs] row-major then biases [units], packed
//   velocity: read_write, sgd's v, packed the same way; metrics (metrics.wgsl)
// Overrides: parameterCount, unitCount (sizes of the workgroup arrays), nesterov.
// One workgroup of 64 invocations (fewer barrier participants; a layer of ≥ 64 units gives one unit to
// each invocation anyway). Per step, on example order.examples[cursor]:
//   forward   z_j = b_j + Σ_i w_ji·x_i: the 64 invocations split each unit's dot product into
//             64 / units strided parts, then one invocation per unit sums the parts; o = f(z)·dropout
//   output    invocation 0: softmax, loss, correct, δ (loss.wgsl's formulas with rows = 1)
//   hidden    δ_l,i = (Σ_j δ_{l+1},j·w_ji) · f'(z_l,i) · mask, one invocation per unit
//   update    g = δ_j·x_i (+ l2·w + l1·sign(w)); v ← α·v − η·g; w ← w + v (nesterov: w + α·v − η·g)
// and then control.step and order.cursor move on by the steps taken.

struct Run {
  steps: u32,
}

struct NetworkTable {
  layerCount: u32,
  loss: u32,
  // (inputs, units, activation, weightOffset) per layer
  layers: array<vec4u, 8>,
  // (biasOffset, unitOffset, 0, 0) per layer
  offsets: array<vec4u, 8>,
}

override parameterCount: u32 = 1u;
override unitCount: u32 = 1u;
override nesterov: bool = false;
const WORKGROUP: u32 = 64u;
const LOSS_SQUARED_ERROR: u32 = 0u;
const LOSS_BINARY_CROSS_ENTROPY: u32 = 1u;

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<uniform> network: NetworkTable;
@group(0) @binding(2) var<uniform> options: StepOptions;
@group(0) @binding(3) var<storage, read_write> control: Control;
@group(0) @binding(4) var<storage, read_write> order: Order;
@group(0) @binding(5) var<storage, read> datasetInputs: array<f32>;
@group(0) @binding(6) var<storage, read> datasetTargets: array<f32>;
@group(0) @binding(7) var<storage, read_write> parameters: array<f32>;
@group(0) @binding(8) var<storage, read_write> velocity: array<f32>;

var<workgroup> weights: array<f32, parameterCount>;
var<workgroup> z: array<f32, unitCount>;
var<workgroup> o: array<f32, unitCount>;
var<workgroup> delta: array<f32, unitCount>;
var<workgroup> partials: array<f32, WORKGROUP>;

// Input i of layer l for this step's example: the data set row, or the layer below's output.
fn layerInput(l: u32, example: u32, i: u32) -> f32 {
  if (l == 0u) {
    return datasetInputs[example * network.layers[0].x + i];
  }
  return o[network.offsets[l - 1u].y + i];
}

fn dropoutScale(l: u32, step: u32, unit: u32) -> f32 {
  let threshold = options.dropoutThreshold[l / 4u][l % 4u];
  if (threshold == 0u || !dropoutKeeps(options.dropoutSeed, step, l, 0u, unit, threshold)) {
    return select(0.0, 1.0, threshold == 0u);
  }
  return options.dropoutScale[l / 4u][l % 4u];
}

fn sgdStep(index: u32, gradient: f32, decays: bool) {
  let w = weights[index];
  var g = gradient;
  if (decays) {
    g += options.l2 * w + options.l1 * sign(w);
  }
  let v = options.momentum * velocity[index] - options.learningRate * g;
  velocity[index] = v;
  if (nesterov) {
    weights[index] = w + options.momentum * v - options.learningRate * g;
  } else {
    weights[index] = w + v;
  }
}

fn forwardLayer(l: u32, local: u32, example: u32, step: u32) {
  let shape = network.layers[l];
  let inputs = shape.x;
  let units = shape.y;
  let biasOffset = network.offsets[l].x;
  let unitOffset = network.offsets[l].y;
  let last = l + 1u == network.layerCount;
  if (units >= WORKGROUP) {
    for (var j = local; j < units; j += WORKGROUP) {
      var total = weights[biasOffset + j];
      for (var i = 0u; i < inputs; i++) {
        total += weights[shape.w + j * inputs + i] * layerInput(l, example, i);
      }
      z[unitOffset + j] = total;
      o[unitOffset + j] = activate(shape.z, total) * select(dropoutScale(l, step, j), 1.0, last);
    }
  } else {
    let parts = WORKGROUP / units;
    let j = local % units;
    let part = local / units;
    var sum = 0.0;
    if (part < parts) {
      for (var i = part; i < inputs; i += parts) {
        sum += weights[shape.w + j * inputs + i] * layerInput(l, example, i);
      }
    }
    partials[local] = sum;
    workgroupBarrier();
    if (local < units) {
      var total = weights[biasOffset + local];
      for (var p = 0u; p < parts; p++) {
        total += partials[p * units + local];
      }
      z[unitOffset + local] = total;
      o[unitOffset + local] = activate(shape.z, total) * select(dropoutScale(l, step, local), 1.0, last);
    }
  }
  workgroupBarrier();
}

struct Outcome {
  loss: f32,
  correct: u32,
  finite: bool,
}

// Invocation 0: softmax, the loss, the class check and the output δ of one example.
fn outputLayer(example: u32) -> Outcome {
  let last = network.layerCount - 1u;
  let units = network.layers[last].y;
  let code = network.layers[last].z;
  let base = network.offsets[last].y;
  let targetBase = example * units;
  var logSumExp = 0.0;
  if (code == ACTIVATION_SOFTMAX) {
    var largest = z[base];
    for (var k = 1u; k < units; k++) {
      largest = max(largest, z[base + k]);
    }
    var sum = 0.0;
    for (var k = 0u; k < units; k++) {
      sum += exp(z[base + k] - largest);
    }
    for (var k = 0u; k < units; k++) {
      o[base + k] = exp(z[base + k] - largest) / sum;
    }
    logSumExp = largest + log(sum);
  }
  var outcome = Outcome(0.0, 0u, true);
  var targetSum = 0.0;
  var predicted = 0u;
  var actual = 0u;
  for (var k = 0u; k < units; k++) {
    let t = datasetTargets[targetBase + k];
    let out = o[base + k];
    targetSum += t;
    outcome.finite = outcome.finite && isFinite(out);
    if (network.loss == LOSS_SQUARED_ERROR) {
      outcome.loss += 0.5 * (t - out) * (t - out);
    } else if (network.loss == LOSS_BINARY_CROSS_ENTROPY) {
      outcome.loss += softplus(z[base + k]) - t * z[base + k];
    } else {
      outcome.loss += t * (logSumExp - z[base + k]);
    }
    if (out > o[base + predicted]) {
      predicted = k;
    }
    if (t > datasetTargets[targetBase + actual]) {
      actual = k;
    }
  }
  if (units == 1u) {
    predicted = select(0u, 1u, o[base] >= 0.5);
    actual = select(0u, 1u, datasetTargets[targetBase] >= 0.5);
  }
  outcome.correct = select(0u, 1u, predicted == actual);
  outcome.finite = outcome.finite && isFinite(outcome.loss);
  for (var k = 0u; k < units; k++) {
    let t = datasetTargets[targetBase + k];
    let out = o[base + k];
    var d = out * targetSum - t;
    if (network.loss == LOSS_SQUARED_ERROR) {
      d = (out - t) * activationDerivative(code, z[base + k]);
    } else if (network.loss == LOSS_BINARY_CROSS_ENTROPY) {
      d = out - t;
    }
    delta[base + k] = d;
  }
  return outcome;
}

@compute @workgroup_size(WORKGROUP)
fn train(@builtin(local_invocation_index) local: u32) {
  for (var i = local; i < parameterCount; i += WORKGROUP) {
    weights[i] = parameters[i];
  }
  let steps = run.steps;
  let firstStep = control.step;
  let firstCursor = order.cursor;
  let layerCount = network.layerCount;
  var lossSum = 0.0;
  var lossCompensation = 0.0;
  var correct = 0u;
  var nonFinite = 0u;
  workgroupBarrier();
  for (var s = 0u; s < steps; s++) {
    let example = order.examples[firstCursor + s];
    let step = firstStep + s;
    for (var l = 0u; l < layerCount; l++) {
      forwardLayer(l, local, example, step);
    }
    if (local == 0u) {
      let outcome = outputLayer(example);
      let y = outcome.loss - lossCompensation;
      let t = lossSum + y;
      lossCompensation = (t - lossSum) - y;
      lossSum = t;
      correct += outcome.correct;
      nonFinite += select(1u, 0u, outcome.finite);
    }
    workgroupBarrier();
    for (var l = layerCount - 1u; l > 0u; l--) {
      let above = network.layers[l];
      let below = network.layers[l - 1u];
      let aboveOffset = network.offsets[l].y;
      let belowOffset = network.offsets[l - 1u].y;
      for (var i = local; i < below.y; i += WORKGROUP) {
        var sum = 0.0;
        for (var j = 0u; j < above.y; j++) {
          sum += delta[aboveOffset + j] * weights[above.w + j * above.x + i];
        }
        delta[belowOffset + i] = sum * activationDerivative(below.z, z[belowOffset + i]) * dropoutScale(l - 1u, step, i);
      }
      workgroupBarrier();
    }
    for (var l = 0u; l < layerCount; l++) {
      let shape = network.layers[l];
      let unitOffset = network.offsets[l].y;
      for (var e = local; e < shape.x * shape.y; e += WORKGROUP) {
        let j = e / shape.x;
        sgdStep(shape.w + e, delta[unitOffset + j] * layerInput(l, example, e % shape.x), true);
      }
      for (var j = local; j < shape.y; j += WORKGROUP) {
        sgdStep(network.offsets[l].x + j, delta[unitOffset + j], options.decayBiases != 0u);
      }
    }
    workgroupBarrier();
  }
  for (var i = local; i < parameterCount; i += WORKGROUP) {
    parameters[i] = weights[i];
  }
  if (local == 0u) {
    addToMetrics(lossSum - lossCompensation, correct, steps, nonFinite);
    control.step = firstStep + steps;
    order.cursor = firstCursor + steps;
  }
}
