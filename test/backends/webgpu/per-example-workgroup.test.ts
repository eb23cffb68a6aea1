// The fused per-example kernel's workgroup size, measured once per adapter when the backend is created
// (per-example-workgroup.ts): the candidates, the choice kept in the store and in the process, and a kept choice
// taken without compiling anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  perExampleWorkgroupSizeOf,
  workgroupCandidates,
} from '../../../src/backends/webgpu/per-example-workgroup.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import type { ChoiceStore } from '../../../src/platform.js';
import { recordCompiles, testDevice, withAdapterInfo } from '../../helpers/gpu.js';

let device: GPUDevice;
beforeAll(async () => {
  ({ device } = await testDevice());
});
afterAll(() => device.destroy());

/** A CPU adapter with 4-wide subgroups, as SwiftShader, under a name no other test measures. */
function cpuAdapter(vendor: string): GPUDevice {
  return withAdapterInfo(device, {
    vendor,
    architecture: 'swiftshader',
    subgroupMinSize: 4,
    subgroupMaxSize: 4,
  });
}

function memoryStore(): ChoiceStore & { kept: Map<string, string> } {
  const kept = new Map<string, string>();
  return {
    kept,
    get: (key) => kept.get(key),
    set: (key, value) => {
      kept.set(key, value);
    },
  };
}

const perExampleSizes = (labels: string[]) =>
  labels
    .filter((label) => label.startsWith('per-example.wgsl '))
    .map((label) => Number(/"workgroupSize":(\d+)/.exec(label)?.[1]));

describe('workgroupCandidates', () => {
  it('on a CPU adapter 1, 2 and 4 subgroups, the rule first; on a GPU 64 first, then 32 to 256 within the limit', () => {
    expect(workgroupCandidates(cpuAdapter('candidates'), false)).toEqual([4, 8, 16]);
    const gpu = withAdapterInfo(device, {
      vendor: 'candidates',
      architecture: 'some-gpu',
      subgroupMinSize: 32,
    });
    expect(workgroupCandidates(gpu, false)).toEqual(
      [64, 32, 128, 256].filter((size) => size <= device.limits.maxComputeInvocationsPerWorkgroup),
    );
  });
});

describe('the per-example workgroup size measured when the backend is created', () => {
  it('times every candidate once per adapter, keeps the choice, and uses it for the fused kernel', async () => {
    const store = memoryStore();
    const measured = cpuAdapter('fused-test measured');
    const compiles = recordCompiles(device);
    const backend = await WebGpuBackend.create(measured, false, store);
    try {
      expect(new Set(perExampleSizes(compiles.labels))).toEqual(new Set([4, 8, 16]));
      const kept = [...store.kept].filter(([key]) => key.includes('per-example workgroup size'));
      expect(kept).toHaveLength(1);
      const [[key, value]] = kept;
      expect(key).toMatch(/fused-test measured.* 4,8,16$/);
      const [, size] = value.split(' ');
      expect(['4', '8', '16']).toContain(size);
      expect(perExampleWorkgroupSizeOf(measured)).toBe(Number(size));
      // A second device of the adapter in this process: nothing measured, the same size.
      compiles.labels.length = 0;
      const again = cpuAdapter('fused-test measured');
      const second = await WebGpuBackend.create(again, false, store);
      second.dispose();
      expect(perExampleSizes(compiles.labels)).toEqual([]);
      expect(perExampleWorkgroupSizeOf(again)).toBe(Number(size));
    } finally {
      compiles.restore();
      backend.dispose();
    }
  });

  it('takes a size kept by an earlier process without compiling, and measures again past a damaged one', async () => {
    const store = memoryStore();
    const first = cpuAdapter('fused-test kept');
    await WebGpuBackend.create(first, false, store).then((backend) => backend.dispose());
    const [key] = [...store.kept.keys()].filter((name) => name.includes('per-example workgroup size'));
    const [version] = (store.kept.get(key) ?? '').split(' ');
    const compiles = recordCompiles(device);
    try {
      const keptElsewhere = cpuAdapter('fused-test elsewhere');
      store.kept.set(key.replace('fused-test kept', 'fused-test elsewhere'), `${version} 8`);
      (await WebGpuBackend.create(keptElsewhere, false, store)).dispose();
      expect(perExampleWorkgroupSizeOf(keptElsewhere)).toBe(8);
      expect(perExampleSizes(compiles.labels)).toEqual([]);

      const damaged = cpuAdapter('fused-test damaged');
      store.kept.set(key.replace('fused-test kept', 'fused-test damaged'), `${version} 5`);
      (await WebGpuBackend.create(damaged, false, store)).dispose();
      expect([4, 8, 16]).toContain(perExampleWorkgroupSizeOf(damaged));
      expect(new Set(perExampleSizes(compiles.labels))).toEqual(new Set([4, 8, 16]));
    } finally {
      compiles.restore();
    }
  });
});
