// Dawn's zero-initialisation of workgroup memory is turned off where the library creates Dawn itself
// (src/node-platform.ts dawnFlags): safe only if every kernel writes its workgroup memory before reading it.
// Here every shader is rewritten (test/helpers/poison-workgroup.ts) so that each entry point first fills all
// its workgroup variables with NaN garbage, and the whole backend conformance suite runs on those shaders:
// a kernel that read workgroup memory before writing it would compute with NaN (or a count off by
// 0x7fc00000) and fail against the float64 reference.

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { KernelFamily } from '../../../src/backends/webgpu/kernels.js';
import * as kernels from '../../../src/backends/webgpu/kernels.js';
import { useMatmulFeed } from '../../../src/backends/webgpu/matmul-feed.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { dawnFlags } from '../../../src/node-platform.js';
import { dispatchAndCopy, testDevice } from '../../helpers/gpu.js';
import { poisonWorkgroupMemory } from '../../helpers/poison-workgroup.js';
import { describeBackendConformance } from '../conformance.js';

vi.mock('../../../src/shaders.gen.js', async (importOriginal) => {
  const { poisonWorkgroupMemory } = await import('../../helpers/poison-workgroup.js');
  const shaders = await importOriginal<Record<string, { source: string }>>();
  // The reflection stays: poisoning adds code, and no binding.
  return Object.fromEntries(
    Object.entries(shaders).map(([name, shader]) => [
      name,
      { ...shader, source: poisonWorkgroupMemory(shader.source).source },
    ]),
  );
});

describe('workgroup memory poisoned before every entry point', () => {
  it('the library creates Dawn with zero-initialisation off, as docs/webgpu-design.md says', () => {
    expect(dawnFlags).toContain('enable-dawn-features=disable_workgroup_init');
    const page = readFileSync(new URL('../../../docs/webgpu-design.md', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('## Pipeline compilation'));
    for (const flag of dawnFlags) expect(section).toContain(`\`${flag}\``);
  });

  it('every entry point of every kernel family that has workgroup memory is poisoned', () => {
    const families = (Object.values(kernels) as unknown[]).filter(
      (value): value is KernelFamily =>
        typeof value === 'object' && value !== null && 'entryPoints' in value && 'source' in value,
    );
    const withWorkgroupMemory = families.filter((family) => family.source.includes('var<workgroup>'));
    expect(withWorkgroupMemory.map((family) => family.file)).toEqual(
      expect.arrayContaining(['matmul.wgsl', 'loss.wgsl', 'per-example.wgsl', 'mini-batch.wgsl']),
    );
    for (const family of withWorkgroupMemory) {
      const calls = family.source.match(/\n {2}poisonWorkgroup\(\);/g) ?? [];
      expect(calls.length, family.file).toBe(family.entryPoints.length);
    }
  });

  it('a kernel that reads workgroup memory before writing it sees the garbage', async () => {
    const { device } = await testDevice();
    const { source, entryPoints } = poisonWorkgroupMemory(`
      var<workgroup> sums: array<f32, 64>;
      var<workgroup> count: atomic<u32>;
      @group(0) @binding(0) var<storage, read_write> result: array<u32, 2>;
      @compute @workgroup_size(4)
      fn main(@builtin(local_invocation_index) local: u32) {
        atomicAdd(&count, 1u);
        workgroupBarrier();
        if (local == 0u) {
          result[0] = bitcast<u32>(sums[5] + 1.0);
          result[1] = atomicLoad(&count);
        }
      }`);
    expect(entryPoints).toBe(1);
    const read = dispatchAndCopy(device, source, 1, 8);
    await read.mapAsync(GPUMapMode.READ);
    const mapped = read.getMappedRange();
    const sum = new Float32Array(mapped)[0];
    const count = new Uint32Array(mapped)[1];
    device.destroy();
    expect(sum).toBeNaN();
    expect(count).toBe(0x7fc00000 + 4);
  });
});

// matmul.wgsl pinned staged: fed direct it reads no workgroup memory (its arrays shrink to one vector).
describeBackendConformance('webgpu, workgroup memory poisoned', async () => {
  const backend = await WebGpuBackend.create();
  useMatmulFeed(backend.device, 'staged');
  return backend;
});
