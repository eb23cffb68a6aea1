// Dense-layer matrix products for all three shapes backprop needs, without materialising a transpose.
// Needs the libraries activation.wgsl, random.wgsl, step.wgsl, update.wgsl, one of matmul-lines.wgsl and
// matmul-lines-subgroup.wgsl (how A's lines are read) and one of matmul-right-buffer.wgsl and
// matmul-right-texels.wgsl (where B's vectors are read from) (below).
//
// One tiled product C = A·B (M×K by K×N) reads its operands through strides:
//   A(m, k) = left[m·leftRowStride + k·leftDepthStride],  B(k, n) = right[k·rightDepthStride + n·rightColumnStride]
// A layer's parameters are one buffer: weights W [units, inputs] row-major, then biases b [units] from
// element shape.biasOffset (= units·inputs); its gradient and optimizer slots have the same layout.
// Entry points and their epilogues (row-major everywhere; rows = the batch's capacity):
//   forward         A = X [rows, inputs], B(k, n) = W[n, k] (right = the parameters); M = rows, N = units, K = inputs
//                   z = X·Wᵀ + b;  o = f(z) · dropout       (z_rj = b_j + Σ_i x_ri·w_ji; b read from `bias`)
//                   writes product = z and activated = o, both [rows, units]
//   hiddenDelta     A = δ_{l+1} [rows, unitsAbove], B = W_{l+1} [unitsAbove, units_l]; M = rows, N = units_l
//                   δ_l = (δ_{l+1}·W_{l+1}) ⊙ f'(z_l) ⊙ mask_l; reads zBelow = z_l, writes product = δ_l
//   weightGradient  A(j, r) = δ[r, j], B = X [rows, inputs]; M = units, N = inputs, K = rows
//                   ∂E/∂W = δᵀ·X and ∂E/∂b = column sums of δ, written to `gradient` (the parameter layout)
//                   δ already carries the 1/rows of the batch mean (loss.wgsl), so these are mean gradients.
//   weightUpdate    the same product, but each gradient element is applied where it is made: update.wgsl's
//                   updateParameter on `parameters`, `slot0`, `slot1` (nothing written to `gradient`). Each
//                   element of W and b belongs to exactly one invocation, and nothing in the dispatch reads W,
//                   so a step runs hiddenDelta of the layer below (which reads W_l) before this.
// Gathered operand (override `gather`): layer 0 reads its X straight from the resident data set through
//   the order (step.wgsl Order), so no gathered copy of the batch exists. Batch row r is data set row
//   order.examples[batch·options.batchSize + r] for r < batchRows(batch, …), and all zeros past the batch.
//   0 none; 1 A's rows (forward: batch = order.cursor, before the loss kernel advances it);
//   2 B's depth (weightGradient, weightUpdate: batch = order.cursor − 1, after the loss kernel).
//   The gathered dimension is always the operand's strided one (the caller's layouts guarantee it).
// Bindings: shape (uniform MatmulShape), options (uniform StepOptions: dropout, batchSize), left, right,
//   bias, zBelow, control (the step, for dropout masks and adam), order (read; read only when `gather` is
//   set, any buffer otherwise), product, activated, gradient (read_write); parameters, slot0, slot1
//   (update.wgsl, weightUpdate only).
// Overrides: activation — forward: this layer's f; hiddenDelta: the layer below's f (activation.wgsl codes);
//   vectorLoads — load the operands as vec4s (see below) where the layout allows; gather (above); staged;
//   optimizer, nesterov, decoupledDecay (update.wgsl, weightUpdate only); workgroupRows, workgroupColumns
//   (below).
// Dropout: shape.layer names the hidden layer whose mask applies (forward: this one; hiddenDelta: the one
//   below); its options.dropoutThreshold is 0 for the output layer and for inference.
// Workgroup: a grid of workgroupRows × workgroupColumns invocations (overrides, 8 × 8 by default: a 64 × 64
//   tile of C; narrower for products with fewer than 64 rows or columns, so their tiles are not mostly
//   padding), each invocation an 8×8 block held in registers (register blocking: 16 vec4 accumulators).
//   Two ways to feed the blocks (override `staged`, chosen per adapter by measurement: matmul-feed.ts):
//   staged (true): K is walked in slices of 16 through workgroup memory, where both tiles are stored as
//     vec4s along M and N; 4 vec4 reads of workgroup memory per 64 multiply-adds, each operand element
//     loaded from storage once per workgroup. For GPUs, where the workgroup's invocations share the loads.
//   direct (false): each invocation reads its 8 rows of A and 8 columns of B from storage, 4 depths at a
//     time (16 vec4 loads per 256 multiply-adds), with no workgroup memory and no barrier. For CPU adapters,
//     where a workgroup runs on one thread, a barrier switches between all its subgroups, and big
//     workgroup arrays cost seconds of compilation; there this measured 2× the staged kernel's speed.
//     A's lines are read by matmul-lines.wgsl, or, on adapters with 4-wide subgroups, shared by each
//     subgroup's lanes (matmul-lines-subgroup.wgsl: the "subgroup" feed); B from `right`
//     (matmul-right-buffer.wgsl), or, with subgroup lines, in blocks of 4 depths from a texture that
//     mirrorRight wrote from it (matmul-right-texels.wgsl: the "texels" feed). Layouts without vec4 loads
//     are read one depth and one element at a time (elementProduct), never staged.
//   mirrorRight (vectorLoads layouts, any gather and batch): rightMirror's texel (v, n) = B(4v…4v+3, n),
//     zeros past B's depth (a gathered batch's rows), for the texels feed; an invocation per MIRROR_RUN
//     texels of a row (B contiguous along depth) or of 4 rows (along columns), 8 × 8 per workgroup.
//   Out-of-range elements load as 0 (staged) or are read from the first line and not stored (direct), so
//   every size is correct (1, 3, 17, 63, 65, …), not only multiples of the tile.

