import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropoutUniform, hash32, Random } from '../../src/model/random.js';

describe('hash32 and dropoutUniform', () => {
  it('match an independent big-integer implementation of PCG-RXS-M-XS (Python, in this comment)', () => {
    // M = 2**32 - 1; st = (v*747796405 + 2891336453) & M; w = (((st >> ((st >> 28) + 4)) ^ st) * 277803737) & M
    // hash = ((w >> 22) ^ w) & M
    expect([0, 1, 2, 12345, 0xffffffff].map(hash32)).toEqual([
      129708002, 2831084092, 2055130248, 4099845390, 3861530882,
    ]);
    // du = hash(unit + hash(row + hash(layer + hash(step + hash(seed))))) >> 8, / 2**24
    expect(dropoutUniform(1, 0, 0, 0, 0)).toBe(0.15583735704421997);
    expect(dropoutUniform(7, 3, 1, 5, 9)).toBe(0.23993241786956787);
  });

  it('property: dropoutUniform is in [0, 1) and a multiple of 2^-24 (exact in float32)', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat(1e6),
        fc.nat(8),
        fc.nat(4096),
        fc.nat(4096),
        (seed, step, layer, row, unit) => {
          const u = dropoutUniform(seed, step, layer, row, unit);
          expect(u).toBeGreaterThanOrEqual(0);
          expect(u).toBeLessThan(1);
          expect(Number.isInteger(u * 2 ** 24)).toBe(true);
          expect(Math.fround(u)).toBe(u);
        },
      ),
      { numRuns: 500, seed: 1 },
    );
  });
});

describe('Random', () => {
  it('the same seed repeats the same stream; another seed gives another', () => {
    const a = new Random(5);
    const b = new Random(5);
    const c = new Random(6);
    const first = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(first);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(first);
  });

  it('uniform stays in range with mean near the middle; normal has mean 0 and variance 1', () => {
    const random = new Random(11);
    const uniforms = Array.from({ length: 20000 }, () => random.uniform(-2, 3));
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...uniforms)).toBeLessThan(3);
    expect(Math.abs(uniforms.reduce((s, v) => s + v, 0) / uniforms.length - 0.5)).toBeLessThan(0.05);
    const normals = Array.from({ length: 20000 }, () => random.normal());
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    const variance = normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
    expect(normals.every(Number.isFinite)).toBe(true);
  });

  it('property: permutation(n) holds each of 0..n−1 exactly once', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 300 }), (seed, n) => {
        const order = new Random(seed).permutation(n);
        expect(Array.from(order).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 200, seed: 2 },
    );
  });
});
