// Mini-batch training of a small network in one dispatch: ONE workgroup runs many sequential training
// steps of `batchCapacity` rows, the mini-batch twin of per-example.wgsl (same bindings, network table and
// packed parameters). Used on CPU adapters for networks whose weights would fit workgroup memory
// (mini-batch.ts miniBatchLayout), where a step of the batched kernels costs ~3 dispatches per layer for
// little arithmetic. The numbers are those of the batched kernels (loss.wgsl, matmul.wgsl): mean gradients
// over the batch's rows, dropout masks drawn per batch row. Needs the libraries activation.wgsl,
// random.wgsl, step.wgsl, metrics.wgsl, fused-update.wgsl (the optimizer step) and fused-output.wgsl (the
// output layer), both on the accessors below.
//
// Bindings:
//   run: uniform Run, bound with a dynamic offset into a static buffer of step counts (no per-call upload)
//   network: uniform NetworkTable — per layer (inputs, units, unit offset into z and o, weight offset;
//            the biases follow the weights) and (activation code, block offset into δ)
//   options: uniform StepOptions (step.wgsl; batchSize = batchCapacity); control: read_write Control;
//   order: read_write Order (order.cursor counts batches, as loss.wgsl's)
//   datasetInputs [count, inputs] read; datasetTargets [count, outputs] read
//   parameters: read_write, every layer's weights [units, inputs] row-major then biases [units], packed
//   slots: read_write, the optimizer's slots packed the same way, slot k at k·parameterCount (sgd: v;
//          adam: m then s); metrics (metrics.wgsl)
// Overrides: workgroupSize (invocations: one subgroup on CPU adapters, where a workgroup runs on one
//   thread), batchCapacity (rows of a batch), unitCount (units of all layers), blockCount (Σ ⌈units / 4⌉
//   over the layers), parameterCount, weightsInWorkgroup with workgroupWeightCount (parameterCount, or 1
//   when the weights stay in `parameters`), optimizer, nesterov, decoupledDecay (fused-update.wgsl), loss,
//   outputActivation, outputCount, hiddenActivation (fused-output.wgsl), dropout (whether a hidden layer
//   drops units: without, the dropout code is left out of the pipeline).
// Workgroup memory (batchCapacity × (2·unitCount + 4·blockCount + 1) + 4·workgroupSize words, 752 for
// 960-3-4 at batch 32 on 4 invocations): z and o of every unit of every row ([row, unit], the units of all
// layers side by side), δ of every row in vec4 blocks of 4 units ([row, block], a layer's units from a
// block boundary, 0 past its units), each row's example, and 4 words per invocation for the metrics; the
// weights too (copied in at the start, out at the end) where weightsInWorkgroup: mini-batch.ts sets it
// only where Dawn does not zero-initialise workgroup memory (a browser cannot turn that off, and
// SwiftShader's compile time grows with the arrays it zeroes). The optimizer slots stay in storage.
// Register blocks: on a CPU adapter every load is a gather over the subgroup's lanes, so both passes work
// on 4 × 4 blocks held in registers: 8 loads per 16 multiply-adds, not 5 per 4.
// Loops over at most 4 items count to the constant 4 and break, strided ones down to 0 (stridedCount),
// functions return once (see per-example.wgsl).
// Per step (s = control.step before it; rows = batchRows(cursor, …), fewer for the last batch):
//   forward   invocation k takes the blocks of 4 rows 4b … 4b + 3 with b ≡ k (mod workgroupSize) through
//             every layer (no barrier between layers: a row's o is read only by its own invocation), 4 rows
//             by 4 units at a time: z_rj = b_j + Σ_i w_ji·x_ri; o = f(z)·dropout(s, layer, r, j); layer 0's
//             x straight from datasetInputs at the row's example (order.examples), no copy.
//   output    the same invocation: softmax, loss, correct, δ_r = loss.wgsl's δ / rows; a barrier.
//   backward  from the top layer down, invocation k owns the blocks of 4 columns 4c … 4c + 3 of W_l with
//             c ≡ k: for a block of 4 units j, with its 4 × 4 weights loaded once, for every batch row r it
//             adds δ_rj·x_ri to the block's gradient and Σ_j δ_rj·w_ji to δ_{l−1,ri} (the columns are one
//             δ block of the layer below), then updates the block's weights (it alone reads or writes them
//             in this phase); then δ_{l−1,ri} ·= f'(z_{l−1,ri})·mask; biases by j ≡ k with Σ_r δ_rj; a
//             barrier per layer. Layer 0's x is read again from datasetInputs.
//   update    fused-update.wgsl's step on the mean gradient (δ already carries 1/rows).
// Every invocation reaches an optimizer slot through the same column (or bias) in every step, so slots need
// no barrier; weights are read by other invocations in the next step's forward: a barrier (and a storage
// barrier, for weights in storage) ends the step. At the end control.step and order.cursor move on by the steps taken.

