import { describe, expect, it } from 'vitest';
import type { BenchRecord } from '../../../bench/core/measure.js';
import { formatTable } from '../../../bench/core/run-benchmark.js';

function record(engine: 'webgpu' | 'cpu', median: number, counts: boolean): BenchRecord {
  const spread = { min: median / 2, median, max: median * 2 };
  return {
    network: 'mnist',
    engine,
    batch: 128,
    examplesPerSec: spread,
    gflops: spread,
    dispatchesPerStep: counts ? 16 : null,
    readbacksPerEpoch: counts ? 1 : null,
    submitsPerStep: counts ? 0.25 : null,
    uploadsPerEpoch: counts ? 1 : null,
    adapter: 'test',
    versions: {},
  };
}

describe('formatTable', () => {
  it('prints examples/s median (min–max), the transfers per step and per epoch, and ratios', () => {
    const lines = formatTable([record('webgpu', 80, true), record('cpu', 320, false)]).split('\n');
    expect(lines[0]).toBe(
      '| network | engine | batch | examples/s median (min–max) | GFLOP/s | dispatches/step | submits/step | ' +
        'readbacks/epoch | uploads/epoch | webgpu ÷ this | cpu ÷ this |',
    );
    expect(lines[2]).toBe(
      '| mnist | webgpu | 128 | 80.0 (40.0–160) | 80.0 | 16.0 | 0.25 | 1.00 | 1.00 |  | 4.00× |',
    );
    expect(lines[3]).toBe('| mnist | cpu | 128 | 320 (160–640) | 320 | – | – | – | – | 0.25× |  |');
  });
});
