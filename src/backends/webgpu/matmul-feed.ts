// How matmul.wgsl feeds its register blocks on a device (its `staged` override): through workgroup memory
// (staged: the workgroup's invocations share each load, the design for GPUs) or straight from storage
// (direct: no workgroup memory, no barrier, the faster on CPU adapters), and on adapters whose subgroups are
// 4 wide, direct with A's lines shared by each subgroup's lanes (subgroup: a quarter of A's loads, for
// SwiftShader, where every load costs per lane), and subgroup with B read from a texture written from its
// buffer before each product (texels: a 16-byte load per lane where SwiftShader makes four gathers). Which
// is fastest depends on the adapter, so it is measured once per adapter, at the backend's creation, by
// timing them on one product, and the choice is kept for every later device of that adapter, in the process
// and on the machine (docs/webgpu-kernels.md).

import type { ChoiceStore } from '../../platform.js';
import { isCpuAdapter } from './kernel-choice.js';
import {
  activationCodes,
  gatherCodes,
  matmulKernel,
  matmulSubgroupKernel,
  matmulTexelsKernel,
  matmulTile,
} from './kernels.js';
import { defaultChoiceStore, measuredChoice } from './measured-choice.js';
import { encodeStepOptions } from './network-buffers.js';
import {
  bindKernel,
  compiledKernels,
  kernelPipeline,
  passRecording,
  recordDispatch,
  TexelMirror,
} from './pipelines.js';
import { encodeUniform } from './reflect.js';
import { GpuMemory, kernelsRecorded } from './scheduler.js';

export const matmulFeeds = ['staged', 'direct', 'subgroup', 'texels'] as const;
export type MatmulFeed = (typeof matmulFeeds)[number];

/**
 * The product the feeds are timed on: 4 × 4 workgroups of 64 × 64, a reduction of 256. On a smaller one
 * (128 × 128) SwiftShader's two threads were not kept busy and direct's lead shrank to the margin below.
 */
const measuredProduct = { rows: 256, columns: 256, depth: 256 };
/** Dispatches per timing are doubled until one timing takes this long (at most maxDispatches). */
const minimumTimingMs = 2;
const maxDispatches = 256;
const rounds = 5;
/**
 * Direct (or subgroup, texels) must take at most this share of staged's time to be chosen. The feeds sum
 * each product's terms in a different order, so the last bits of trained weights depend on the feed: a
 * margin keeps an adapter on which both run alike from flipping between them from one process to the next.
 * On SwiftShader direct takes about 0.6 of staged's time. Direct, subgroup and texels sum alike (the same
 * values reach the same arithmetic), so the fastest of the three is taken without a margin.
 */
const directShare = 0.8;

const feedByDevice = new WeakMap<GPUDevice, MatmulFeed>();

/** The feed `device`'s products use: chosen by chooseMatmulFeed or useMatmulFeed, else staged. */
export function matmulFeedOf(device: GPUDevice): MatmulFeed {
  return feedByDevice.get(device) ?? 'staged';
}

/**
 * Makes `device`'s products built from now on use `feed` (tests pin each feed with it); subgroup and texels
 * fall back to direct on a device that cannot run them.
 */
export function useMatmulFeed(device: GPUDevice, feed: MatmulFeed): void {
  feedByDevice.set(device, sharesLines(feed) && !subgroupsOfFour(device) ? 'direct' : feed);
}

/** Whether a feed shares A's lines across 4-wide subgroups (matmul-lines-subgroup.wgsl): subgroup, texels. */
export function sharesLines(feed: MatmulFeed): boolean {
  return feed === 'subgroup' || feed === 'texels';
}

/**
 * The matmul.wgsl family a feed's products compile: subgroup reads A through matmul-lines-subgroup.wgsl,
 * texels that and B through matmul-right-texels.wgsl (bind its `rightTexels` to a TexelMirror of `right`).
 */
export function matmulFamilyOf(feed: MatmulFeed): typeof matmulKernel | typeof matmulTexelsKernel {
  if (feed === 'texels') return matmulTexelsKernel;
  return feed === 'subgroup' ? matmulSubgroupKernel : matmulKernel;
}

/**
 * Whether `device` may run the subgroup feed: its `subgroups` feature is enabled and every subgroup is 4
 * invocations, as on SwiftShader (each the 4 lanes of a SIMD register).
 */
export function subgroupsOfFour(device: GPUDevice): boolean {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return device.features.has('subgroups') && info?.subgroupMinSize === 4 && info?.subgroupMaxSize === 4;
}

/**
 * The faster feed on `device`'s adapter, and from then on the feed of `device`'s products. Measured on the
 * first call for that adapter, kernel source and set of candidates (milliseconds on a GPU; on SwiftShader
 * about 1 s, half of it compiling the pipelines), then kept in this process and in `store`: in Node a file
 * in the temp folder (node-platform.ts kernelChoicesFile), in a browser (a page or a worker) IndexedDB
 * (browser-choices.ts). `workgroupMemoryZeroed`: whether the device zero-initialises workgroup memory (see
 * feedsToMeasure).
 */