struct MatmulShape {
  rows: u32,
  columns: u32,
  depth: u32,
  leftRowStride: u32,
  leftDepthStride: u32,
  rightDepthStride: u32,
  rightColumnStride: u32,
  layer: u32,
  biasOffset: u32,
}

override activation: u32 = ACTIVATION_LINEAR;
// Load whole vec4s along each operand's contiguous dimension. The caller sets it only when, for both
// operands, that dimension's size and the other stride are multiples of 4 (a vec4 is then wholly inside
// or wholly outside the matrix); otherwise elements are loaded one by one.
override vectorLoads: bool = false;
const GATHER_NONE: u32 = 0u;
const GATHER_LEFT_ROWS: u32 = 1u;
const GATHER_RIGHT_DEPTH: u32 = 2u;
override gather: u32 = GATHER_NONE;
override staged: bool = true;

@group(0) @binding(0) var<uniform> shape: MatmulShape;
@group(0) @binding(1) var<storage, read> left: array<vec4f>;
@group(0) @binding(2) var<storage, read> right: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> product: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> activated: array<f32>;
@group(0) @binding(6) var<storage, read> zBelow: array<f32>;
@group(0) @binding(7) var<storage, read_write> gradient: array<f32>;
@group(0) @binding(8) var<uniform> options: StepOptions;
@group(0) @binding(9) var<storage, read> control: Control;
@group(0) @binding(10) var<storage, read> order: Order;
@group(0) @binding(12) var rightMirror: texture_storage_2d<rgba32float, write>;

const SLICE: u32 = 16u;
const BLOCK: u32 = 8u;
// The workgroup's grid of invocations, each computing a BLOCK × BLOCK block of C: 8 × 8 (a 64 × 64 tile) by
// default; the caller narrows it for products with few rows or columns (network-buffers.ts matmulGrid).
override workgroupRows: u32 = 8u;
override workgroupColumns: u32 = 8u;
override tileRows: u32 = workgroupRows * BLOCK;
override tileColumns: u32 = workgroupColumns * BLOCK;
override invocations: u32 = workgroupRows * workgroupColumns;
// One vector each when not staged: the arrays are unused then, and their size is what costs compile time.
override leftTileVectors: u32 = select(1u, SLICE * tileRows / 4u, staged);
override rightTileVectors: u32 = select(1u, SLICE * tileColumns / 4u, staged);
const NO_ROW: u32 = 0xffffffffu;

// A's slice [k][m / 4][m % 4] and B's [k][n / 4][n % 4], flattened (sizes are overrides).
var<workgroup> leftTile: array<vec4f, leftTileVectors>;
var<workgroup> rightTile: array<vec4f, rightTileVectors>;
// The gathered batch: its first entry in order.examples and its rows (set by findBatch when gathering).
var<private> batchFirst: u32;
var<private> batchRowCount: u32;

struct Block {
  // products[2·i + h][c] = C(row0 + i, column0 + 4·h + c)
  products: array<vec4f, 16>,
  // leftSums[i / 4][i % 4] = Σ_k A(row0 + i, k): the bias gradient's column sums of δ, for free (the direct
  // feed fills it for the weight products only, the only ones that read it)
  leftSums: array<vec4f, 2>,
}

// The data set row of batch row r, or NO_ROW past the batch (gathered operands only).
fn exampleRow(r: u32) -> u32 {
  let inBatch = r < batchRowCount;
  return select(NO_ROW, order.examples[select(0u, batchFirst + r, inBatch)], inBatch);
}

