// Per-example training (batch size 1): ONE workgroup runs many sequential training steps in one dispatch,
// so a step costs a few barriers instead of ~11 dispatches (each ~12 µs of fixed overhead). Used when
// batchSize = 1 and the network fits (per-example.ts perExampleLayout); the numbers are those of the batched
// kernels at rows = 1, with sgd, adam or adamw. Needs the libraries activation.wgsl, random.wgsl, step.wgsl,
// metrics.wgsl, fused-update.wgsl (the optimizer step) and fused-output.wgsl (the output layer), both on the
// accessors below.
//
// Bindings:
//   run: uniform Run, bound with a dynamic offset into a static buffer of step counts (no per-call upload)
//   network: uniform NetworkTable — per layer (inputs, units, unit offset, weight offset) and (activation
//            code); the bias, input and output offsets follow (layerOffsets)
//   options: uniform StepOptions (step.wgsl); control: read_write Control; order: read_write Order
//   datasetInputs [count, inputs] read; datasetTargets [count, outputs] read
//   parameters: read_write, every layer's weights [units, inputs] row-major then biases [units], packed
//   slots: read_write, the optimizer's slots packed the same way, slot k at k·parameterCount (sgd: v;
//          adam: m then s); metrics (metrics.wgsl)
// Overrides: workgroupSize (invocations, measured per adapter: per-example-workgroup.ts; the rule is one
//   subgroup on CPU adapters, where a workgroup runs on one thread and every barrier switches between its
//   subgroups), parameterCount, unitCount, partialCount (floats of scratch: 4 or 1 per invocation),
//   weightsInWorkgroup with workgroupWeightCount (parameterCount, or 1 when the weights stay in
//   `parameters`), slotsInWorkgroup with workgroupSlotCount (slots · parameterCount, or 1), optimizer
//   (0 sgd, 1 adam), nesterov, decoupledDecay (adamw); loss, outputActivation, outputCount, hiddenActivation
//   (fused-output.wgsl); dropout (whether a hidden layer drops units: without, the dropout code is left out
//   of the pipeline); narrowLayers (whether every layer takes all its units per input, below: then the other
//   two ways are left out).
// Workgroup memory: the weights and the slots when they fit, `activity` (every layer's output o), z and δ
// of every unit (δ with 3 more, so that 4 from any unit are in range), `partials`. Layer 0 reads its
// inputs from the example's row of datasetInputs wherever it needs them, never copied to workgroup
// memory: a browser's Dawn zeroes workgroup memory, and SwiftShader's compile time grows with what it
// zeroes (960-3-4: 0.5 s with the 960 inputs in workgroup memory, 0.12 s without).
// Per step (s = control.step before it, t = s + 1 for adam), on example order.examples[cursor]:
//   forward   z_j = b_j + Σ_i w_ji·x_i; o = f(z)·dropout, in one of three ways per layer:
//             ≤ 4 units (and 4 partials per invocation): invocation k takes the columns i ≡ k and all
//               units at once (one load of x_i for up to 4 weights; the biases are column `inputs`, of
//               an input that is always 1), partial sums in `partials`, a barrier, then invocation j sums
//               unit j's;
//             < workgroupSize / 2 units: each dot product in workgroupSize / units strided parts, a
//               barrier, then invocation j sums unit j's parts;
//             wider: whole units to invocations.
//             Then a barrier. Layer 0 of the first kind first applies the previous step's layer-0
//             update (below), fused: each weight is read once per step.
//   output    invocation 0: softmax, loss, correct, δ (loss.wgsl's formulas with rows = 1); a barrier
//   backward  from the top layer l down to 1, invocation k owns the columns i ≡ k (mod workgroupSize):
//             δ_{l−1,i} = (Σ_j δ_j·w_ji)·f'(z_{l−1,i})·mask, then updates w_ji of its columns (it alone
//             reads or writes them in this phase, so no barrier separates the two), rows in blocks of 4
//             with their δ loaded once, the biases as column `inputs`; a barrier per layer. Layer 0's
//             update waits for the next step's forward (above; after the last step, a pass of its own).
//             Where layer 0 is not of the first kind, it is updated here like the others, and a barrier.
//             960-3-4: 6 barriers per step.
//   update    g = δ_j·x_i (+ l2·w + l1·sign(w) where the buffer decays), then update.wgsl's step:
//             sgd v ← α·v − η·g, w ← w + v (nesterov: w + α·v − η·g); adam/adamw as update.wgsl.
// Every invocation reaches an optimizer slot through the same column it owns in every phase, so
// slots need no barrier even in storage; weights in storage are ordered by storageBarrier.
// At the end control.step and order.cursor move on by the steps taken.
// Conditions combine with & and |, not && and ||: a short circuit is a branch, and SwiftShader compiles
// each branch into blocks of its own (docs/webgpu-design.md "Pipeline compilation"). Loops over at most 4
// items count to the constant 4 and break, and the strided ones down to 0 (step.wgsl stridedCount): Tint
// guards every loop it cannot prove finite (one that steps by 1 to a constant) with a 64-bit counter, more
// branches. Functions return once: Tint turns an early return into flags and branches, and the optimizer
// SwiftShader runs first takes longer the more code Tint gives it, even code that the override constants
// leave dead.

