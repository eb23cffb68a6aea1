// The output layer: stable softmax, each loss and its output delta, fused with the per-batch loss sum,
// correct count and finiteness, accumulated on the GPU. Needs the libraries activation.wgsl and step.wgsl.
//
// One workgroup of `workgroupSize` invocations handles a whole batch: invocation r takes rows r, r + workgroupSize, …
// Bindings (rows = the batch capacity, units = the output layer's units, row-major):
//   shape: uniform LossShape; options: uniform StepOptions (batchSize);
//   z [rows, units] read; activated [rows, units] read_write (softmax rows are normalised here);
//   targets read: train, evaluate: the data set's targets [count, units], row order.examples[…] for batch
//   row r (no gathered copy of the batch); gradient: [rows, units] as given; delta [rows, units] read_write;
//   metrics (metrics.wgsl); confusion: read_write [classes, classes];
//   order: read_write Order (cursor, count); control: read_write Control (step).
// Overrides: activation (the output layer's, activation.wgsl codes), loss (0 squared-error,
//   1 binary-cross-entropy, 2 softmax-cross-entropy), workgroupSize (a power of two, at most 256: the
//   batch capacity rounded up, so a batch of 32 does not reduce 256 partial sums through 8 barriers).
// Per example (spec.ts, math.ts):
//   squared-error          E = ½·Σ_k (t_k − o_k)²              δ_k = (o_k − t_k)·f'(z_k)
//   binary-cross-entropy   E = Σ_k softplus(z_k) − t_k·z_k      δ_k = o_k − t_k       (o = σ(z))
//   softmax-cross-entropy  E = Σ_k t_k·(logsumexp(z) − z_k)     δ_k = o_k·Σ_j t_j − t_k (o = softmax(z))
// δ is divided by the batch's rows here, so the products downstream give mean gradients; rows past the
// batch (a short last batch) get δ = 0.
// Entry points:
//   train      rows of the batch at order.cursor; writes δ, adds to metrics, then advances order.cursor and
//              control.step (the device-side counters: nothing is uploaded per step).
//   evaluate   rows of the chunk at order.cursor; adds to metrics and confusion; advances the cursor,
//              wrapping to 0 after the last chunk so the next evaluation starts at the beginning.
//   gradient   rows = options.batchSize (inputs written directly); writes δ only.
//   predict    rows = options.batchSize; only normalises softmax rows.

struct LossShape {
  units: u32,
  classes: u32,
}

override activation: u32 = ACTIVATION_SIGMOID;
override loss: u32 = 0u;
const LOSS_SQUARED_ERROR: u32 = 0u;
const LOSS_BINARY_CROSS_ENTROPY: u32 = 1u;
override workgroupSize: u32 = 256u;

@group(0) @binding(0) var<uniform> shape: LossShape;
@group(0) @binding(1) var<uniform> options: StepOptions;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read_write> activated: array<f32>;
@group(0) @binding(4) var<storage, read> targets: array<f32>;
@group(0) @binding(5) var<storage, read_write> delta: array<f32>;
@group(0) @binding(7) var<storage, read_write> confusion: array<atomic<u32>>;
@group(0) @binding(8) var<storage, read_write> order: Order;
@group(0) @binding(9) var<storage, read_write> control: Control;

var<workgroup> lossPartials: array<f32, workgroupSize>;
var<workgroup> correctCount: atomic<u32>;
var<workgroup> nonFiniteCount: atomic<u32>;

// Zeroes the workgroup counts before any row adds to them: workgroup memory starts undefined where Dawn's
// zero-initialisation is off (src/node-platform.ts).
fn clearCounts(local: u32) {
  if (local == 0u) {
    atomicStore(&correctCount, 0u);
    atomicStore(&nonFiniteCount, 0u);
  }
  workgroupBarrier();
}

// Softmax rows: o = e^(z − max z) / Σ e^(z − max z). Returns logsumexp(z) for the cross-entropy.
fn normaliseRow(base: u32) -> f32 {
  var largest = z[base];
  for (var k = 1u; k < shape.units; k++) {
    largest = max(largest, z[base + k]);
  }
  var sum = 0.0;
  for (var k = 0u; k < shape.units; k++) {
    sum += exp(z[base + k] - largest);
  }
  for (var k = 0u; k < shape.units; k++) {
    activated[base + k] = exp(z[base + k] - largest) / sum;
  }
  return largest + log(sum);
}

// The class a row stands for: argmax (first maximum), or for one unit 1 when ≥ 0.5.
fn classOfOutputs(base: u32) -> u32 {
  if (shape.units == 1u) {
    return select(0u, 1u, activated[base] >= 0.5);
  }
  var best = 0u;
  for (var k = 1u; k < shape.units; k++) {
    if (activated[base + k] > activated[base + best]) {
      best = k;
    }
  }
  return best;
}

fn classOfTargets(targetBase: u32) -> u32 {
  if (shape.units == 1u) {
    return select(0u, 1u, targets[targetBase] >= 0.5);
  }
  var best = 0u;
  for (var k = 1u; k < shape.units; k++) {
    if (targets[targetBase + k] > targets[targetBase + best]) {
      best = k;
    }
  }
  return best;
}