// The row of `left` that A's row m is read from (NO_ROW: zeros).
fn leftRow(m: u32) -> u32 {
  if (gather == GATHER_LEFT_ROWS) {
    return exampleRow(m);
  }
  return m;
}

// The row of `right` that B's depth k is read from (NO_ROW: zeros).
fn rightDepth(k: u32) -> u32 {
  if (gather == GATHER_RIGHT_DEPTH) {
    return exampleRow(k);
  }
  return k;
}

// left and right are bound as vec4 arrays (buffers are sized in multiples of 16 bytes); element i is
// component i % 4 of vector i / 4.
fn leftAt(m: u32, k: u32) -> f32 {
  if (m < shape.rows && k < shape.depth) {
    let row = leftRow(m);
    if (row == NO_ROW) {
      return 0.0;
    }
    let index = row * shape.leftRowStride + k * shape.leftDepthStride;
    return left[index / 4u][index % 4u];
  }
  return 0.0;
}

fn rightAt(k: u32, n: u32) -> f32 {
  if (k < shape.depth && n < shape.columns) {
    let depth = rightDepth(k);
    if (depth == NO_ROW) {
      return 0.0;
    }
    let index = depth * shape.rightDepthStride + n * shape.rightColumnStride;
    return right[index / 4u][index % 4u];
  }
  return 0.0;
}

// Where A(m, k0 + k) and B(k0 + k, n) are staged: the vec4 holding them, component m % 4 or n % 4.
fn leftSlot(k: u32, m: u32) -> u32 {
  return k * (tileRows / 4u) + m / 4u;
}

fn rightSlot(k: u32, n: u32) -> u32 {
  return k * (tileColumns / 4u) + n / 4u;
}

// The SLICE × tile slices of both operands at depth k0, one element per load.
fn stageElements(flat: u32, rowBase: u32, columnBase: u32, k0: u32) {
  // Consecutive invocations walk each operand's contiguous dimension, so their loads coalesce.
  for (var e = flat; e < SLICE * tileRows; e += invocations) {
    var m = e % tileRows;
    var k = e / tileRows;
    if (shape.leftDepthStride == 1u) {
      m = e / SLICE;
      k = e % SLICE;
    }
    leftTile[leftSlot(k, m)][m % 4u] = leftAt(rowBase + m, k0 + k);
  }
  for (var e = flat; e < SLICE * tileColumns; e += invocations) {
    var n = e % tileColumns;
    var k = e / tileColumns;
    if (shape.rightColumnStride != 1u) {
      n = e / SLICE;
      k = e % SLICE;
    }
    rightTile[rightSlot(k, n)][n % 4u] = rightAt(k0 + k, columnBase + n);
  }
}

// Four consecutive elements along an operand's contiguous dimension, as one vector (vectorLoads only):
// zeros outside the matrix or past a gathered batch (a gathered dimension is the strided one, so leftRow
// and rightDepth pick whole vectors). Branch-free (`&`, select, an index of 0 outside), so that every
// invocation runs the same instructions.
// A(m, k…k+3), A contiguous along depth.
fn leftAlongDepth(m: u32, k: u32) -> vec4f {
  let row = leftRow(m);
  let inside = (m < shape.rows) & (k < shape.depth) & (row != NO_ROW);
  return select(vec4f(), left[select(0u, (row * shape.leftRowStride + k) / 4u, inside)], inside);
}

// A(m…m+3, k), A contiguous along rows.
fn leftAlongRows(m: u32, k: u32) -> vec4f {
  let inside = (m < shape.rows) & (k < shape.depth);
  return select(vec4f(), left[select(0u, (m + k * shape.leftDepthStride) / 4u, inside)], inside);
}

// B(k, n…n+3), B contiguous along columns.
fn rightAlongColumns(k: u32, n: u32) -> vec4f {
  let depth = rightDepth(k);
  let inside = (n < shape.columns) & (k < shape.depth) & (depth != NO_ROW);
  return select(vec4f(), right[select(0u, (depth * shape.rightDepthStride + n) / 4u, inside)], inside);
}

// B(k…k+3, n), B contiguous along depth.
fn rightAlongDepth(k: u32, n: u32) -> vec4f {
  let inside = (n < shape.columns) & (k < shape.depth);
  return select(vec4f(), right[select(0u, (n * shape.rightColumnStride + k) / 4u, inside)], inside);
}

