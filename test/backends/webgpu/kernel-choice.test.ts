// The rule that picks a layer's weight-update kernel, and that the shared conformance suite's networks
// train through both kernels (so its tolerances hold for each); docs/webgpu-kernels.md states the rules' numbers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lossWorkgroupSize,
  maxLossWorkgroupSize,
  maxUnitsForRowUpdate,
  maxUnitsForRowUpdateOnCpu,
  weightUpdateKernelFor,
} from '../../../src/backends/webgpu/kernel-choice.js';
import { conformanceCases } from '../conformance.js';

const gpu: Partial<GPUAdapterInfo> = { vendor: 'nvidia', architecture: 'hopper' };
const cpuAdapters: Partial<GPUAdapterInfo>[] = [{ architecture: 'swiftshader' }, { isFallbackAdapter: true }];
const widths = [1, 3, 17, 64, 65, 129, 256, 257, 2048];

describe('weightUpdateKernelFor', () => {
  it('on a GPU: the row kernel up to 64 units, the tiled product above', () => {
    expect(maxUnitsForRowUpdate).toBe(64);
    expect(widths.map((units) => weightUpdateKernelFor({ units }, gpu))).toEqual([
      ...Array(4).fill('rows'),
      ...Array(5).fill('tiled'),
    ]);
  });

  it('on CPU adapters: the row kernel up to 256 units', () => {
    expect(maxUnitsForRowUpdateOnCpu).toBe(256);
    for (const adapter of cpuAdapters) {
      expect(widths.map((units) => weightUpdateKernelFor({ units }, adapter))).toEqual([
        ...Array(7).fill('rows'),
        ...Array(2).fill('tiled'),
      ]);
    }
  });

  it('the conformance networks at batch > 1 train layers through both kernels on both kinds of adapter, layer 0 (gathered) included', () => {
    for (const adapter of [gpu, ...cpuAdapters]) {
      const chosen = new Set<string>();
      for (const { spec, batch } of conformanceCases) {
        if (batch === 1) continue;
        spec.layers.forEach((layer, l) => {
          chosen.add(`${weightUpdateKernelFor(layer, adapter)}${l === 0 ? ' gathered' : ''}`);
        });
      }
      expect([...chosen].sort()).toEqual(['rows', 'rows gathered', 'tiled', 'tiled gathered']);
    }
  });
});

describe('lossWorkgroupSize', () => {
  it('is the batch capacity rounded up to a power of two, at most 256', () => {
    expect([1, 2, 3, 7, 32, 33, 128, 256, 257, 10000].map(lossWorkgroupSize)).toEqual([
      1, 2, 4, 8, 32, 64, 128, 256, 256, 256,
    ]);
  });
});

describe('docs/webgpu-kernels.md', () => {
  const page = readFileSync(new URL('../../../docs/webgpu-kernels.md', import.meta.url), 'utf8');
  it('states the rules with the numbers the code uses', () => {
    expect(page).toContain(
      `at most ${maxUnitsForRowUpdate} units (${maxUnitsForRowUpdateOnCpu} on CPU adapters)`,
    );
    expect(page).toContain(`more than ${maxUnitsForRowUpdate} (${maxUnitsForRowUpdateOnCpu}) units`);
    expect(page).toContain(`rounded up to a power of two (at most ${maxLossWorkgroupSize})`);
  });
});
