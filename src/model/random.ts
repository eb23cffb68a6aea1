// Seeded randomness that gives the same numbers on every backend and platform: integer arithmetic only,
// so the CPU (TypeScript) and the GPU (WGSL, see shaders/*.wgsl `hash32`) compute identical bits.

/** PCG-RXS-M-XS 32-bit hash (O'Neill). Matches `hash32` in the shaders bit for bit. */
export function hash32(value: number): number {
  const state = (Math.imul(value >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * The uniform number in [0, 1) that decides whether dropout keeps a unit: the unit is kept when the
 * number is ≥ the dropout rate. `step` counts optimizer steps from 0, `row` is the example's position
 * in its mini-batch, `layer` the hidden layer's index.
 */
export function dropoutUniform(seed: number, step: number, layer: number, row: number, unit: number): number {
  const h = hash32(
    (unit + hash32((row + hash32((layer + hash32((step + hash32(seed >>> 0)) >>> 0)) >>> 0)) >>> 0)) >>> 0,
  );
  // 24 bits, so that the value is exact in float32 on the GPU too.
  return (h >>> 8) / 16777216;
}

/** A small seeded generator (hash of a counter): uniform floats, normals and shuffles. */
export class Random {
  private counter = 0;
  private spareNormal: number | undefined;

  constructor(private readonly seed: number) {}

  /** Uniform in [0, 1), 32 bits. */
  next(): number {
    const h = hash32((hash32(this.seed >>> 0) + this.counter++) >>> 0);
    return h / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Standard normal by the Box–Muller transform. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    const u1 = 1 - this.next(); // (0, 1], so the logarithm is finite
    const u2 = this.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Uint32Array {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const held = order[i];
      order[i] = order[j];
      order[j] = held;
    }
    return order;
  }
}