// The staged slices, four elements per load along each operand's contiguous dimension.
fn stageVectors(flat: u32, rowBase: u32, columnBase: u32, k0: u32) {
  for (var e = flat; e < SLICE * tileRows / 4u; e += invocations) {
    if (shape.leftDepthStride == 1u) {
      let m = e / (SLICE / 4u);
      let k = (e % (SLICE / 4u)) * 4u;
      let v = leftAlongDepth(rowBase + m, k0 + k);
      leftTile[leftSlot(k, m)][m % 4u] = v.x;
      leftTile[leftSlot(k + 1u, m)][m % 4u] = v.y;
      leftTile[leftSlot(k + 2u, m)][m % 4u] = v.z;
      leftTile[leftSlot(k + 3u, m)][m % 4u] = v.w;
    } else {
      let k = e / (tileRows / 4u);
      let m = (e % (tileRows / 4u)) * 4u;
      leftTile[leftSlot(k, m)] = leftAlongRows(rowBase + m, k0 + k);
    }
  }
  for (var e = flat; e < SLICE * tileColumns / 4u; e += invocations) {
    if (shape.rightColumnStride == 1u) {
      let k = e / (tileColumns / 4u);
      let n = (e % (tileColumns / 4u)) * 4u;
      rightTile[rightSlot(k, n)] = rightAlongColumns(k0 + k, columnBase + n);
    } else {
      let n = e / (SLICE / 4u);
      let k = (e % (SLICE / 4u)) * 4u;
      let v = rightAlongDepth(k0 + k, columnBase + n);
      rightTile[rightSlot(k, n)][n % 4u] = v.x;
      rightTile[rightSlot(k + 1u, n)][n % 4u] = v.y;
      rightTile[rightSlot(k + 2u, n)][n % 4u] = v.z;
      rightTile[rightSlot(k + 3u, n)][n % 4u] = v.w;
    }
  }
}

// Where a gathered product's batch starts in order.examples, and its rows (before either product runs).
fn findBatch() {
  if (gather != GATHER_NONE) {
    var batch = order.cursor;
    if (gather == GATHER_RIGHT_DEPTH) {
      batch -= 1u;
    }
    batchFirst = batch * options.batchSize;
    batchRowCount = batchRows(batch, options.batchSize, order.count);
  }
}

fn tileProduct(local: vec3u, group: vec3u) -> Block {
  let rowBase = group.y * tileRows;
  let columnBase = group.x * tileColumns;
  let flat = local.y * workgroupColumns + local.x;
  var c00 = vec4f();
  var c01 = vec4f();
  var c10 = vec4f();
  var c11 = vec4f();
  var c20 = vec4f();
  var c21 = vec4f();
  var c30 = vec4f();
  var c31 = vec4f();
  var c40 = vec4f();
  var c41 = vec4f();
  var c50 = vec4f();
  var c51 = vec4f();
  var c60 = vec4f();
  var c61 = vec4f();
  var c70 = vec4f();
  var c71 = vec4f();
  var sums0 = vec4f();
  var sums1 = vec4f();
  for (var k0 = 0u; k0 < shape.depth; k0 += SLICE) {
    if (vectorLoads) {
      stageVectors(flat, rowBase, columnBase, k0);
    } else {
      stageElements(flat, rowBase, columnBase, k0);
    }
    workgroupBarrier();
    for (var k = 0u; k < SLICE; k++) {
      let a0 = leftTile[leftSlot(k, local.y * BLOCK)];
      let a1 = leftTile[leftSlot(k, local.y * BLOCK + 4u)];
      let b0 = rightTile[rightSlot(k, local.x * BLOCK)];
      let b1 = rightTile[rightSlot(k, local.x * BLOCK + 4u)];
      c00 += a0.x * b0;
      c01 += a0.x * b1;
      c10 += a0.y * b0;
      c11 += a0.y * b1;
      c20 += a0.z * b0;
      c21 += a0.z * b1;
      c30 += a0.w * b0;
      c31 += a0.w * b1;
      c40 += a1.x * b0;
      c41 += a1.x * b1;
      c50 += a1.y * b0;
      c51 += a1.y * b1;
      c60 += a1.z * b0;
      c61 += a1.z * b1;
      c70 += a1.w * b0;
      c71 += a1.w * b1;
      sums0 += a0;
      sums1 += a1;
    }
    workgroupBarrier();
  }
  return Block(array<vec4f, 16>(c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71), array<vec4f, 2>(sums0, sums1));
}

// The direct feed reads without a bounds test in its depth loop (a test per load cost a fifth of the
// product's time on SwiftShader): a line of an operand (a row of A, a column of B) outside the matrix is
// read from its first line instead, and what is computed from it is never stored (the epilogues store
// only C's rows < shape.rows and columns < shape.columns). Gathered rows past the batch are read the same
// way and zeroed after the loop (blockProduct), and a gathered depth stops at the batch's end.

// Where A's row m starts in `left`, in vectors (A contiguous along depth).
fn leftLineStart(m: u32) -> u32 {
  let row = leftRow(m);
  return select(0u, row * shape.leftRowStride / 4u, (m < shape.rows) & (row != NO_ROW));
}

