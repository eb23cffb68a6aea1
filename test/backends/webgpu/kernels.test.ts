// The matmul kernels at every awkward size (1, 3, 17, 63, 65, 130, 1000 in each role: rows, inputs, units),
// through the smallest networks that isolate each one, against math.ts in float64, under each feed.
// Tolerance: conformance.ts expectClose — |gpu − ref| ≤ 1e-4·(|ref| + max|ref|) per element.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backward, forward } from '../../../src/backends/cpu/math.js';
import {
  matmulFamilyOf,
  matmulFeedOf,
  matmulFeeds,
  useMatmulFeed,
} from '../../../src/backends/webgpu/matmul-feed.js';
import { matmulGrid, vectorLoadsFit } from '../../../src/backends/webgpu/network-buffers.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { Random } from '../../../src/model/random.js';
import type { LayerParams, NetworkSpec } from '../../../src/model/spec.js';
import { recordCompiles } from '../../helpers/gpu.js';
import { expectClose } from '../conformance.js';

const sizes = [1, 3, 17, 63, 65, 130, 1000];
/** Size i in the first role, i + 1 in the second, …: every size meets every role once. */
const shapes = sizes.map((_, i) => sizes.map((__, k) => sizes[(i + k) % sizes.length]));

let gpu: WebGpuBackend;
beforeAll(async () => {
  gpu = await WebGpuBackend.create();
});
afterAll(() => gpu.dispose());

function linearNetwork(widths: number[]): NetworkSpec {
  return {
    inputSize: widths[0],
    layers: widths.slice(1).map((units) => ({ units, activation: 'linear' as const })),
    loss: 'squared-error',
  };
}

function randomData(spec: NetworkSpec, rows: number, seed: number) {
  const random = new Random(seed);
  let inputs = spec.inputSize;
  const params: LayerParams[] = spec.layers.map(({ units }) => {
    const layer = {
      weights: Float32Array.from({ length: units * inputs }, () => random.uniform(-1, 1)),
      biases: Float32Array.from({ length: units }, () => random.uniform(-1, 1)),
    };
    inputs = units;
    return layer;
  });
  const outputs = spec.layers[spec.layers.length - 1].units;
  const x = Float32Array.from({ length: rows * spec.inputSize }, () => random.uniform(-1, 1));
  const t = Float32Array.from({ length: rows * outputs }, () => random.uniform(-1, 1));
  return { params, x, t };
}

// Every size under both ways of feeding the products that have no vec4 loads: staged (a GPU), and direct,
// element by element (a CPU adapter's feed, direct or subgroup), which must compile its own pipelines.
describe.each(['staged', 'direct'] as const)('matmul.wgsl at awkward sizes, fed %s', (feed) => {
  let compiles: ReturnType<typeof recordCompiles>;
  beforeAll(() => {
    useMatmulFeed(gpu.device, feed);
    compiles = recordCompiles(gpu.device);
  });
  afterAll(() => compiles.restore());

  describe('matmul.wgsl forward: z = X·Wᵀ + b', () => {
    for (const [rows, inputs, units] of shapes) {
      it(`${rows} rows × ${inputs} inputs → ${units} units`, async () => {
        const spec = linearNetwork([inputs, units]);
        const { params, x } = randomData(spec, rows, rows + inputs);
        const net = gpu.createNetwork(spec, params);
        try {
          expectClose(await net.predict(x, rows), forward(spec, params, x, rows).o[0], 'z');
        } finally {
          net.dispose();
        }
      });
    }
  });

  describe('matmul.wgsl weightGradient: ∂E/∂W = δᵀ·X and ∂E/∂b = column sums of δ', () => {
    for (const [rows, inputs, units] of shapes) {
      it(`${rows} rows × ${inputs} inputs → ${units} units`, async () => {
        const spec = linearNetwork([inputs, units]);
        const { params, x, t } = randomData(spec, rows, 3 * rows + inputs);
        const reference = backward(spec, params, forward(spec, params, x, rows), t);
        const net = gpu.createNetwork(spec, params);
        try {
          const [gradient] = await net.gradients(x, t, rows);
          expectClose(gradient.weights, reference[0].weights, 'dW');
          expectClose(gradient.biases, reference[0].biases, 'db');
        } finally {
          net.dispose();
        }
      });
    }
  });

  describe('matmul.wgsl hiddenDelta: δ_l = (δ_{l+1}·W_{l+1}) ⊙ f′(z_l)', () => {
    for (const [rows, inputs, hidden, units] of shapes) {
      it(`${rows} rows, ${inputs} → ${hidden} → ${units}`, async () => {
        const spec = linearNetwork([Math.min(inputs, 130), hidden, units]);
        spec.layers[0] = { units: hidden, activation: 'tanh' };
        const { params, x, t } = randomData(spec, rows, rows + hidden);
        const reference = backward(spec, params, forward(spec, params, x, rows), t);
        const net = gpu.createNetwork(spec, params);
        try {
          const gradients = await net.gradients(x, t, rows);
          // layer 0's gradient is δ_0ᵀ·X, so it carries the hidden delta
          expectClose(gradients[0].weights, reference[0].weights, 'dW_0');
          expectClose(gradients[0].biases, reference[0].biases, 'δ_0 column sums');
        } finally {
          net.dispose();
        }
      });
    }
  });

  it(`compiled forward, hiddenDelta and weightGradient without vec4 loads, staged: ${feed === 'staged'}`, () => {
    for (const entry of ['forward', 'hiddenDelta', 'weightGradient']) {
      expect(
        compiles.labels.some(
          (label) =>
            label.startsWith(`matmul.wgsl ${entry}:`) &&
            label.includes('"vectorLoads":false') &&
            label.includes(`"staged":${feed === 'staged'}`),
        ),
      ).toBe(true);
    }
  });
});

