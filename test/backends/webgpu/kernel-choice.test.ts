// The rule that picks a layer's weight-update kernel, and that the shared conformance suite's networks
// train through both kernels (so its tolerances hold for each); docs/webgpu-kernels.md states the rules' numbers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  lossWorkgroupSize,
  maxLossWorkgroupSize,
  maxUnitsForRowUpdate,
  weightUpdateKernelFor,
} from '../../../src/backends/webgpu/kernel-choice.js';
import { conformanceCases } from '../conformance.js';

describe('weightUpdateKernelFor', () => {
  it('takes the row kernel up to 64 units and the tiled product above', () => {
    expect(maxUnitsForRowUpdate).toBe(64);
    expect([1, 3, 17, 64, 65, 129, 256].map((units) => weightUpdateKernelFor({ units }))).toEqual([
      'rows',
      'rows',
      'rows',
      'rows',
      'tiled',
      'tiled',
      'tiled',
    ]);
  });

  it('the conformance networks at batch > 1 train layers through both kernels, layer 0 (gathered) included', () => {
    const chosen = new Set<string>();
    for (const { spec, batch } of conformanceCases) {
      if (batch === 1) continue;
      spec.layers.forEach((layer, l) => {
        chosen.add(`${weightUpdateKernelFor(layer)}${l === 0 ? ' gathered' : ''}`);
      });
    }
    expect([...chosen].sort()).toEqual(['rows', 'rows gathered', 'tiled', 'tiled gathered']);
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
    expect(page).toContain(`the layer has at most ${maxUnitsForRowUpdate} units`);
    expect(page).toContain(`more than ${maxUnitsForRowUpdate} units`);
    expect(page).toContain(`rounded up to a power of two (at most ${maxLossWorkgroupSize})`);
  });
});
