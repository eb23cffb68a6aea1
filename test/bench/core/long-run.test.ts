import { describe, expect, it } from 'vitest';
import { runLongRun, trend } from '../../../bench/core/long-run.js';

describe('the benchmark’s long run', () => {
  it('gives first, last, min, max and the least-squares slope per 1,000 epochs', () => {
    expect(trend([10, 20, 30, 40], [5, 7, 9, 11])).toEqual({
      first: 5,
      last: 11,
      min: 5,
      max: 11,
      slopePer1000Epochs: 200,
    });
    expect(trend([10, 20, 30], [4, 4, 4]).slopePer1000Epochs).toBe(0);
  });

  it('trains the faces network through net.fit and samples live buffers, bytes and the heap', async () => {
    let reads = 0;
    const records = await runLongRun({
      backends: ['webgpu', 'cpu'],
      epochs: 6,
      sampleEvery: 2,
      examples: 8,
      memory: () => ({ heapBytes: 1000 + reads++ }),
      memoryMethod: 'a counter',
    });
    expect(records.map((record) => record.engine)).toEqual(['webgpu', 'cpu']);
    const [webgpu, cpu] = records;
    for (const record of records) {
      expect(record.samples.map((sample) => sample.epoch)).toEqual([2, 4, 6]);
      expect(record.examplesPerEpoch).toBe(8);
      expect(record.samples.every((sample) => Number.isFinite(sample.loss))).toBe(true);
    }
    // A network on the GPU holds its parameters and optimizer state in buffers; the CPU backend holds none.
    expect(webgpu.liveBuffers.first).toBeGreaterThan(0);
    expect(webgpu.liveBytes.first).toBeGreaterThan(960 * 3 * 4);
    expect(cpu.liveBuffers.max).toBe(0);
    expect(webgpu.heapBytes).toMatchObject({ first: 1000, last: 1002, slopePer1000Epochs: 500 });
    expect(cpu.residentBytes).toBeUndefined();
  });

  it('wants at least two samples', async () => {
    await expect(
      runLongRun({
        backends: ['cpu'],
        epochs: 10,
        sampleEvery: 10,
        memory: () => ({ heapBytes: 0 }),
        memoryMethod: '',
      }),
    ).rejects.toThrow(/at least two samples/);
  });
});
