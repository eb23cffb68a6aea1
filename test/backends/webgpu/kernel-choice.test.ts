// The rule that picks a layer's weight-update kernel, and that the shared conformance suite's networks
// train through both kernels (so its tolerances hold for each).
import { describe, expect, it } from 'vitest';
import { maxUnitsForRowUpdate, weightUpdateKernelFor } from '../../../src/backends/webgpu/kernel-choice.js';
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