export async function chooseMatmulFeed(
  device: GPUDevice,
  workgroupMemoryZeroed: boolean,
  store: ChoiceStore | undefined = defaultChoiceStore(),
): Promise<MatmulFeed> {
  const feeds = feedsToMeasure(device, workgroupMemoryZeroed);
  const source = matmulKernel.source + matmulSubgroupKernel.source + matmulTexelsKernel.source;
  const feed = await measuredChoice('matmul feed', device, feeds, source, store, () =>
    measureFeeds(device, feeds),
  );
  useMatmulFeed(device, feed);
  return matmulFeedOf(device);
}

/**
 * The feeds worth timing on `device`: subgroup and texels only where they may run (subgroupsOfFour), and staged not on a
 * CPU adapter whose workgroup memory is zeroed (a browser's): there its tiles, zeroed by code Dawn adds,
 * take SwiftShader about 2 s to compile (Chromium, the demo's worker: 2.0–2.1 s, against 0.4–0.7 s for
 * direct and subgroup), and it never measured faster on a CPU adapter, where a workgroup runs on one
 * thread (direct took 0.4–0.6 of its time; docs/webgpu-kernels.md).
 */
function feedsToMeasure(device: GPUDevice, workgroupMemoryZeroed: boolean): MatmulFeed[] {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const skipStaged = workgroupMemoryZeroed && isCpuAdapter(info);
  return matmulFeeds.filter(
    (feed) => (!sharesLines(feed) || subgroupsOfFour(device)) && (feed !== 'staged' || !skipStaged),
  );
}

async function measureFeeds(device: GPUDevice, feeds: MatmulFeed[]): Promise<MatmulFeed> {
  const products = feeds.map((feed) => standaloneForward(device, measuredProduct, feed));
  try {
    const { rows, columns, depth } = measuredProduct;
    // Operands that make every product element different, so that a subgroup whose lanes are not the ones
    // matmul-lines-subgroup.wgsl expects gives a different product.
    const left = Float32Array.from({ length: rows * depth }, (_, i) => Math.sin(i));
    const right = Float32Array.from({ length: columns * depth }, (_, i) => Math.cos(i));
    for (const product of products) {
      device.queue.writeBuffer(product.left, 0, left);
      device.queue.writeBuffer(product.right, 0, right);
    }
    await compiledKernels(products.flatMap((product) => product.kernels));
    const time = async (product: StandaloneForward, dispatches: number) => {
      const start = performance.now();
      product.run(dispatches);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - start;
    };
    let dispatches = 1;
    while (dispatches < maxDispatches && (await time(products[0], dispatches)) < minimumTimingMs) {
      dispatches *= 2;
    }
    const timings: number[][] = products.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, product] of products.entries()) timings[i].push(await time(product, dispatches));
    }
    // The fastest of each: a timing can only be slowed by other work, never sped up.
    const fastest = new Map(feeds.map((feed, i) => [feed, Math.min(...timings[i])]));
    // Of the feeds that sum like direct, the fastest whose product has direct's bits.
    const product = (feed: MatmulFeed) => products[feeds.indexOf(feed)];
    const likeDirect = (['subgroup', 'texels'] as const)
      .filter((feed) => feeds.includes(feed))
      .sort((a, b) => (fastest.get(a) ?? Infinity) - (fastest.get(b) ?? Infinity));
    let fedDirect: MatmulFeed = 'direct';
    for (const feed of likeDirect) {
      if ((fastest.get(feed) ?? Infinity) >= (fastest.get('direct') ?? 0)) break;
      if (await sameProducts(device, product('direct'), product(feed))) {
        fedDirect = feed;
        break;
      }
    }
    const staged = fastest.get('staged');
    return staged === undefined || (fastest.get(fedDirect) ?? Infinity) <= directShare * staged
      ? fedDirect
      : 'staged';
  } finally {
    for (const product of products) product.destroy();
  }
}

/** Whether two products hold the same bits. */
async function sameProducts(device: GPUDevice, a: StandaloneForward, b: StandaloneForward): Promise<boolean> {
  const size = a.product.size;
  const readable = [a, b].map(() =>
    device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
  );
  try {
    const encoder = device.createCommandEncoder({ label: 'matmul feeds compared' });
    encoder.copyBufferToBuffer(a.product, 0, readable[0], 0, size);
    encoder.copyBufferToBuffer(b.product, 0, readable[1], 0, size);
    device.queue.submit([encoder.finish()]);
    await Promise.all(readable.map((buffer) => buffer.mapAsync(GPUMapMode.READ)));
    const [x, y] = readable.map((buffer) => new Uint32Array(buffer.getMappedRange()));
    return x.every((bits, i) => bits === y[i]);
  } finally {
    for (const buffer of readable) buffer.destroy();
  }
}

/** Texels of a row one mirrorRight invocation writes (matmul.wgsl MIRROR_RUN). */
const mirrorRun = 16;