struct Run {
  steps: u32,
}

struct NetworkTable {
  layerCount: u32,
  // (inputs, units, unitOffset into z and δ, weightOffset) per layer; its biases follow its weights
  layers: array<vec4u, 8>,
  // (activation, blockOffset into mini-batch.wgsl's δ, unused, unused) per layer
  extras: array<vec4u, 8>,
}

override workgroupSize: u32 = 64u;
override parameterCount: u32 = 1u;
override unitCount: u32 = 1u;
override partialCount: u32 = 4u;
override weightsInWorkgroup: bool = true;
override workgroupWeightCount: u32 = 1u;
override slotsInWorkgroup: bool = false;
override workgroupSlotCount: u32 = 1u;
override dropout: bool = true;
override narrowLayers: bool = false;

@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<uniform> network: NetworkTable;
@group(0) @binding(2) var<uniform> options: StepOptions;
@group(0) @binding(3) var<storage, read_write> control: Control;
@group(0) @binding(4) var<storage, read_write> order: Order;
@group(0) @binding(5) var<storage, read> datasetInputs: array<f32>;
@group(0) @binding(6) var<storage, read> datasetTargets: array<f32>;
@group(0) @binding(7) var<storage, read_write> parameters: array<f32>;
@group(0) @binding(8) var<storage, read_write> slots: array<f32>;

var<workgroup> weightMemory: array<f32, workgroupWeightCount>;
var<workgroup> slotMemory: array<f32, workgroupSlotCount>;
var<workgroup> activity: array<f32, unitCount>;
var<workgroup> z: array<f32, unitCount>;
var<workgroup> delta: array<f32, unitCount + 3u>;
var<workgroup> partials: array<f32, partialCount>;

fn loadWeight(index: u32) -> f32 {
  var w: f32;
  if (weightsInWorkgroup) {
    w = weightMemory[index];
  } else {
    w = parameters[index];
  }
  return w;
}

fn storeWeight(index: u32, value: f32) {
  if (weightsInWorkgroup) {
    weightMemory[index] = value;
  } else {
    parameters[index] = value;
  }
}

fn loadSlot(slot: u32, index: u32) -> f32 {
  var value: f32;
  if (slotsInWorkgroup) {
    value = slotMemory[slot * parameterCount + index];
  } else {
    value = slots[slot * parameterCount + index];
  }
  return value;
}

fn storeSlot(slot: u32, index: u32, value: f32) {
  if (slotsInWorkgroup) {
    slotMemory[slot * parameterCount + index] = value;
  } else {
    slots[slot * parameterCount + index] = value;
  }
}

// Between phases: weights written by one invocation are read by others in the next phase.
fn phaseBarrier() {
  if (!weightsInWorkgroup) {
    storageBarrier();
  }
  workgroupBarrier();
}

