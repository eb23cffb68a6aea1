import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { signedGreyPng, weightPictures } from '../../src/io/png.js';

describe('weight pictures', () => {
  it('maps −range → black, 0 → mid-grey, +range → white, each value a square', () => {
    const image = decode(signedGreyPng([-2, 0, 1, 2], 2, 2, { pixelSize: 3 }));
    expect([image.width, image.height, image.channels, image.depth]).toEqual([6, 6, 1, 8]);
    const at = (x: number, y: number) => image.data[y * 6 + x];
    expect([at(0, 0), at(2, 2), at(3, 0), at(5, 2), at(0, 3), at(5, 5)]).toEqual([0, 0, 128, 128, 191, 255]);
  });

  it('draws each hidden unit as the input image and the output weights as a strip', () => {
    // 2 hidden units over a 3×2 input image, 2 outputs
    const hidden = {
      weights: Float32Array.of(1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0.5),
      biases: Float32Array.of(0, 0),
    };
    const output = { weights: Float32Array.of(1, -1, 0.5, 0), biases: Float32Array.of(0.25, 0) };
    const pictures = weightPictures([hidden, output], 3, 2);
    expect(pictures.map((p) => p.name)).toEqual(['hidden-1.png', 'hidden-2.png', 'output-weights.png']);
    const first = decode(pictures[0].png);
    expect([first.width, first.height]).toEqual([24, 16]);
    expect(first.data[0]).toBe(255); // weight 1 at the top-left
    expect(first.data[16 * 24 - 1]).toBe(0); // weight −1 at the bottom-right
    expect(decode(pictures[1].png).data[16 * 24 - 1]).toBe(255); // its own scale: 0.5 is its largest
    const strip = decode(pictures[2].png);
    expect([strip.width, strip.height]).toEqual([3 * 24, 2 * 24]);
    expect(strip.data[24]).toBe(0); // output 1, hidden 2: −1
    expect(weightPictures([hidden], 3, 2)).toEqual([]);
    expect(() => weightPictures([hidden, output], 2, 2)).toThrow(/not 2×2/);
  });
});