// Where B's column n starts in `right`, in vectors (B contiguous along depth).
fn rightLineStart(n: u32) -> u32 {
  return select(0u, n * shape.rightColumnStride / 4u, n < shape.columns);
}

// B's four lines starting at `starts` (in vectors; B contiguous along depth) at vector v: column i is line
// i's four depths. A's are read by leftLines (matmul-lines.wgsl), which a subgroup may share.
fn rightLines(starts: vec4u, v: u32) -> mat4x4f {
  return mat4x4f(right[starts.x + v], right[starts.y + v], right[starts.z + v], right[starts.w + v]);
}

// A contiguous along rows: A(m…m+3, k) is the vector left[first + k·(leftDepthStride / 4)], where `first`
// is leftRowsFirst(m) (m a multiple of 4; rows past the matrix read as rows 0…3).
fn leftRowsFirst(m: u32) -> u32 {
  return select(0u, m, m < shape.rows) / 4u;
}

fn leftRowsAt(first: u32, k: u32) -> vec4f {
  return left[first + k * (shape.leftDepthStride / 4u)];
}

// B contiguous along columns: B(k, n…n+3) is the vector right[rightDepthAt(k) + rightColumnsFirst(n)]
// (columns past the matrix read as columns 0…3; k inside the matrix and, gathered, inside the batch).
fn rightColumnsFirst(n: u32) -> u32 {
  return select(0u, n, n < shape.columns) / 4u;
}

fn rightDepthAt(k: u32) -> u32 {
  return rightDepthRow(k) * (shape.rightDepthStride / 4u);
}

// The row of `right` B's depth k is read from (k inside the matrix and, gathered, inside the batch).
fn rightDepthRow(k: u32) -> u32 {
  var row = k;
  if (gather == GATHER_RIGHT_DEPTH) {
    row = order.examples[batchFirst + k];
  }
  return row;
}

// B(k…k+3, columns) as a 4 × 4 matrix, column kk depth k + kk's (B contiguous along columns; `first` from
// rightColumnsFirst).
fn rightDepths(k: u32, first0: u32, first1: u32) -> array<mat4x4f, 2> {
  let d = vec4u(rightDepthAt(k), rightDepthAt(k + 1u), rightDepthAt(k + 2u), rightDepthAt(k + 3u));
  return array<mat4x4f, 2>(
    mat4x4f(right[d.x + first0], right[d.y + first0], right[d.z + first0], right[d.w + first0]),
    mat4x4f(right[d.x + first1], right[d.y + first1], right[d.z + first1], right[d.w + first1]),
  );
}

// The Block of the direct feeds' accumulators: c<h><r> column i is C(row0 + 4r + i, column0 + 4h…4h+3).
fn blockOf(c00: mat4x4f, c10: mat4x4f, c01: mat4x4f, c11: mat4x4f, sums0: vec4f, sums1: vec4f) -> Block {
  return Block(
    array<vec4f, 16>(
      c00[0], c10[0], c00[1], c10[1], c00[2], c10[2], c00[3], c10[3],
      c01[0], c11[0], c01[1], c11[1], c01[2], c11[2], c01[3], c11[3],
    ),
    array<vec4f, 2>(sums0, sums1),
  );
}

// Column i is b·a[i].
fn outerProduct(b: vec4f, a: vec4f) -> mat4x4f {
  return mat4x4f(b * a.x, b * a.y, b * a.z, b * a.w);
}

