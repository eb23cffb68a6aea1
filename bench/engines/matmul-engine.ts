// What a matrix-multiply engine of the microbenchmark (runner/matmul.ts) provides: one file below both the
// runner and the engines, so neither imports the other's module.

export const matmulEngineNames = ['webgpu', 'tfjs-webgpu', 'jaxjs-webgpu'] as const;
export type MatmulEngineName = (typeof matmulEngineNames)[number];

/** Runs `count` multiplies of the prepared matrices and resolves once the last result can be read. */
export interface PreparedMatmul {
  multiply(count: number): Promise<void>;
  dispose(): void;
}

export interface MatmulEngine {
  name: MatmulEngineName;
  /** how it runs the product, for the results (e.g. which kernel variant) */
  note?: string;
  prepare(size: number, a: Float32Array, b: Float32Array): Promise<PreparedMatmul>;
  dispose?(): void;
}