/** The size of B's texture for the texels feed: ⌈depth / 4⌉ texels wide, one row per column of B. */
function mirrorSize(shape: { depth: number; columns: number }): [number, number] {
  return [Math.ceil(shape.depth / 4), shape.columns];
}

/** Whether B's texture for the texels feed fits `device`'s textures. */
export function mirrorFits(device: GPUDevice, shape: { depth: number; columns: number }): boolean {
  return mirrorSize(shape).every((size) => size <= device.limits.maxTextureDimension2D);
}

/** copyBufferToTexture's alignment of the source's rows. */
const copyRowAlignment = 256;

/**
 * B's texture for the texels feed: B(4v…4v+3, n) at texel (v, n), with its fill bound to the product's
 * resources (`shape`, `right`, and for a gathered B `options` and `order`). Where B is contiguous along
 * depth, not gathered, and its columns' stride is a multiple of 256 bytes (a layer's weights W[n, k] with
 * a multiple of 64 inputs), `right`'s rows are the texture's rows: a copy fills it, ~4 ns a texel on
 * SwiftShader against ~100 for matmul.wgsl's mirrorRight, which fills it otherwise.
 */
export function rightMirror(
  memory: GpuMemory,
  values: { depth: number; columns: number; rightDepthStride: number; rightColumnStride: number },
  gather: number,
  resources: Partial<Record<string, GPUBuffer>>,
): TexelMirror {
  const { device } = memory;
  const { right } = resources;
  if (!right) throw new Error('rightMirror: the product has no `right` buffer to mirror');
  const [width, height] = mirrorSize(values);
  const texture = memory.texture(`B texels ${values.columns} × ${values.depth}`, [width, height]);
  const mirror = new TexelMirror(texture, () => memory.destroyTexture(texture));
  const bytesPerRow = values.rightColumnStride * Float32Array.BYTES_PER_ELEMENT;
  if (
    values.rightDepthStride === 1 &&
    gather !== gatherCodes.rightDepth &&
    bytesPerRow % copyRowAlignment === 0 &&
    (right.usage & GPUBufferUsage.COPY_SRC) !== 0
  ) {
    mirror.fill = { source: right, bytesPerRow, size: [width, height] };
    return mirror;
  }
  const kernel = kernelPipeline(device, matmulTexelsKernel, 'mirrorRight', { gather });
  // An invocation per mirrorRun texels of a row, or of 4 rows where B is contiguous along columns.
  const rowsPerInvocation = values.rightDepthStride === 1 ? 1 : 4;
  mirror.fill = {
    bound: bindKernel(device, kernel, { ...resources, rightMirror: mirror }),
    groups: [Math.ceil(width / (8 * mirrorRun)), Math.ceil(height / (8 * rowsPerInvocation))],
  };
  return mirror;
}

/** matmul.wgsl forward on its own buffers: C = A·Bᵀ + 0 with A rows × depth and B columns × depth. */
export interface StandaloneForward {
  /** the product's kernel, and with the texels feed the one that fills B's texture */
  kernels: ReturnType<typeof kernelPipeline>[];
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
    // readable by a copy, as a layer's weights are (the texels feed's fill may copy it)
    right: buffer('matmul right', storage | GPUBufferUsage.COPY_SRC, floats(columns * depth)),
    bias: buffer('matmul bias', storage, floats(columns)),
    product: buffer('matmul product', storage | GPUBufferUsage.COPY_SRC, floats(rows * columns)),
    activated: buffer('matmul activated', storage, floats(rows * columns)),
    // No dropout: the output layer's rate is 0.
    options: buffer('matmul options', uniform, encodeStepOptions({ batchSize: rows })),
    control: buffer('matmul control', storage, 16),
    order: buffer('matmul order', storage, 16),
  };
  const kernel = kernelPipeline(device, matmulFamilyOf(feed), 'forward', {
    activation: activationCodes.linear,
    gather: gatherCodes.none,
    vectorLoads: true,
    staged: feed === 'staged',
  });
  const mirror =
    feed === 'texels'
      ? rightMirror(new GpuMemory(device), shapeValues, gatherCodes.none, resources)
      : undefined;
  const bound = bindKernel(device, kernel, { ...resources, ...(mirror && { rightTexels: mirror }) });
  return {
    kernels: [...kernelsRecorded((recorder) => recorder.dispatch(bound, 1))],
    left: resources.left,
    right: resources.right,
    product: resources.product,
    run(dispatches) {
      const encoder = device.createCommandEncoder({ label: 'matmul forward' });
      const recording = passRecording(encoder);
      for (let i = 0; i < dispatches; i++) {
        recordDispatch(device, recording, bound, [
          Math.ceil(columns / matmulTile),
          Math.ceil(rows / matmulTile),
        ]);
      }
      recording.endPass();
      device.queue.submit([encoder.finish()]);
    },
    destroy() {
      for (const created of buffers) created.destroy();
      mirror?.destroy();
    },
  };
}
