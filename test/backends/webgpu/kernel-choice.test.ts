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
  it('staged on a GPU: the row kernel up to 64 units, matmul.wgsl above', () => {
    expect(maxUnitsForRowUpdate).toBe(64);
    expect(widths.map((units) => weightUpdateKernelFor({ units }, gpu, false))).toEqual([
      ...Array(4).fill('rows'),
      ...Array(5).fill('matmul'),
    ]);
  });

  it('staged on CPU adapters: the row kernel up to 256 units', () => {
    expect(maxUnitsForRowUpdateOnCpu).toBe(256);
    for (const adapter of cpuAdapters) {
      expect(widths.map((units) => weightUpdateKernelFor({ units }, adapter, false))).toEqual([
        ...Array(7).fill('rows'),
        ...Array(2).fill('matmul'),
      ]);
    }
  });

  it('where matmul.wgsl would run fed direct: matmul.wgsl at every width, on every adapter', () => {
    for (const adapter of [gpu, ...cpuAdapters]) {
      expect(widths.map((units) => weightUpdateKernelFor({ units }, adapter, true))).toEqual(
        Array(widths.length).fill('matmul'),
      );
    }
  });

  // webgpu-backend.test.ts runs the conformance suite on SwiftShader fed direct and seen as a GPU fed staged.
  it.each([
    [
      'a CPU adapter fed direct',
      cpuAdapters[0],
      'direct',
      ['matmul', 'matmul gathered', 'rows', 'rows gathered'],
    ],
    ['a GPU fed staged', gpu, 'staged', ['matmul', 'matmul gathered', 'rows', 'rows gathered']],
  ] as const)(
    'the conformance networks at batch > 1 train through both kernels on %s, layer 0 (gathered) included',
    (_, adapter, feed, expected) => {
      const chosen = new Set<string>();
      for (const { spec, batch } of conformanceCases) {
        if (batch === 1) continue;
        let inputs = spec.inputSize;
        spec.layers.forEach((layer, l) => {
          // The weight product's layout allows vec4 loads when units and inputs are multiples of 4 (vectorLoadsFit).
          const direct = feed === 'direct' && layer.units % 4 === 0 && inputs % 4 === 0;
          chosen.add(`${weightUpdateKernelFor(layer, adapter, direct)}${l === 0 ? ' gathered' : ''}`);
          inputs = layer.units;
        });
      }
      expect([...chosen].sort()).toEqual(expected);
    },
  );
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