fn dropoutScale(l: u32, step: u32, unit: u32) -> f32 {
  var scale = 1.0;
  if (dropout) {
    let threshold = options.dropoutThreshold[l / 4u][l % 4u];
    let kept = dropoutKeeps(options.dropoutSeed, step, l, 0u, unit, threshold);
    scale = select(select(0.0, options.dropoutScale[l / 4u][l % 4u], kept), 1.0, threshold == 0u);
  }
  return scale;
}

// Σ_i w[row + i]·x_i over i = first, first + stride, … < inputs, x layer l's inputs (layer 0's from the
// example's row `example` of datasetInputs).
fn partialDot(l: u32, row: u32, inputOffset: u32, example: u32, first: u32, inputs: u32, stride: u32) -> f32 {
  var sum = 0.0;
  for (var i = first; i < inputs; i += stride) {
    var x: f32;
    if (l == 0u) {
      x = datasetInputs[example + i];
    } else {
      x = activity[inputOffset + i];
    }
    sum += loadWeight(row + i) * x;
  }
  return sum;
}

// δ of the 4 units from `first` (those past the layer's units are not its own: callers leave them out).
fn deltaBlock(first: u32) -> vec4f {
  return vec4f(delta[first], delta[first + 1u], delta[first + 2u], delta[first + 3u]);
}

// (biasOffset, unitOffset into z, δ and `activity`, inputOffset into `activity`, 0) of the layer of row
// `shape`: from that row alone, as another row read at a run-time index is 4 more gathers on CPU adapters.
// Layer l's inputs (layer l − 1's outputs, l > 0) end where its own outputs start; layer 0's are read from
// datasetInputs (its inputOffset is not an index).
fn layerOffsets(shape: vec4u) -> vec4u {
  return vec4u(shape.w + shape.x * shape.y, shape.z, shape.z - shape.x, 0u);
}

// Whether a layer takes all its units per input (see forwardLayer); layer 0 then defers its update. Where
// every layer does (narrowLayers), a constant: the other ways and the undeferred path are left out.
fn takesAllUnits(units: u32) -> bool {
  return narrowLayers | ((units <= 4u) & (units * workgroupSize <= partialCount));
}

// The partial sums of a layer that takes all its units per input, over its columns i ≡ local (unit k's in
// lane k). Layer 0 first, when `update`, applies the update of the step before (its δ still in `delta`,
// that step's example at row `previous` of datasetInputs), then, when `forward`, sums this step's example
// at row `example`: fusing the two reads each weight once per step. One loop for every layer, so that its
// loads are compiled once.
fn layerColumns(
  l: u32,
  shape: vec4u,
  offsets: vec4u,
  local: u32,
  update: bool,
  forward: bool,
  example: u32,
  previous: u32,
  rates: Rates,
) -> vec4f {
  let inputs = shape.x;
  let first = l == 0u;
  // layer 0's units come first in δ: indices known when the kernel is compiled
  let d = deltaBlock(0u);
  var sums = vec4f(0.0);
  // column `inputs` holds the biases, weights of an input that is always 1
  for (var left = stridedCount(inputs + 1u, local, workgroupSize); left > 0u; left--) {
    let i = local + (left - 1u) * workgroupSize;
    let bias = i == inputs;
    var x = 1.0;
    // layer 0: x_i of the step before, for its deferred update
    var before = 1.0;
    if (!bias) {
      if (first) {
        x = select(0.0, datasetInputs[example + i], forward);
        before = datasetInputs[previous + i];
      } else {
        x = activity[offsets.z + i];
      }
    }
    var index = select(shape.w + i, offsets.x, bias);
    let stride = select(inputs, 1u, bias);
    let decays = !bias | rates.decayBiases;
    for (var k = 0u; k < 4u; k++) {
      if (k >= shape.y) {
        break;
      }
      var w = loadWeight(index);
      if (first & update) {
        w = updateParameter(index, w, d[k] * before, decays, rates);
      }
      // a select, not sums[k]: an index known only at run time would make `sums` memory, each access a
      // gather on CPU adapters
      sums += select(vec4f(0.0), vec4f(w * x), vec4u(k) == vec4u(0u, 1u, 2u, 3u));
      index += stride;
    }
  }
  return sums;
}

