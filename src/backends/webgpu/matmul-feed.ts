// How matmul.wgsl feeds its register blocks on a device (its `staged` override): through workgroup memory
// (staged: the workgroup's invocations share each load, the design for GPUs) or straight from storage
// (direct: no workgroup memory, no barrier, the faster on CPU adapters). Which is faster depends on the
// adapter, so it is measured once per adapter, at the backend's creation, by timing both on one product,
// and the choice is kept for every later device of that adapter in the process (docs/webgpu-kernels.md).

import { activationCodes, gatherCodes, matmulKernel, matmulTile } from './kernels.js';
import { encodeStepOptions } from './network-buffers.js';
import { bindKernel, compiledKernels, kernelPipeline, pipelineOf } from './pipelines.js';
import { encodeUniform } from './reflect.js';

export type MatmulFeed = 'staged' | 'direct';

/** The product both feeds are timed on: 2 × 2 workgroups of 64 × 64, a reduction of 256. */
const measuredProduct = { rows: 128, columns: 128, depth: 256 };
/** Dispatches per timing are doubled until one timing takes this long (at most maxDispatches). */
const minimumTimingMs = 2;
const maxDispatches = 256;
const rounds = 3;
/**
 * Direct must take at most this share of staged's time to be chosen. The feeds sum each product's terms in
 * a different order, so the last bits of trained weights depend on the feed: a margin keeps an adapter on
 * which both run alike from flipping between them from one process to the next. On SwiftShader direct
 * takes about 0.6 of staged's time.
 */
const directShare = 0.8;

const measuredByAdapter = new Map<string, Promise<MatmulFeed>>();
const feedByDevice = new WeakMap<GPUDevice, MatmulFeed>();

/** The feed `device`'s products use: chosen by chooseMatmulFeed or useMatmulFeed, else staged. */
export function matmulFeedOf(device: GPUDevice): MatmulFeed {
  return feedByDevice.get(device) ?? 'staged';
}

/** Makes `device`'s products built from now on use `feed` (tests pin each feed with it). */
export function useMatmulFeed(device: GPUDevice, feed: MatmulFeed): void {
  feedByDevice.set(device, feed);
}

/**
 * The faster feed on `device`'s adapter, measured on the first call for that adapter in this process
 * (milliseconds on a GPU; on SwiftShader about 0.5 s, mostly compiling both pipelines), and from
 * then on the feed of `device`'s products.
 */
export async function chooseMatmulFeed(device: GPUDevice): Promise<MatmulFeed> {
  const key = adapterKey(device);
  let measured = measuredByAdapter.get(key);
  if (!measured) {
    measured = measureFeeds(device);
    measuredByAdapter.set(key, measured);
    // A failed measurement (a lost device) is not the adapter's answer: the next device measures again.
    measured.catch(() => measuredByAdapter.delete(key));
  }
  const feed = await measured;
  useMatmulFeed(device, feed);
  return feed;
}

function adapterKey(device: GPUDevice): string {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const { vendor, architecture, device: id, description, isFallbackAdapter } = info ?? {};
  return JSON.stringify([vendor, architecture, id, description, isFallbackAdapter]);
}

async function measureFeeds(device: GPUDevice): Promise<MatmulFeed> {
  const products = (['staged', 'direct'] as const).map((feed) =>
    standaloneForward(device, measuredProduct, feed),
  );
  try {
    await compiledKernels(products.map((product) => product.kernel));
    const time = async (product: StandaloneForward, dispatches: number) => {
      const start = performance.now();
      product.run(dispatches);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - start;
    };
    for (const product of products) await time(product, 1);
    let dispatches = 1;
    while (dispatches < maxDispatches && (await time(products[0], dispatches)) < minimumTimingMs) {
      dispatches *= 2;
    }
    const timings: number[][] = [[], []];
    for (let round = 0; round < rounds; round++) {
      for (const [i, product] of products.entries()) timings[i].push(await time(product, dispatches));
    }
    const [staged, direct] = timings.map((list) => list.sort((a, b) => a - b)[list.length >> 1]);
    return direct <= directShare * staged ? 'direct' : 'staged';
  } finally {
    for (const product of products) product.destroy();
  }
}