// The invocation's 8 × 8 block of C read straight from storage, as 4 × 4 matrices: a[h] holds A's rows
// 4h…4h+3 and b[h] B's columns 4h…4h+3 at four depths, column kk of each one depth (an operand contiguous
// along depth is loaded as lines and transposed: free in registers). vectorLoads only (elementProduct
// takes every other layout).
fn directProduct(local: vec3u, group: vec3u, alongDepthLeft: bool, alongDepthRight: bool) -> Block {
  let row0 = group.y * tileRows + local.y * BLOCK;
  let column0 = group.x * tileColumns + local.x * BLOCK;
  var depthEnd = shape.depth;
  if (gather == GATHER_RIGHT_DEPTH) {
    depthEnd = min(depthEnd, batchRowCount);
  }
  // B contiguous along columns (hiddenDelta, the weight products): where its two column vectors start.
  let rightFirst0 = rightColumnsFirst(column0);
  let rightFirst1 = rightColumnsFirst(column0 + 4u);
  // The line, or the depth, this invocation reads for its subgroup (matmul-lines-subgroup.wgsl).
  let lane = local.x % 4u;
  // c<h><r> column i is C(row0 + 4r + i, column0 + 4h…4h+3) (blockOf).
  var c00 = mat4x4f();
  var c10 = mat4x4f();
  var c01 = mat4x4f();
  var c11 = mat4x4f();
  // Σ_k A(row0 + i, k), for the weight products' bias gradients (forward and hiddenDelta never read it).
  var sums0 = vec4f();
  var sums1 = vec4f();
  if (alongDepthLeft) {
    let leftStarts0 = vec4u(leftLineStart(row0), leftLineStart(row0 + 1u), leftLineStart(row0 + 2u), leftLineStart(row0 + 3u));
    let leftStarts1 = vec4u(leftLineStart(row0 + 4u), leftLineStart(row0 + 5u), leftLineStart(row0 + 6u), leftLineStart(row0 + 7u));
    let ownStart0 = leftStarts0[lane];
    let ownStart1 = leftStarts1[lane];
    let rightStarts0 = vec4u(rightLineStart(column0), rightLineStart(column0 + 1u), rightLineStart(column0 + 2u), rightLineStart(column0 + 3u));
    let rightStarts1 = vec4u(rightLineStart(column0 + 4u), rightLineStart(column0 + 5u), rightLineStart(column0 + 6u), rightLineStart(column0 + 7u));
    for (var k = 0u; k < depthEnd; k += 4u) {
      // rows[r] column i: A(row0 + 4r + i, k…k+3)
      let rows0 = leftLines(leftStarts0, ownStart0, k / 4u);
      let rows1 = leftLines(leftStarts1, ownStart1, k / 4u);
      var b0: mat4x4f;
      var b1: mat4x4f;
      if (texels) {
        let b = rightTexelBlocks(column0, k / 4u);
        b0 = b[0];
        b1 = b[1];
      } else if (alongDepthRight) {
        b0 = transpose(rightLines(rightStarts0, k / 4u));
        b1 = transpose(rightLines(rightStarts1, k / 4u));
      } else {
        let b = rightDepths(k, rightFirst0, rightFirst1);
        b0 = b[0];
        b1 = b[1];
      }
      // (b · rows)(n, i) = Σ_kk B(k + kk, n)·A(i, k + kk)
      c00 += b0 * rows0;
      c10 += b1 * rows0;
      c01 += b0 * rows1;
      c11 += b1 * rows1;
    }
  } else {
    // The weight products: A along rows, B along columns. Four depths per iteration while they last (a
    // quarter of the loop's overhead), then one at a time: the depth, the batch, need not be a multiple of 4.
    let leftFirst0 = leftRowsFirst(row0);
    let leftFirst1 = leftRowsFirst(row0 + 4u);
    var k = 0u;
    for (; k + 4u <= depthEnd; k += 4u) {
      // a[r] column kk: A(row0 + 4r…4r+3, k + kk); b[h] column kk: B(k + kk, column0 + 4h…4h+3)
      let a0 = leftDepths(leftFirst0, lane, k);
      let a1 = leftDepths(leftFirst1, lane, k);
      var b: array<mat4x4f, 2>;
      if (texels) {
        b = rightTexelBlocks(column0, k / 4u);
      } else {
        b = rightDepths(k, rightFirst0, rightFirst1);
      }
      let rows0 = transpose(a0);
      let rows1 = transpose(a1);
      c00 += b[0] * rows0;
      c10 += b[1] * rows0;
      c01 += b[0] * rows1;
      c11 += b[1] * rows1;
      sums0 += a0[0] + a0[1] + a0[2] + a0[3];
      sums1 += a1[0] + a1[1] + a1[2] + a1[3];
    }
    for (; k < depthEnd; k++) {
      let a0 = leftRowsAt(leftFirst0, k);
      let a1 = leftRowsAt(leftFirst1, k);
      let depth = rightDepthAt(k);
      let b0 = right[depth + rightFirst0];
      let b1 = right[depth + rightFirst1];
      c00 += outerProduct(b0, a0);
      c10 += outerProduct(b1, a0);
      c01 += outerProduct(b0, a1);
      c11 += outerProduct(b1, a1);
      sums0 += a0;
      sums1 += a1;
    }
  }
  return blockOf(c00, c10, c01, c11, sums0, sums1);
}

