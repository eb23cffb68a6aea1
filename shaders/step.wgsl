// Library (no entry points): the structs every training kernel shares.
//
// StepOptions (uniform `options`): the hyperparameters of a train() call, written only when they change
//   (so not per step). Two buffers exist per network: the training options, and the inference options
//   (no dropout, batchSize = rows of a predict/gradients/evaluate chunk).
//   dropoutThreshold[l / 4][l % 4]: hidden layer l keeps a unit when (hash >> 8) ≥ threshold (0 = no dropout);
//   dropoutScale likewise: 1 / (1 − rate), the inverted-dropout scale of kept units. At most 32 hidden layers.
// Control (storage `control`): optimizer steps taken so far. loss.wgsl `train` adds 1 at the end of each
//   step's forward pass, so kernels after it in the step (hidden deltas, updates) read t = the step number
//   counting from 1 (adam's t), and the step's dropout masks are those of step t − 1.
// Order (storage `order`): a data set's visiting order, uploaded once per epoch together with its header;
//   layer 0's products (matmul.wgsl) and the loss (loss.wgsl) read the batch's rows through it.
//   cursor: the batch the next step takes (advanced on the GPU by loss.wgsl); count: examples in the set.

struct StepOptions {
  learningRate: f32,
  l1: f32,
  l2: f32,
  momentum: f32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weightDecay: f32,
  decayBiases: u32,
  dropoutSeed: u32,
  batchSize: u32,
  dropoutThreshold: array<vec4u, 8>,
  dropoutScale: array<vec4f, 8>,
}

struct Control {
  step: u32,
}

struct Order {
  cursor: u32,
  count: u32,
  examples: array<u32>,
}

// Rows of the batch the cursor points at: batchSize, or fewer for the last batch of the order.
fn batchRows(cursor: u32, batchSize: u32, count: u32) -> u32 {
  return min(batchSize, count - cursor * batchSize);
}

// How many of first, first + stride, … are below count. The fused kernels loop over them counting down to
// 0 (visiting them from the last): Tint guards every loop but those that step by 1 to a constant with a
// 64-bit counter, branches SwiftShader compiles slowly (docs/webgpu-design.md "Pipeline compilation").
fn stridedCount(count: u32, first: u32, stride: u32) -> u32 {
  return select(0u, (count - first + stride - 1u) / stride, first < count);
}