struct Run {
  steps: u32,
}

struct NetworkTable {
  layerCount: u32,
  // (inputs, units, unitOffset into z and o, weightOffset) per layer; its biases follow its weights
  layers: array<vec4u, 8>,
  // (activation, blockOffset into δ, unused, unused) per layer
  extras: array<vec4u, 8>,
}

override workgroupSize: u32 = 4u;
override batchCapacity: u32 = 1u;
override unitCount: u32 = 1u;
override blockCount: u32 = 1u;
override parameterCount: u32 = 1u;
override weightsInWorkgroup: bool = false;
override workgroupWeightCount: u32 = 1u;
override dropout: bool = true;

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
var<workgroup> z: array<f32, batchCapacity * unitCount>;
var<workgroup> outputs: array<f32, batchCapacity * unitCount>;
var<workgroup> delta: array<vec4f, batchCapacity * blockCount>;
// the example of each batch row (order.examples)
var<workgroup> rowExamples: array<u32, batchCapacity>;
// per invocation: its loss sum and the sum's Kahan compensation; its correct and non-finite rows
var<workgroup> lossParts: array<f32, workgroupSize * 2u>;
var<workgroup> countParts: array<u32, workgroupSize * 2u>;

fn loadSlot(slot: u32, index: u32) -> f32 {
  return slots[slot * parameterCount + index];
}

fn storeSlot(slot: u32, index: u32, value: f32) {
  slots[slot * parameterCount + index] = value;
}

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

// Hidden layer l's dropout factor for batch row r, unit j at step `step` (matmul.wgsl dropoutFactor).
fn dropoutScale(l: u32, step: u32, r: u32, j: u32) -> f32 {
  var scale = 1.0;
  if (dropout) {
    let threshold = options.dropoutThreshold[l / 4u][l % 4u];
    let kept = dropoutKeeps(options.dropoutSeed, step, l, r, j, threshold);
    scale = select(select(0.0, options.dropoutScale[l / 4u][l % 4u], kept), 1.0, threshold == 0u);
  }
  return scale;
}

// Where 4 consecutive items from `first` stand, the last of `count` repeated past it (its loads are then
// in range; the caller ignores or masks what they give).
fn clampedFour(first: u32, count: u32) -> vec4u {
  return min(vec4u(first) + vec4u(0u, 1u, 2u, 3u), vec4u(count - 1u));
}

// Whether each of 4 consecutive items from `first` is below `count`.
fn inRange(first: u32, count: u32) -> vec4<bool> {
  return vec4u(first) + vec4u(0u, 1u, 2u, 3u) < vec4u(count);
}

// Where batch row r's x of layer l (of row `shape`) starts: in datasetInputs (l = 0) or in `outputs`,
// where the layer below's units come right before this layer's.
fn inputRow(l: u32, shape: vec4u, r: u32) -> u32 {
  return select(r * unitCount + shape.z - shape.x, rowExamples[r] * shape.x, l == 0u);
}

// 4 inputs of layer l at columns `columns` of the row starting at `row` (inputRow).
fn inputFour(l: u32, row: u32, columns: vec4u) -> vec4f {
  var x: vec4f;
  if (l == 0u) {
    x = vec4f(
      datasetInputs[row + columns.x],
      datasetInputs[row + columns.y],
      datasetInputs[row + columns.z],
      datasetInputs[row + columns.w],
    );
  } else {
    x = vec4f(outputs[row + columns.x], outputs[row + columns.y], outputs[row + columns.z], outputs[row + columns.w]);
  }
  return x;
}