// The loss of one row (o already final) against the targets at targetBase; counts correct and non-finite
// rows in workgroup atomics.
fn rowLoss(row: u32, targetBase: u32, logSumExp: f32, withConfusion: bool) -> f32 {
  let base = row * shape.units;
  var sum = 0.0;
  var finite = true;
  for (var k = 0u; k < shape.units; k++) {
    let t = targets[targetBase + k];
    let o = activated[base + k];
    finite = finite && isFinite(o);
    if (loss == LOSS_SQUARED_ERROR) {
      sum += 0.5 * (t - o) * (t - o);
    } else if (loss == LOSS_BINARY_CROSS_ENTROPY) {
      sum += softplus(z[base + k]) - t * z[base + k];
    } else {
      sum += t * (logSumExp - z[base + k]);
    }
  }
  if (!finite || !isFinite(sum)) {
    atomicAdd(&nonFiniteCount, 1u);
  }
  let actual = classOfTargets(targetBase);
  let predicted = classOfOutputs(base);
  if (actual == predicted) {
    atomicAdd(&correctCount, 1u);
  }
  if (withConfusion) {
    atomicAdd(&confusion[actual * shape.classes + predicted], 1u);
  }
  return sum;
}

// δ of one row against the targets at targetBase, divided by `rows` for the batch mean.
fn writeDelta(row: u32, targetBase: u32, rows: u32) {
  let base = row * shape.units;
  let scale = 1.0 / f32(rows);
  var targetSum = 0.0;
  for (var k = 0u; k < shape.units; k++) {
    targetSum += targets[targetBase + k];
  }
  for (var k = 0u; k < shape.units; k++) {
    let t = targets[targetBase + k];
    let o = activated[base + k];
    var d = o * targetSum - t;
    if (loss == LOSS_SQUARED_ERROR) {
      d = (o - t) * activationDerivative(activation, z[base + k]);
    } else if (loss == LOSS_BINARY_CROSS_ENTROPY) {
      d = o - t;
    }
    delta[base + k] = d * scale;
  }
}

fn clearDelta(row: u32) {
  for (var k = 0u; k < shape.units; k++) {
    delta[row * shape.units + k] = 0.0;
  }
}

// Where the targets of batch row `row` start in the data set (train, evaluate).
fn exampleTargets(row: u32) -> u32 {
  return order.examples[order.cursor * options.batchSize + row] * shape.units;
}

fn finalOutputs(row: u32) -> f32 {
  if (activation == ACTIVATION_SOFTMAX) {
    return normaliseRow(row * shape.units);
  }
  return 0.0;
}

// Sums the invocations' losses and adds the batch to `metrics` (invocation 0 only after the reduction).
fn accumulateMetrics(local: u32, partial: f32, rows: u32) {
  lossPartials[local] = partial;
  workgroupBarrier();
  for (var width = workgroupSize / 2u; width > 0u; width /= 2u) {
    if (local < width) {
      lossPartials[local] += lossPartials[local + width];
    }
    workgroupBarrier();
  }
  if (local == 0u) {
    addToMetrics(lossPartials[0], atomicLoad(&correctCount), rows, atomicLoad(&nonFiniteCount));
  }
}

@compute @workgroup_size(workgroupSize)
fn train(@builtin(local_invocation_index) local: u32) {
  clearCounts(local);
  let rows = batchRows(order.cursor, options.batchSize, order.count);
  let capacity = arrayLength(&delta) / shape.units;
  var partial = 0.0;
  for (var row = local; row < capacity; row += workgroupSize) {
    if (row < rows) {
      let targetBase = exampleTargets(row);
      partial += rowLoss(row, targetBase, finalOutputs(row), false);
      writeDelta(row, targetBase, rows);
    } else {
      clearDelta(row);
    }
  }
  accumulateMetrics(local, partial, rows);
  if (local == 0u) {
    order.cursor += 1u;
    control.step += 1u;
  }
}

@compute @workgroup_size(workgroupSize)
fn evaluate(@builtin(local_invocation_index) local: u32) {
  clearCounts(local);
  let rows = batchRows(order.cursor, options.batchSize, order.count);
  var partial = 0.0;
  for (var row = local; row < rows; row += workgroupSize) {
    partial += rowLoss(row, exampleTargets(row), finalOutputs(row), true);
  }
  accumulateMetrics(local, partial, rows);
  if (local == 0u) {
    order.cursor = select(order.cursor + 1u, 0u, (order.cursor + 1u) * options.batchSize >= order.count);
  }
}

@compute @workgroup_size(workgroupSize)
fn gradient(@builtin(local_invocation_index) local: u32) {
  let rows = options.batchSize;
  let capacity = arrayLength(&delta) / shape.units;
  for (var row = local; row < capacity; row += workgroupSize) {
    if (row < rows) {
      finalOutputs(row);
      writeDelta(row, row * shape.units, rows);
    } else {
      clearDelta(row);
    }
  }
}

@compute @workgroup_size(workgroupSize)
fn predict(@builtin(local_invocation_index) local: u32) {
  for (var row = local; row < options.batchSize; row += workgroupSize) {
    finalOutputs(row);
  }
}