/** matmul.wgsl forward on its own buffers: C = A·Bᵀ + 0 with A rows × depth and B columns × depth. */
export interface StandaloneForward {
  kernel: ReturnType<typeof kernelPipeline>;
  left: GPUBuffer;
  right: GPUBuffer;
  product: GPUBuffer;
  /** submits `dispatches` products, one after another */
  run(dispatches: number): void;
  destroy(): void;
}

/**
 * One forward product with a linear activation and vec4 loads (the product the benchmark's matmul and the
 * feed measurement time), outside any network. Its buffers start at zero; write `left` and `right`.
 */
export function standaloneForward(
  device: GPUDevice,
  shape: { rows: number; columns: number; depth: number },
  feed: MatmulFeed,
): StandaloneForward {
  const { rows, columns, depth } = shape;
  if ([rows, columns, depth].some((size) => size % 4 !== 0)) {
    throw new Error(
      `standaloneForward: sizes must be multiples of 4 (vec4 loads), got ${rows}×${depth}·${depth}×${columns}`,
    );
  }
  const buffers: GPUBuffer[] = [];
  const buffer = (label: string, usage: number, contents: number | ArrayBuffer) => {
    const size = typeof contents === 'number' ? contents : contents.byteLength;
    const created = device.createBuffer({ label, size, usage: usage | GPUBufferUsage.COPY_DST });
    if (typeof contents !== 'number') device.queue.writeBuffer(created, 0, contents);
    buffers.push(created);
    return created;
  };
  const storage = GPUBufferUsage.STORAGE;
  const uniform = GPUBufferUsage.UNIFORM;
  const floats = (count: number) => count * Float32Array.BYTES_PER_ELEMENT;
  // B(k, n) = right[k + n·depth]: `right` holds Bᵀ row-major, as a layer's weights W[n, k].
  const shapeValues = {
    rows,
    columns,
    depth,
    leftRowStride: depth,
    leftDepthStride: 1,
    rightDepthStride: 1,
    rightColumnStride: depth,
    layer: 0,
    biasOffset: 0,
  };
  const resources = {
    shape: buffer('matmul shape', uniform, encodeUniform(matmulKernel, 'shape', shapeValues)),
    left: buffer('matmul left', storage, floats(rows * depth)),
    right: buffer('matmul right', storage, floats(columns * depth)),
    bias: buffer('matmul bias', storage, floats(columns)),
    product: buffer('matmul product', storage | GPUBufferUsage.COPY_SRC, floats(rows * columns)),
    activated: buffer('matmul activated', storage, floats(rows * columns)),
    // No dropout: the output layer's rate is 0.
    options: buffer('matmul options', uniform, encodeStepOptions({ batchSize: rows })),
    control: buffer('matmul control', storage, 16),
    order: buffer('matmul order', storage, 16),
  };
  const kernel = kernelPipeline(device, matmulKernel, 'forward', {
    activation: activationCodes.linear,
    gather: gatherCodes.none,
    vectorLoads: true,
    staged: feed === 'staged',
  });
  const { bindGroup } = bindKernel(device, kernel, resources);
  return {
    kernel,
    left: resources.left,
    right: resources.right,
    product: resources.product,
    run(dispatches) {
      const encoder = device.createCommandEncoder({ label: 'matmul forward' });
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipelineOf(device, kernel));
      pass.setBindGroup(0, bindGroup);
      for (let i = 0; i < dispatches; i++) {
        pass.dispatchWorkgroups(Math.ceil(columns / matmulTile), Math.ceil(rows / matmulTile));
      }
      pass.end();
      device.queue.submit([encoder.finish()]);
    },
    destroy() {
      for (const created of buffers) created.destroy();
    },
  };
}
