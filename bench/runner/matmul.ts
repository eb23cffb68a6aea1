// Matrix-multiply microbenchmark: C = A·B for n×n matrices at 256³, 512³ and 1024³, our forward matmul
// kernel against TF.js's tf.matMul and jax-js's np.matmul on the same WebGPU adapter. Each timed run does k
// multiplies and waits for the last result (jax-js: for each), so the GPU's work is finished inside the
// timed region.

import { type Spread, spread } from '../core/measure.js';
import { jaxjsMatmul } from '../engines/jaxjs.js';
import type { MatmulEngine, MatmulEngineName, PreparedMatmul } from '../engines/matmul-engine.js';
import { ourMatmul } from '../engines/our-matmul.js';
import { tfjsMatmul } from '../engines/tfjs.js';

export interface MatmulRecord {
  size: number;
  engine: MatmulEngineName;
  gflops: Spread;
  /** the multiplies in each timed run */
  multipliesPerRun: number;
  runs: number;
  /** how the engine ran the product, where it says (ours: which feed of matmul.wgsl was measured faster) */
  note?: string;
}

export interface MatmulOptions {
  quick?: boolean;
  runSeconds?: number;
  runs?: number;
  log?: (line: string) => void;
}

async function timed(action: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await action();
  return (performance.now() - start) / 1000;
}

function randomMatrix(size: number, seed: number): Float32Array {
  const values = new Float32Array(size * size);
  let state = seed;
  for (let i = 0; i < values.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 4294967296 - 0.5;
  }
  return values;
}

export async function runMatmulBenchmark(options: MatmulOptions): Promise<MatmulRecord[]> {
  const sizes = options.quick ? [256] : [256, 512, 1024];
  const runSeconds = options.runSeconds ?? (options.quick ? 1 : 2);
  const runs = Math.max(3, options.runs ?? 3);
  const log = options.log ?? (() => {});
  const engines: MatmulEngine[] = [await ourMatmul(), await tfjsMatmul(), await jaxjsMatmul()];
  const records: MatmulRecord[] = [];
  for (const size of sizes) {
    log(`matmul ${size}³`);
    const a = randomMatrix(size, 1);
    const b = randomMatrix(size, 2);
    const prepared: { engine: MatmulEngine; matmul: PreparedMatmul; count: number; gflops: number[] }[] = [];
    try {
      for (const engine of engines) {
        const matmul = await engine.prepare(size, a, b);
        prepared.push({ engine, matmul, count: 1, gflops: [] });
        await matmul.multiply(1);
        let count = 1;
        let seconds = await timed(() => matmul.multiply(count));
        while (seconds < runSeconds / 4) {
          count *= 2;
          seconds = await timed(() => matmul.multiply(count));
        }
        prepared[prepared.length - 1].count = Math.max(1, Math.round((count / seconds) * runSeconds));
      }
      for (let round = 0; round < runs; round++) {
        for (let turn = 0; turn < prepared.length; turn++) {
          const entry = prepared[(round + turn) % prepared.length];
          const seconds = await timed(() => entry.matmul.multiply(entry.count));
          entry.gflops.push((2 * size ** 3 * entry.count) / seconds / 1e9);
        }
      }
    } finally {
      for (const { matmul } of prepared) matmul.dispose();
    }
    for (const { engine, count, gflops } of prepared) {
      records.push({
        size,
        engine: engine.name,
        gflops: spread(gflops),
        multipliesPerRun: count,
        runs: gflops.length,
        ...(engine.note ? { note: engine.note } : {}),
      });
    }
  }
  for (const engine of engines) engine.dispose?.();
  return records;
}