// The direct feed for layouts that do not allow vec4 loads (a depth, a layer's inputs or units, that is
// not a multiple of 4): one depth at a time, A's 8 rows and B's 8 columns read element by element. On a CPU
// adapter that costs about what vec4 loads do (each is four gathers there) and needs no workgroup memory,
// whose zeroing makes a staged pipeline slow to compile in a browser.
fn elementProduct(local: vec3u, group: vec3u) -> Block {
  let row0 = group.y * tileRows + local.y * BLOCK;
  let column0 = group.x * tileColumns + local.x * BLOCK;
  var depthEnd = shape.depth;
  if (gather == GATHER_RIGHT_DEPTH) {
    depthEnd = min(depthEnd, batchRowCount);
  }
  let leftStarts0 = vec4u(leftElementStart(row0), leftElementStart(row0 + 1u), leftElementStart(row0 + 2u), leftElementStart(row0 + 3u));
  let leftStarts1 = vec4u(leftElementStart(row0 + 4u), leftElementStart(row0 + 5u), leftElementStart(row0 + 6u), leftElementStart(row0 + 7u));
  let rightStarts0 = vec4u(rightElementStart(column0), rightElementStart(column0 + 1u), rightElementStart(column0 + 2u), rightElementStart(column0 + 3u));
  let rightStarts1 = vec4u(rightElementStart(column0 + 4u), rightElementStart(column0 + 5u), rightElementStart(column0 + 6u), rightElementStart(column0 + 7u));
  // c<h><r> as in directProduct (blockOf)
  var c00 = mat4x4f();
  var c10 = mat4x4f();
  var c01 = mat4x4f();
  var c11 = mat4x4f();
  var sums0 = vec4f();
  var sums1 = vec4f();
  for (var k = 0u; k < depthEnd; k++) {
    let leftDepth = k * shape.leftDepthStride;
    let rightDepth = rightDepthRow(k) * shape.rightDepthStride;
    let a0 = leftElements(leftStarts0 + leftDepth);
    let a1 = leftElements(leftStarts1 + leftDepth);
    let b0 = rightElements(rightStarts0 + rightDepth);
    let b1 = rightElements(rightStarts1 + rightDepth);
    c00 += outerProduct(b0, a0);
    c10 += outerProduct(b1, a0);
    c01 += outerProduct(b0, a1);
    c11 += outerProduct(b1, a1);
    sums0 += a0;
    sums1 += a1;
  }
  return blockOf(c00, c10, c01, c11, sums0, sums1);
}

// Where A's row m starts in `left`, in elements (rows past the matrix or the batch read as row 0).
fn leftElementStart(m: u32) -> u32 {
  let row = leftRow(m);
  return select(0u, row * shape.leftRowStride, (m < shape.rows) & (row != NO_ROW));
}

// Where B's column n starts in `right`, in elements (columns past the matrix read as column 0).
fn rightElementStart(n: u32) -> u32 {
  return select(0u, n * shape.rightColumnStride, n < shape.columns);
}

// The elements of `left` and `right` at four indices (both bound as vec4 arrays).
fn leftElements(at: vec4u) -> vec4f {
  return vec4f(left[at.x / 4u][at.x % 4u], left[at.y / 4u][at.y % 4u], left[at.z / 4u][at.z % 4u], left[at.w / 4u][at.w % 4u]);
}

fn rightElements(at: vec4u) -> vec4f {
  return vec4f(right[at.x / 4u][at.x % 4u], right[at.y / 4u][at.y % 4u], right[at.z / 4u][at.z % 4u], right[at.w / 4u][at.w % 4u]);
}

// The invocation's 8 × 8 block of C, and its rows' sums of A.
fn blockProduct(local: vec3u, group: vec3u, alongDepthLeft: bool, alongDepthRight: bool) -> Block {
  findBatch();
  if (staged) {
    return tileProduct(local, group);
  }
  var direct: Block;
  if (vectorLoads) {
    direct = directProduct(local, group, alongDepthLeft, alongDepthRight);
  } else {
    direct = elementProduct(local, group);
  }
  if (gather != GATHER_LEFT_ROWS) {
    return direct;
  }
  // Rows past the batch were read from the first row: their products are zeros, as the staged feed's.
  var products = direct.products;
  let row0 = group.y * tileRows + local.y * BLOCK;
  for (var i = 0u; i < BLOCK; i++) {
    if (row0 + i >= batchRowCount) {
      products[2u * i] = vec4f();
      products[2u * i + 1u] = vec4f();
    }
  }
  return Block(products, direct.leftSums);
}

// Hidden layer `layer`'s dropout: the threshold its masks keep a unit under (0: no dropout) and the scale
// of a kept unit. Read once per invocation: per output it cost a seventh of a 512³ forward on SwiftShader.
struct Dropout {
  threshold: u32,
  scale: f32,
}

fn dropoutOf(layer: u32) -> Dropout {
  return Dropout(options.dropoutThreshold[layer / 4u][layer % 4u], options.dropoutScale[layer / 4u][layer % 4u]);
}

// The factor of the unit at (row, unit) at `step`: the kept scale or 0, and 1 without dropout.
fn dropoutFactor(dropout: Dropout, layer: u32, step: u32, row: u32, unit: u32) -> f32 {
  if (dropout.threshold == 0u) {
    return 1.0;
  }
  return select(0.0, dropout.scale, dropoutKeeps(options.dropoutSeed, step, layer, row, unit, dropout.threshold));
}

