// matmul-feed.ts: the standalone forward product both feeds are timed on (and the benchmark's matmul runs)
// against a float64 product, the choice measured once per adapter, and the default for unmeasured devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseMatmulFeed,
  matmulFeedOf,
  matmulFeeds,
  standaloneForward,
  subgroupsOfFour,
  useMatmulFeed,
} from '../../../src/backends/webgpu/matmul-feed.js';
import { Random } from '../../../src/model/random.js';
import type { ChoiceStore } from '../../../src/platform.js';
import { recordCompiles, testDevice, withAdapterInfo } from '../../helpers/gpu.js';
import { expectClose } from '../conformance.js';

const devices: GPUDevice[] = [];
let device: GPUDevice;
beforeAll(async () => {
  device = (await testDevice()).device;
  devices.push(device);
});
afterAll(() => {
  for (const made of devices) made.destroy();
});

async function readBack(buffer: GPUBuffer, floats: number): Promise<Float32Array> {
  const readable = device.createBuffer({
    size: floats * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, readable, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  await readable.mapAsync(GPUMapMode.READ);
  const values = new Float32Array(readable.getMappedRange().slice(0));
  readable.destroy();
  return values;
}

describe.each(matmulFeeds)('standaloneForward fed %s', (feed) => {
  it.each([
    [12, 20, 36],
    [68, 4, 132],
    [128, 128, 512],
  ])('%i rows × %i columns, depth %i: C = A·Bᵀ', async (rows, columns, depth) => {
    const random = new Random(rows + columns + depth);
    const a = Float32Array.from({ length: rows * depth }, () => random.uniform(-1, 1));
    const bTransposed = Float32Array.from({ length: columns * depth }, () => random.uniform(-1, 1));
    const expected = new Float64Array(rows * columns);
    for (let m = 0; m < rows; m++)
      for (let n = 0; n < columns; n++)
        for (let k = 0; k < depth; k++)
          expected[m * columns + n] += a[m * depth + k] * bTransposed[n * depth + k];
    const product = standaloneForward(device, { rows, columns, depth }, feed);
    try {
      device.queue.writeBuffer(product.left, 0, a);
      device.queue.writeBuffer(product.right, 0, bTransposed);
      product.run(2);
      expectClose(await readBack(product.product, rows * columns), expected, 'C');
    } finally {
      product.destroy();
    }
  });
});

describe('the subgroup and texels feeds', () => {
  // B's texture is filled by matmul.wgsl's mirrorRight where B's rows are not a multiple of 256 bytes
  // (depth 100), and by a copy where they are (depth 128).
  for (const [depth, fill] of [
    [100, 'mirrorRight'],
    [128, 'a copy'],
  ] as const) {
    it(`run on SwiftShader, whose subgroups are 4 wide, and give the bits of the direct feed (depth ${depth}: texels filled by ${fill})`, async () => {
      expect(subgroupsOfFour(device)).toBe(true);
      const [rows, columns] = [256, 72];
      const random = new Random(7);
      const a = Float32Array.from({ length: rows * depth }, () => random.uniform(-1, 1));
      const b = Float32Array.from({ length: columns * depth }, () => random.uniform(-1, 1));
      const products = await Promise.all(
        (['direct', 'subgroup', 'texels'] as const).map(async (feed) => {
          const product = standaloneForward(device, { rows, columns, depth }, feed);
          try {
            if (feed === 'texels') {
              const labels = product.kernels.map((kernel) => kernel.descriptor.label ?? '');
              expect(labels.some((label) => label.includes(' mirrorRight:'))).toBe(fill === 'mirrorRight');
            }
            device.queue.writeBuffer(product.left, 0, a);
            device.queue.writeBuffer(product.right, 0, b);
            product.run(1);
            return new Uint32Array((await readBack(product.product, rows * columns)).buffer);
          } finally {
            product.destroy();
          }
        }),
      );
      expect(products[1]).toEqual(products[0]);
      expect(products[2]).toEqual(products[0]);
    });
  }

  it('fall back to direct on a device whose subgroups are not 4 wide', () => {
    const wide = withAdapterInfo(device, {
      vendor: 'wide-subgroups',
      subgroupMinSize: 32,
      subgroupMaxSize: 32,
    } as Partial<GPUAdapterInfo>);
    expect(subgroupsOfFour(wide)).toBe(false);
    useMatmulFeed(wide, 'subgroup');
    expect(matmulFeedOf(wide)).toBe('direct');
    useMatmulFeed(wide, 'texels');
    expect(matmulFeedOf(wide)).toBe('direct');
  });
});

describe('chooseMatmulFeed', () => {
  it('an unmeasured device is staged; useMatmulFeed pins a feed', async () => {
    const { device: fresh } = await testDevice();
    devices.push(fresh);
    expect(matmulFeedOf(fresh)).toBe('staged');
    useMatmulFeed(fresh, 'direct');
    expect(matmulFeedOf(fresh)).toBe('direct');
  });

  it('measures once per adapter: a second device of the same adapter compiles nothing and gets the same feed', async () => {
    const first = await chooseMatmulFeed(device, false);
    expect(matmulFeeds).toContain(first);
    expect(matmulFeedOf(device)).toBe(first);
    const { device: second } = await testDevice();
    devices.push(second);
    const compiles = recordCompiles(second);
    expect(await chooseMatmulFeed(second, false)).toBe(first);
    expect(matmulFeedOf(second)).toBe(first);
    expect(compiles.labels).toEqual([]);
  });

  // Node's file store answers at once, a browser's IndexedDB through promises.
  for (const answers of ['at once', 'through promises'] as const) {
    it(`keeps the measured choice in the store for later processes, and uses a kept one without measuring (a store that answers ${answers})`, async () => {
      const kept = new Map<string, string>();
      const store: ChoiceStore =
        answers === 'at once'
          ? {
              get: (key) => kept.get(key),
              set: (key, value) => {
                kept.set(key, value);
              },
            }
          : {
              get: async (key) => kept.get(key),
              set: async (key, value) => {
                kept.set(key, value);
              },
            };
      // Adapters this process has not measured yet, so the store is consulted.
      const vendor = `store-test ${answers}`;
      const measuredHere = withAdapterInfo(device, { vendor, architecture: 'measured' });
      const feed = await chooseMatmulFeed(measuredHere, false, store);
      const [[key, value]] = kept;
      expect(key).toContain(vendor);
      // the kernels' version (a hash of their source), then the choice
      const [version, choice] = value.split(' ');
      expect(version).toMatch(/^[0-9a-f]+$/);
      expect(choice).toBe(feed);

      const keptElsewhere = withAdapterInfo(device, { vendor, architecture: 'kept' });
      const other = feed === 'direct' ? 'staged' : 'direct';
      kept.set(key.replace('"measured"', '"kept"'), `${version} ${other}`);
      const compiles = recordCompiles(device);
      try {
        expect(await chooseMatmulFeed(keptElsewhere, false, store)).toBe(other);
      } finally {
        compiles.restore();
      }
      expect(compiles.labels).toEqual([]);
      // A value that is not a feed (a damaged store) is measured again.
      const damaged = withAdapterInfo(device, { vendor, architecture: 'damaged' });
      kept.set(key.replace('"measured"', '"damaged"'), `${version} sideways`);
      expect(matmulFeeds).toContain(await chooseMatmulFeed(damaged, false, store));
      expect(kept.get(key.replace('"measured"', '"damaged"'))).not.toContain('sideways');
      // A choice kept for other kernels (an earlier version of the library) is measured again and replaced
      // under the same key, so the store does not grow with every version.
      const older = withAdapterInfo(device, { vendor, architecture: 'older' });
      const olderKey = key.replace('"measured"', '"older"');
      kept.set(olderKey, `0 ${other}`);
      const entries = kept.size;
      const remeasured = recordCompiles(device);
      try {
        await chooseMatmulFeed(older, false, store);
      } finally {
        remeasured.restore();
      }
      expect(remeasured.labels).not.toEqual([]);
      expect(kept.get(olderKey)).toMatch(new RegExp(`^${version} `));
      expect(kept.size).toBe(entries);
    });
  }

  it('does not compile or time staged on a CPU adapter whose workgroup memory is zeroed (a browser), and keeps that choice apart', async () => {
    const kept = new Map<string, string>();
    const store: ChoiceStore = {
      get: (key) => kept.get(key),
      set: (key, value) => {
        kept.set(key, value);
      },
    };
    // A CPU adapter (no subgroup sizes: not a subgroup candidate either) on a device that zeroes.
    const browserLike = withAdapterInfo(device, { vendor: 'zeroing-test', architecture: 'swiftshader' });
    const compiles = recordCompiles(device);
    try {
      expect(await chooseMatmulFeed(browserLike, true, store)).toBe('direct');
    } finally {
      compiles.restore();
    }
    expect(compiles.labels.filter((label) => label.includes('"staged":true'))).toEqual([]);
    expect([...kept]).toEqual([
      [expect.stringMatching(/zeroing-test.* direct$/), expect.stringMatching(/^[0-9a-f]+ direct$/)],
    ]);
    // Where the device does not zero, staged is a candidate again: another key.
    const nodeLike = withAdapterInfo(device, { vendor: 'zeroing-test', architecture: 'swiftshader' });
    expect(['staged', 'direct']).toContain(await chooseMatmulFeed(nodeLike, false, store));
    expect([...kept.keys()][1]).toMatch(/ staged,direct$/);
  });

  it('rejects sizes that are not multiples of 4, saying so', () => {
    expect(() => standaloneForward(device, { rows: 6, columns: 8, depth: 8 }, 'direct')).toThrow(
      /multiples of 4/,
    );
  });
});