// Layer l's forward pass (see the header) on the example at row `example` of datasetInputs; `update`:
// layer 0 first applies the previous step's update (its example at row `previous`); `forward`: false for
// the pass after the last step, which only applies that update.
fn forwardLayer(
  l: u32,
  local: u32,
  step: u32,
  update: bool,
  forward: bool,
  example: u32,
  previous: u32,
  rates: Rates,
) {
  let shape = network.layers[l];
  let inputs = shape.x;
  let units = shape.y;
  let offsets = layerOffsets(shape);
  // each way leaves unit j's z in z[offsets.y + j], written by the invocation that activates it below
  if (takesAllUnits(units)) {
    // each invocation takes the inputs i ≡ local and all (up to 4) units at once: one load of x_i
    let sums = layerColumns(l, shape, offsets, local, update, forward, example, previous, rates);
    for (var k = 0u; k < 4u; k++) {
      if (k >= units) {
        break;
      }
      partials[k * workgroupSize + local] = sums[k];
    }
    workgroupBarrier();
    for (var left = stridedCount(units, local, workgroupSize); left > 0u; left--) {
      let j = local + (left - 1u) * workgroupSize;
      var total = 0.0;
      for (var p = 0u; p < workgroupSize; p++) {
        total += partials[j * workgroupSize + p];
      }
      z[offsets.y + j] = total;
    }
  } else if (!narrowLayers) {
    // a constant condition, unlike takesAllUnits(): the optimizer drops these ways before it inlines
    if (units * 2u > workgroupSize) {
      for (var left = stridedCount(units, local, workgroupSize); left > 0u; left--) {
        let j = local + (left - 1u) * workgroupSize;
        z[offsets.y + j] = loadWeight(offsets.x + j) + partialDot(l, shape.w + j * inputs, offsets.z, example, 0u, inputs, 1u);
      }
    } else {
      let parts = workgroupSize / units;
      let j = local % units;
      let part = local / units;
      var sum = 0.0;
      if (part < parts) {
        sum = partialDot(l, shape.w + j * inputs, offsets.z, example, part, inputs, parts);
      }
      partials[local] = sum;
      workgroupBarrier();
      if (local < units) {
        var total = loadWeight(offsets.x + local);
        for (var p = 0u; p < parts; p++) {
          total += partials[p * units + local];
        }
        z[offsets.y + local] = total;
      }
    }
  }
  // o = f(z)·dropout, in `activity` at the layer's units
  let hidden = l + 1u < network.layerCount;
  for (var left = stridedCount(units, local, workgroupSize); left > 0u; left--) {
    let j = local + (left - 1u) * workgroupSize;
    let zj = z[offsets.y + j];
    var o = activate(outputActivation, zj);
    if (hidden) {
      o = activate(hiddenActivationOf(network.extras[l].x), zj) * dropoutScale(l, step, j);
    }
    activity[offsets.y + j] = o;
  }
  phaseBarrier();
}

// fused-output.wgsl's accessors of the outputs o and the output layer's δ.
fn outputAt(index: u32) -> f32 {
  return activity[index];
}

fn setOutputAt(index: u32, value: f32) {
  activity[index] = value;
}

fn setOutputDelta(deltaBase: u32, k: u32, value: f32) {
  delta[deltaBase + k] = value;
}

// Invocation 0: softmax, the loss, the class check and the output δ of one example.
fn outputLayer(example: u32) -> Outcome {
  // the output layer's units are the last in z, δ and `activity`
  let units = outputCount;
  let base = unitCount - units;
  let targetBase = example * units;
  return scoreOutputs(base, base, targetBase, units, base, 1.0);
}

