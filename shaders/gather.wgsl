// Mini-batch gather from the resident data set by the order buffer: shuffling permutes indices, never data.
// Needs the library step.wgsl.
//
// Bindings: shape (uniform GatherShape); options (uniform StepOptions: batchSize); order (read: cursor,
//   count, examples); datasetInputs [count, inputSize] read; datasetTargets [count, outputSize] read;
//   inputs [capacity, inputSize] read_write; targets [capacity, outputSize] read_write (row-major).
// One invocation copies one element of inputs and one of targets (when in range); workgroups of 256,
// two-dimensional dispatch for large batches. Rows past the batch (a short last batch) are zeroed.
//   inputs[r, i] = datasetInputs[order.examples[cursor·batchSize + r], i]   for r < rows, else 0

struct GatherShape {
  inputSize: u32,
  outputSize: u32,
  capacity: u32,
}

const WORKGROUP: u32 = 256u;

@group(0) @binding(0) var<uniform> shape: GatherShape;
@group(0) @binding(1) var<uniform> options: StepOptions;
@group(0) @binding(2) var<storage, read> order: Order;
@group(0) @binding(3) var<storage, read> datasetInputs: array<f32>;
@group(0) @binding(4) var<storage, read> datasetTargets: array<f32>;
@group(0) @binding(5) var<storage, read_write> inputs: array<f32>;
@group(0) @binding(6) var<storage, read_write> targets: array<f32>;

@compute @workgroup_size(WORKGROUP)
fn gather(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = id.x + id.y * groups.x * WORKGROUP;
  let first = order.cursor * options.batchSize;
  let rows = batchRows(order.cursor, options.batchSize, order.count);
  if (index < shape.capacity * shape.inputSize) {
    let row = index / shape.inputSize;
    var value = 0.0;
    if (row < rows) {
      value = datasetInputs[order.examples[first + row] * shape.inputSize + index % shape.inputSize];
    }
    inputs[index] = value;
  }
  if (index < shape.capacity * shape.outputSize) {
    let row = index / shape.outputSize;
    var value = 0.0;
    if (row < rows) {
      value = datasetTargets[order.examples[first + row] * shape.outputSize + index % shape.outputSize];
    }
    targets[index] = value;
  }
}