// Products whose layouts allow vec4 loads run on the feed measured for the adapter (matmul-feed.ts): every
// feed is checked here, each pinned, and each seen to compile its own pipelines. SwiftShader's subgroups
// are 4 wide, so the subgroup and texels feeds run here (pinning them on a device that cannot would fail
// below).
describe.each(matmulFeeds)('matmul.wgsl with vec4 loads, fed %s', (feed) => {
  let compiles: ReturnType<typeof recordCompiles>;
  beforeAll(() => {
    useMatmulFeed(gpu.device, feed);
    expect(matmulFeedOf(gpu.device)).toBe(feed);
    compiles = recordCompiles(gpu.device);
  });
  afterAll(() => compiles.restore());

  const vectorShapes = [
    [65, 1000, 68, 12],
    [130, 12, 64, 20],
    [1, 8, 4, 4],
    [33, 36, 100, 8],
    // layer 0's weights in rows of 512 bytes: fed texels, its forward product's texture is copied from them
    [40, 128, 64, 8],
  ];
  for (const [rows, inputs, hidden, units] of vectorShapes) {
    it(`${rows} rows, ${inputs} → ${hidden} → ${units}: forward, weight gradients, hidden delta`, async () => {
      const spec = linearNetwork([inputs, hidden, units]);
      spec.layers[0] = { units: hidden, activation: 'sigmoid' };
      // The shapes the workspace gives these products, so the test checks the path it claims to.
      expect(
        vectorLoadsFit({
          rows,
          columns: hidden,
          depth: inputs,
          leftRowStride: inputs,
          leftDepthStride: 1,
          rightDepthStride: 1,
          rightColumnStride: inputs,
        }),
      ).toBe(true);
      expect(
        vectorLoadsFit({
          rows: hidden,
          columns: inputs,
          depth: rows,
          leftRowStride: 1,
          leftDepthStride: hidden,
          rightDepthStride: inputs,
          rightColumnStride: 1,
        }),
      ).toBe(true);
      expect(
        vectorLoadsFit({
          rows,
          columns: hidden,
          depth: units,
          leftRowStride: units,
          leftDepthStride: 1,
          rightDepthStride: hidden,
          rightColumnStride: 1,
        }),
      ).toBe(true);
      const { params, x, t } = randomData(spec, rows, rows * 3 + hidden);
      const pass = forward(spec, params, x, rows);
      const reference = backward(spec, params, pass, t);
      const net = gpu.createNetwork(spec, params);
      try {
        expectClose(await net.predict(x, rows), pass.o[1], 'outputs');
        const gradients = await net.gradients(x, t, rows);
        reference.forEach((layer, l) => {
          expectClose(gradients[l].weights, layer.weights, `dW_${l}`);
          expectClose(gradients[l].biases, layer.biases, `db_${l}`);
        });
      } finally {
        net.dispose();
      }
    });
  }

  it(`compiled forward, hiddenDelta and weightGradient in ${matmulFamilyOf(feed).file}, staged: ${feed === 'staged'}`, () => {
    const family = matmulFamilyOf(feed);
    const matmuls = compiles.labels.filter(
      (label) => label.startsWith(`${family.file} `) && label.includes('"vectorLoads":true'),
    );
    for (const entry of ['forward', 'hiddenDelta', 'weightGradient']) {
      expect(
        matmuls.some(
          (label) => label.includes(` ${entry}:`) && label.includes(`"staged":${feed === 'staged'}`),
        ),
      ).toBe(true);
    }
    // Only the texels feed writes B's texture before its products.
    expect(compiles.labels.some((label) => label.includes(' mirrorRight:'))).toBe(feed === 'texels');
  });
});

describe('vectorLoadsFit', () => {
  it('is not chosen when a dimension is not a multiple of 4', () => {
    const shape = {
      rows: 8,
      columns: 8,
      depth: 6,
      leftRowStride: 6,
      leftDepthStride: 1,
      rightDepthStride: 1,
      rightColumnStride: 6,
    };
    expect(vectorLoadsFit(shape)).toBe(false);
    expect(vectorLoadsFit({ ...shape, depth: 8, leftRowStride: 8, rightColumnStride: 8 })).toBe(true);
  });
});

describe('matmulGrid: the invocation grid of each product', () => {
  it('is 8 × 8 (64 × 64 tiles) for large products and narrows to the 8 × 8 blocks a small one needs', () => {
    expect(matmulGrid({ rows: 1000, columns: 130 })).toEqual({ workgroupRows: 8, workgroupColumns: 8 });
    // 960-3-4 at batch 32: the forward product of layer 0 is 32 rows × 3 units
    expect(matmulGrid({ rows: 32, columns: 3 })).toEqual({ workgroupRows: 4, workgroupColumns: 1 });
    expect(matmulGrid({ rows: 17, columns: 65 })).toEqual({ workgroupRows: 3, workgroupColumns: 8 });
    expect(matmulGrid({ rows: 1, columns: 1 })).toEqual({ workgroupRows: 1, workgroupColumns: 1 });
  });
});