@compute @workgroup_size(workgroupColumns, workgroupRows)
fn forward(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let result = blockProduct(local, group, true, true);
  let dropout = dropoutOf(shape.layer);
  for (var i = 0u; i < BLOCK; i++) {
    let row = group.y * tileRows + local.y * BLOCK + i;
    for (var j = 0u; j < BLOCK; j++) {
      let unit = group.x * tileColumns + local.x * BLOCK + j;
      if (row < shape.rows && unit < shape.columns) {
        let z = result.products[i * 2u + j / 4u][j % 4u] + bias[shape.biasOffset + unit];
        let index = row * shape.columns + unit;
        product[index] = z;
        activated[index] = activate(activation, z) * dropoutFactor(dropout, shape.layer, control.step, row, unit);
      }
    }
  }
}

@compute @workgroup_size(workgroupColumns, workgroupRows)
fn hiddenDelta(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let result = blockProduct(local, group, true, false);
  let dropout = dropoutOf(shape.layer);
  for (var i = 0u; i < BLOCK; i++) {
    let row = group.y * tileRows + local.y * BLOCK + i;
    for (var j = 0u; j < BLOCK; j++) {
      let unit = group.x * tileColumns + local.x * BLOCK + j;
      if (row < shape.rows && unit < shape.columns) {
        let index = row * shape.columns + unit;
        // The loss kernel has already counted this step, so its masks are those of step − 1.
        let mask = dropoutFactor(dropout, shape.layer, control.step - 1u, row, unit);
        product[index] = result.products[i * 2u + j / 4u][j % 4u] * activationDerivative(activation, zBelow[index]) * mask;
      }
    }
  }
}

@compute @workgroup_size(workgroupColumns, workgroupRows)
fn weightGradient(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let result = blockProduct(local, group, false, false);
  for (var i = 0u; i < BLOCK; i++) {
    let unit = group.y * tileRows + local.y * BLOCK + i;
    if (unit < shape.rows) {
        for (var j = 0u; j < BLOCK; j++) {
        let input = group.x * tileColumns + local.x * BLOCK + j;
        if (input < shape.columns) {
          gradient[unit * shape.columns + input] = result.products[i * 2u + j / 4u][j % 4u];
        }
      }
      if (group.x == 0u && local.x == 0u) {
        gradient[shape.biasOffset + unit] = result.leftSums[i / 4u][i % 4u];
      }
    }
  }
}

@compute @workgroup_size(workgroupColumns, workgroupRows)
fn weightUpdate(@builtin(local_invocation_id) local: vec3u, @builtin(workgroup_id) group: vec3u) {
  let result = blockProduct(local, group, false, false);
  let decayBiases = options.decayBiases != 0u;
  for (var i = 0u; i < BLOCK; i++) {
    let unit = group.y * tileRows + local.y * BLOCK + i;
    if (unit < shape.rows) {
        for (var j = 0u; j < BLOCK; j++) {
        let input = group.x * tileColumns + local.x * BLOCK + j;
        if (input < shape.columns) {
          updateParameter(unit * shape.columns + input, result.products[i * 2u + j / 4u][j % 4u], true);
        }
      }
      if (group.x == 0u && local.x == 0u) {
        updateParameter(shape.biasOffset + unit, result.leftSums[i / 4u][i % 4u], decayBiases);
      }
    }
  }
}

// Texels of a row each mirrorRight invocation writes: on SwiftShader an invocation per texel made mnist's
// fills take 15–24 ms a step, against 11–14 ms at 16 (kernel-profile.ts).
const MIRROR_RUN: u32 = 16u;

@compute @workgroup_size(8, 8)
fn mirrorRight(@builtin(global_invocation_id) id: vec3u) {
  findBatch();
  let vectors = (shape.depth + 3u) / 4u;
  let first = id.x * MIRROR_RUN;
  let last = min(first + MIRROR_RUN, vectors);
  if (shape.rightDepthStride == 1u) {
    // B contiguous along depth: a texel is one vector of `right` (vectorLoads layouts only).
    let n = id.y;
    if (n < shape.columns) {
      for (var v = first; v < last; v++) {
        textureStore(rightMirror, vec2u(v, n), rightAlongDepth(4u * v, n));
      }
    }
    return;
  }
  // B contiguous along columns: four vectors of `right`, columns 4·id.y…+3 at depths k…k+3, transposed.
  let n = 4u * id.y;
  for (var v = first; v < last; v++) {
    let k = 4u * v;
    let depths = transpose(mat4x4f(rightAlongColumns(k, n), rightAlongColumns(k + 1u, n), rightAlongColumns(k + 2u, n), rightAlongColumns(k + 3u, n)));
    for (var i = 0u; i < 4u; i++) {
      if (n + i < shape.columns) {
        textureStore(rightMirror, vec2u(v, n + i), depths[i]);
      }
    }
  }
}
