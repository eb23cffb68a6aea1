// A training step's weight update for one layer: the gradient ∂E/∂W = δᵀ·X, whose reduction runs over the
// batch's rows (short: 1 to a few hundred), applied by the optimizer in the invocation that sums it (as
// matmul.wgsl weightUpdate, which does the same with 64 × 64 tiles staged through workgroup memory). Needs
// the libraries step.wgsl and update.wgsl.
//
// Bindings (rows = the batch's capacity, row-major everywhere):
//   shape: uniform GradientShape (units, inputs, rows, biasOffset = units·inputs)
//   options: uniform StepOptions (batchSize, the optimizer's rates); control: read Control (update.wgsl's t)
//   order: read Order: read only when `gathered` (any buffer otherwise)
//   delta [rows, units] read: this layer's δ, already carrying the batch mean's 1/rows (loss.wgsl)
//   activity [·, inputs] read: the layer's input X: the layer below's o [rows, inputs], or for layer 0 the
//     data set's inputs [count, inputs], batch row r read from row order.examples[batch·batchSize + r]
//   parameters, slot0, slot1 (update.wgsl): read_write, this layer's weights [units, inputs] then biases
//   Both read-only operands are bound as vec4 arrays (buffers are whole 16-byte vectors).
// Overrides: gathered — X is layer 0's, read through the order; batch = order.cursor − 1 (the loss kernel
//   has advanced it), reduction over its batchRows (the batch's rows, fewer for the last batch); otherwise
//   over all `rows` (rows past the batch have δ = 0). vectorInputs (inputs % 4 = 0) and vectorDeltas
//   (units % 4 = 0): load whole vec4s, else four elements with bounds checks. workgroupRows: 4 by default,
//   narrowed to the unit blocks a layer has (weight-update.ts). optimizer, nesterov, decoupledDecay
//   (update.wgsl).
// Invocation (x, y) owns an 8 × 4 block: units j0 … j0 + 7 (j0 = 8·y) by inputs i0 … i0 + 3 (i0 = 4·x):
//   g_ji = Σ_r δ_rj · x_ri        (per row one vec4 of X and two of δ: 32 multiply-adds per 3 loads)
//   then update.wgsl's updateParameter on each (l1, l2 and adamw decay apply: weights decay). Invocations
//   with x = 0 also own the biases of their units: g_j = Σ_r δ_rj (decaying when options.decayBiases).
// Workgroup: 16 invocations along the inputs (their X loads are 16 consecutive vec4s, coalesced) by
// workgroupRows along the units: an 8·workgroupRows × 64 block of W. Nothing is shared, so there is no
// workgroup memory and no barrier: every workgroup streams its rows of δ and X from the caches, which suits
// short reductions (the rows) where a staged tile would be reused only a few times.

struct GradientShape {
  units: u32,
  inputs: u32,
  rows: u32,
  biasOffset: u32,
}

override gathered: bool = false;
override vectorInputs: bool = false;
override vectorDeltas: bool = false;
const COLUMNS: u32 = 16u;
override workgroupRows: u32 = 4u;

@group(0) @binding(0) var<uniform> shape: GradientShape;
@group(0) @binding(1) var<uniform> options: StepOptions;
@group(0) @binding(2) var<storage, read> control: Control;
@group(0) @binding(3) var<storage, read> order: Order;
@group(0) @binding(4) var<storage, read> delta: array<vec4f>;
@group(0) @binding(5) var<storage, read> activity: array<vec4f>;

// Elements i0 … i0 + 3 of X's row `row` (zeros past the row's end).
fn inputsAt(row: u32, i0: u32) -> vec4f {
  let base = row * shape.inputs + i0;
  if (vectorInputs) {
    return activity[base / 4u];
  }
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    if (i0 + c < shape.inputs) {
      v[c] = activity[(base + c) / 4u][(base + c) % 4u];
    }
  }
  return v;
}

// δ of batch row r, units j0 … j0 + 3 (zeros past the layer's units).
fn deltasAt(r: u32, j0: u32) -> vec4f {
  if (j0 >= shape.units) {
    return vec4f();
  }
  let base = r * shape.units + j0;
  if (vectorDeltas) {
    return delta[base / 4u];
  }
  var v = vec4f();
  for (var c = 0u; c < 4u; c++) {
    if (j0 + c < shape.units) {
      v[c] = delta[(base + c) / 4u][(base + c) % 4u];
    }
  }
  return v;
}

// Applies unit j's gradients of inputs i0 … i0 + 3.
fn updateRow(j: u32, i0: u32, gradients: vec4f) {
  if (j >= shape.units) {
    return;
  }
  for (var c = 0u; c < 4u; c++) {
    if (i0 + c < shape.inputs) {
      updateParameter(j * shape.inputs + i0 + c, gradients[c], true);
    }
  }
}

@compute @workgroup_size(COLUMNS, workgroupRows)
fn weightUpdate(@builtin(global_invocation_id) id: vec3u) {
  let i0 = id.x * 4u;
  let j0 = id.y * 8u;
  // No barrier below, so invocations past the layer may leave at once.
  if (i0 >= shape.inputs || j0 >= shape.units) {
    return;
  }
  var rowCount = shape.rows;
  var first = 0u;
  if (gathered) {
    let batch = order.cursor - 1u;
    first = batch * options.batchSize;
    rowCount = batchRows(batch, options.batchSize, order.count);
  }
  var g0 = vec4f();
  var g1 = vec4f();
  var g2 = vec4f();
  var g3 = vec4f();
  var g4 = vec4f();
  var g5 = vec4f();
  var g6 = vec4f();
  var g7 = vec4f();
  var biasGradients = vec4f();
  var biasGradients1 = vec4f();
  for (var r = 0u; r < rowCount; r++) {
    var row = r;
    if (gathered) {
      row = order.examples[first + r];
    }
    let x = inputsAt(row, i0);
    let d = deltasAt(r, j0);
    let e = deltasAt(r, j0 + 4u);
    g0 += d.x * x;
    g1 += d.y * x;
    g2 += d.z * x;
    g3 += d.w * x;
    g4 += e.x * x;
    g5 += e.y * x;
    g6 += e.z * x;
    g7 += e.w * x;
    biasGradients += d;
    biasGradients1 += e;
  }
  updateRow(j0, i0, g0);
  updateRow(j0 + 1u, i0, g1);
  updateRow(j0 + 2u, i0, g2);
  updateRow(j0 + 3u, i0, g3);
  updateRow(j0 + 4u, i0, g4);
  updateRow(j0 + 5u, i0, g5);
  updateRow(j0 + 6u, i0, g6);
  updateRow(j0 + 7u, i0, g7);
  if (id.x == 0u) {
    let decayBiases = options.decayBiases != 0u;
    for (var c = 0u; c < 4u; c++) {
      if (j0 + c < shape.units) {
        updateParameter(shape.biasOffset + j0 + c, biasGradients[c], decayBiases);
      }
      if (j0 + 4u + c < shape.units) {
        updateParameter(shape.biasOffset + j0 + 4u + c, biasGradients1[c], decayBiases);
      }
    }
  }
}