// Layer l's weight and bias updates, and for l > 0 the δ of the layer below (see the header), for the
// example at row `example` of datasetInputs. Rows go in blocks of 4 so that δ_j of a block is loaded once
// per block, not once per weight.
fn backwardLayer(l: u32, local: u32, step: u32, example: u32, rates: Rates) {
  let shape = network.layers[l];
  let offsets = layerOffsets(shape);
  let inputs = shape.x;
  let units = shape.y;
  // where the layer below starts in z and δ (for l > 0): its units are this layer's inputs
  let below = offsets.y - inputs;
  for (var j0 = 0u; j0 < units; j0 += 4u) {
    let count = min(4u, units - j0);
    let d = deltaBlock(offsets.y + j0);
    // column `inputs` holds the biases, weights of an input that is always 1
    for (var left = stridedCount(inputs + 1u, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      let bias = i == inputs;
      var x = 1.0;
      if (!bias) {
        // layer 0 is updated here only where it does not defer its update (a constant when narrowLayers)
        if (!narrowLayers & (l == 0u)) {
          x = datasetInputs[example + i];
        } else {
          x = activity[offsets.z + i];
        }
      }
      let decays = !bias | rates.decayBiases;
      var index = select(shape.w + j0 * inputs + i, offsets.x + j0, bias);
      let stride = select(inputs, 1u, bias);
      var sum = 0.0;
      for (var k = 0u; k < 4u; k++) {
        if (k >= count) {
          break;
        }
        let w = loadWeight(index);
        sum += d[k] * w;
        updateParameter(index, w, d[k] * x, decays, rates);
        index += stride;
      }
      if ((l > 0u) & !bias) {
        delta[below + i] = select(delta[below + i], 0.0, j0 == 0u) + sum;
      }
    }
  }
  if (l > 0u) {
    let activation = hiddenActivationOf(network.extras[l - 1u].x);
    for (var left = stridedCount(inputs, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      delta[below + i] *= activationDerivative(activation, z[below + i]) * dropoutScale(l - 1u, step, i);
    }
  }
}

@compute @workgroup_size(workgroupSize)
fn train(@builtin(local_invocation_index) local: u32) {
  if (weightsInWorkgroup) {
    for (var left = stridedCount(parameterCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      weightMemory[i] = parameters[i];
    }
  }
  if (slotsInWorkgroup) {
    for (var left = stridedCount(workgroupSlotCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      slotMemory[i] = slots[i];
    }
  }
  let steps = run.steps;
  let firstStep = control.step;
  let firstCursor = order.cursor;
  let layerCount = network.layerCount;
  var rates = dispatchRates();
  var lossSum = 0.0;
  var lossCompensation = 0.0;
  var correct = 0u;
  var nonFinite = 0u;
  let inputs = network.layers[0].x;
  let deferred = takesAllUnits(network.layers[0].y);
  // the weights and slots copied to workgroup memory above, before any invocation reads another's
  workgroupBarrier();
  // Layers from the top down to `lowest` are updated in the backward pass; layer 0's deferred update of
  // the last step runs in the pass s = steps, a forward pass of layer 0 that reads no example. Each helper
  // is called from one place: SwiftShader inlines every call, and its compile time grows faster than the
  // code (docs/webgpu-design.md "Pipeline compilation").
  let lowest = select(0u, 1u, deferred);
  for (var s = 0u; s <= steps; s++) {
    let last = s == steps;
    if (last & !deferred) {
      break;
    }
    let example = order.examples[firstCursor + min(s, steps - 1u)];
    // the example of the step before, whose layer-0 update this step's forward pass applies (s > 0)
    let previous = order.examples[firstCursor + select(s, 1u, s == 0u) - 1u];
    let step = firstStep + s;
    // to the table's 8 rows: a constant bound (see the header)
    for (var l = 0u; l < 8u; l++) {
      if (l >= select(layerCount, 1u, last)) {
        break;
      }
      forwardLayer(l, local, step, s > 0u, !last, example * inputs, previous * inputs, rates);
    }
    if (last) {
      break;
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
    rates = stepRates(rates, step);
    for (var l = layerCount; l > lowest; l--) {
      backwardLayer(l - 1u, local, step, example * inputs, rates);
      phaseBarrier();
    }
  }
  if (weightsInWorkgroup) {
    for (var left = stridedCount(parameterCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      parameters[i] = weightMemory[i];
    }
  }
  if (slotsInWorkgroup) {
    for (var left = stridedCount(workgroupSlotCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      slots[i] = slotMemory[i];
    }
  }
  if (local == 0u) {
    addToMetrics(lossSum - lossCompensation, correct, steps, nonFinite);
    control.step = firstStep + steps;
    order.cursor = firstCursor + steps;
  }
}