// Forward pass of layer l for batch rows r0 … r0 + 3 (those below `rows`), units 4 at a time.
fn forwardBlock(l: u32, r0: u32, rows: u32, step: u32) {
  let shape = network.layers[l];
  let inputs = shape.x;
  // the biases follow the weights
  let biasOffset = shape.w + inputs * shape.y;
  let hidden = l + 1u < network.layerCount;
  let r = clampedFour(r0, rows);
  let x = vec4u(
    inputRow(l, shape, r.x),
    inputRow(l, shape, r.y),
    inputRow(l, shape, r.z),
    inputRow(l, shape, r.w),
  );
  for (var j0 = 0u; j0 < shape.y; j0 += 4u) {
    let w = shape.w + clampedFour(j0, shape.y) * inputs;
    // sums of row r0 + k in sums[k], units j0 … j0 + 3 in its lanes
    var sums = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
    if (l == 0u) {
      for (var i = 0u; i < inputs; i++) {
        let weights = vec4f(loadWeight(w.x + i), loadWeight(w.y + i), loadWeight(w.z + i), loadWeight(w.w + i));
        sums[0] += weights * datasetInputs[x.x + i];
        sums[1] += weights * datasetInputs[x.y + i];
        sums[2] += weights * datasetInputs[x.z + i];
        sums[3] += weights * datasetInputs[x.w + i];
      }
    } else {
      for (var i = 0u; i < inputs; i++) {
        let weights = vec4f(loadWeight(w.x + i), loadWeight(w.y + i), loadWeight(w.z + i), loadWeight(w.w + i));
        sums[0] += weights * outputs[x.x + i];
        sums[1] += weights * outputs[x.y + i];
        sums[2] += weights * outputs[x.z + i];
        sums[3] += weights * outputs[x.w + i];
      }
    }
    for (var k = 0u; k < 4u; k++) {
      if (k >= rows - r0) {
        break;
      }
      for (var u = 0u; u < 4u; u++) {
        if (u >= shape.y - j0) {
          break;
        }
        let j = j0 + u;
        let total = loadWeight(biasOffset + j) + sums[k][u];
        let at = (r0 + k) * unitCount + shape.z + j;
        z[at] = total;
        var o = activate(outputActivation, total);
        if (hidden) {
          o = activate(hiddenActivationOf(network.extras[l].x), total) * dropoutScale(l, step, r0 + k, j);
        }
        outputs[at] = o;
      }
    }
  }
}

// fused-output.wgsl's accessors of the outputs o and the output layer's δ.
fn outputAt(index: u32) -> f32 {
  return outputs[index];
}

fn setOutputAt(index: u32, value: f32) {
  outputs[index] = value;
}

// δ of unit k of the output layer, whose first block for the row is deltaBase
fn setOutputDelta(deltaBase: u32, k: u32, value: f32) {
  delta[deltaBase + k / 4u][k % 4u] = value;
}

// Softmax, the loss, the class check and the output δ (divided by `rows`) of batch row r.
fn outputRow(r: u32, rows: u32) -> Outcome {
  // the output layer's units and δ blocks are the last of the row's
  let units = outputCount;
  let base = (r + 1u) * unitCount - units;
  let deltaBase = (r + 1u) * blockCount - (units + 3u) / 4u;
  let targetBase = rowExamples[r] * units;
  // 0 past the units in the last block (the backward pass reads whole blocks)
  delta[deltaBase + (units - 1u) / 4u] = vec4f(0.0);
  return scoreOutputs(base, base, targetBase, units, deltaBase, 1.0 / f32(rows));
}

// Layer l's weight and bias updates over the batch's rows, and for l > 0 the δ of the layer below, for
// the blocks of 4 columns this invocation owns.
fn backwardLayer(l: u32, local: u32, step: u32, rows: u32, rates: Rates) {
  let shape = network.layers[l];
  let inputs = shape.x;
  let units = shape.y;
  let biasOffset = shape.w + inputs * units;
  let blockOffset = network.extras[l].y;
  // where the layer below (for l > 0), whose units are this layer's inputs, starts in z and in δ blocks
  let belowUnit = shape.z - inputs;
  let belowBlock0 = blockOffset - (inputs + 3u) / 4u;
  for (var left = stridedCount(inputs, 4u * local, 4u * workgroupSize); left > 0u; left--) {
    let c0 = 4u * local + (left - 1u) * 4u * workgroupSize;
    let columns = clampedFour(c0, inputs);
    let belowBlock = belowBlock0 + c0 / 4u;
    for (var j0 = 0u; j0 < units; j0 += 4u) {
      let unitsHere = min(4u, units - j0);
      // w[k]: column c0 + k of units j0 … j0 + 3 (the last unit repeated past `units`, where δ is 0)
      let rowsOfW = shape.w + clampedFour(j0, units) * inputs;
      var w = array<vec4f, 4>();
      for (var k = 0u; k < 4u; k++) {
        let c = columns[k];
        w[k] = vec4f(loadWeight(rowsOfW.x + c), loadWeight(rowsOfW.y + c), loadWeight(rowsOfW.z + c), loadWeight(rowsOfW.w + c));
      }
      var gradient = array<vec4f, 4>(vec4f(0.0), vec4f(0.0), vec4f(0.0), vec4f(0.0));
      for (var r = 0u; r < rows; r++) {
        let d = delta[r * blockCount + blockOffset + j0 / 4u];
        let x = inputFour(l, inputRow(l, shape, r), columns);
        gradient[0] += d * x.x;
        gradient[1] += d * x.y;
        gradient[2] += d * x.z;
        gradient[3] += d * x.w;
        if (l > 0u) {
          let at = r * blockCount + belowBlock;
          let sums = vec4f(dot(d, w[0]), dot(d, w[1]), dot(d, w[2]), dot(d, w[3]));
          delta[at] = select(delta[at], vec4f(0.0), j0 == 0u) + sums;
        }
      }
      for (var k = 0u; k < 4u; k++) {
        if (k >= inputs - c0) {
          break;
        }
        for (var u = 0u; u < 4u; u++) {
          if (u >= unitsHere) {
            break;
          }
          updateParameter(shape.w + (j0 + u) * inputs + c0 + k, w[k][u], gradient[k][u], true, rates);
        }
      }
    }
    if (l > 0u) {
      let activation = hiddenActivationOf(network.extras[l - 1u].x);
      let valid = inRange(c0, inputs);
      for (var r = 0u; r < rows; r++) {
        let at = r * blockCount + belowBlock;
        let zRow = r * unitCount + belowUnit;
        var factor = vec4f(0.0);
        for (var k = 0u; k < 4u; k++) {
          if (valid[k]) {
            factor[k] = activationDerivative(activation, z[zRow + c0 + k]) * dropoutScale(l - 1u, step, r, c0 + k);
          }
        }
        // 0 past the layer's units, whatever the products gave there
        delta[at] = select(vec4f(0.0), delta[at] * factor, valid);
      }
    }
  }
  for (var left = stridedCount(units, local, workgroupSize); left > 0u; left--) {
    let j = local + (left - 1u) * workgroupSize;
    var gradient = 0.0;
    for (var r = 0u; r < rows; r++) {
      gradient += delta[r * blockCount + blockOffset + j / 4u][j % 4u];
    }
    let index = biasOffset + j;
    updateParameter(index, loadWeight(index), gradient, rates.decayBiases, rates);
  }
}

@compute @workgroup_size(workgroupSize)
fn train(@builtin(local_invocation_index) local: u32) {
  if (weightsInWorkgroup) {
    for (var left = stridedCount(parameterCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      weightMemory[i] = parameters[i];
    }
    workgroupBarrier();
  }
  let steps = run.steps;
  let firstStep = control.step;
  let firstCursor = order.cursor;
  let count = order.count;
  let batchSize = options.batchSize;
  let layerCount = network.layerCount;
  let dispatch = dispatchRates();
  var lossSum = 0.0;
  var lossCompensation = 0.0;
  var correct = 0u;
  var nonFinite = 0u;
  var examples = 0u;
  for (var s = 0u; s < steps; s++) {
    let cursor = firstCursor + s;
    let step = firstStep + s;
    let rows = batchRows(cursor, batchSize, count);
    examples += rows;
    for (var left = stridedCount(rows, 4u * local, 4u * workgroupSize); left > 0u; left--) {
      let r0 = 4u * local + (left - 1u) * 4u * workgroupSize;
      for (var k = 0u; k < 4u; k++) {
        let r = r0 + k;
        if (r >= rows) {
          break;
        }
        rowExamples[r] = order.examples[cursor * batchSize + r];
      }
      // to the table's 8 rows: a constant bound (see above)
      for (var l = 0u; l < 8u; l++) {
        if (l >= layerCount) {
          break;
        }
        forwardBlock(l, r0, rows, step);
      }
      for (var k = 0u; k < 4u; k++) {
        let r = r0 + k;
        if (r >= rows) {
          break;
        }
        let outcome = outputRow(r, rows);
        let y = outcome.loss - lossCompensation;
        let t = lossSum + y;
        lossCompensation = (t - lossSum) - y;
        lossSum = t;
        correct += outcome.correct;
        nonFinite += select(1u, 0u, outcome.finite);
      }
    }
    workgroupBarrier();
    let rates = stepRates(dispatch, step);
    for (var l = layerCount; l > 0u; l--) {
      backwardLayer(l - 1u, local, step, rows, rates);
      workgroupBarrier();
    }
    storageBarrier();
    workgroupBarrier();
  }
  if (weightsInWorkgroup) {
    for (var left = stridedCount(parameterCount, local, workgroupSize); left > 0u; left--) {
      let i = local + (left - 1u) * workgroupSize;
      parameters[i] = weightMemory[i];
    }
  }
  lossParts[2u * local] = lossSum;
  lossParts[2u * local + 1u] = lossCompensation;
  countParts[2u * local] = correct;
  countParts[2u * local + 1u] = nonFinite;
  workgroupBarrier();
  if (local == 0u) {
    var total = 0.0;
    var totalCorrect = 0u;
    var totalNonFinite = 0u;
    for (var k = 0u; k < workgroupSize; k++) {
      total += lossParts[2u * k] - lossParts[2u * k + 1u];
      totalCorrect += countParts[2u * k];
      totalNonFinite += countParts[2u * k + 1u];
    }
    addToMetrics(total, totalCorrect, examples, totalNonFinite);
    control.step = firstStep + steps;
    order.cursor = firstCursor + steps;
  }
}
