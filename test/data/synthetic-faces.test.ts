import { describe, expect, it } from 'vitest';
import {
  syntheticFacePictures,
  syntheticFaceSplits,
  syntheticFaces,
  syntheticPeople,
} from '../../src/data/synthetic-faces.js';

describe('synthetic faces', () => {
  const pictures = syntheticFacePictures({ seed: 3 });

  it('draws every shot of 20 people: 4 poses × 4 expressions × 2 eye states, 32×30 pixels in [0, 1]', () => {
    expect(pictures).toHaveLength(640);
    for (const picture of pictures) {
      expect([picture.width, picture.height, picture.pixels.length]).toEqual([32, 30, 960]);
    }
    const outOfRange = pictures.filter((picture) =>
      picture.pixels.some((pixel) => !(pixel >= 0 && pixel <= 1)),
    );
    expect(outOfRange).toEqual([]);
    expect(new Set(pictures.map((p) => p.source)).size).toBe(640);
  });

  it('is the same for the same seed and different for another', () => {
    expect(syntheticFacePictures({ seed: 3, people: 2 })[5].pixels).toEqual(pictures[5].pixels);
    expect(syntheticFacePictures({ seed: 4, people: 2 })[5].pixels).not.toEqual(pictures[5].pixels);
  });

  it('changes the picture with pose, sunglasses and expression, not only with noise', () => {
    const find = (pose: string, expression: string, eyes: string) =>
      pictures.find(
        (p) =>
          p.face.person === 'synth01' &&
          p.face.pose === pose &&
          p.face.expression === expression &&
          p.face.eyes === eyes,
      )?.pixels as Float32Array;
    const distance = (a: Float32Array, b: Float32Array) =>
      Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
    const noiseOnly = distance(
      syntheticFacePictures({ seed: 3, people: 1, noise: 0 })[0].pixels,
      find('straight', 'neutral', 'open'),
    );
    const base = find('straight', 'neutral', 'open');
    expect(distance(base, find('left', 'neutral', 'open'))).toBeGreaterThan(noiseOnly);
    expect(distance(base, find('straight', 'neutral', 'sunglasses'))).toBeGreaterThan(noiseOnly);
    expect(distance(base, find('straight', 'happy', 'open'))).toBeGreaterThan(noiseOnly);
  });

  it('lights a face looking up more or less than looking straight, by where the lamp is', () => {
    const noiseless = syntheticFacePictures({ seed: 3, noise: 0 });
    const faceBrightness = (pixels: Float32Array) => {
      let sum = 0;
      for (let row = 10; row < 18; row++)
        for (let column = 12; column < 20; column++) sum += pixels[row * 32 + column];
      return sum / 64;
    };
    const upToStraight: number[] = [];
    for (const person of syntheticPeople()) {
      const shots = (pose: string) =>
        noiseless
          .filter((p) => p.face.person === person && p.face.pose === pose)
          .map((p) => faceBrightness(p.pixels));
      const straight = shots('straight');
      const straightMean = straight.reduce((a, b) => a + b) / straight.length;
      upToStraight.push(...shots('up').map((brightness) => brightness / straightMean));
    }
    // Two kinds of up, one on each side of straight: what a linear model cannot split from straight.
    expect(upToStraight.filter((ratio) => ratio > 1.25).length).toBeGreaterThan(0.4 * upToStraight.length);
    expect(upToStraight.filter((ratio) => ratio < 0.75).length).toBeGreaterThan(0.4 * upToStraight.length);
  });

  it('makes data sets for each task and default splits in the proportions of Mitchell’s lists', () => {
    const person = syntheticFaces({ task: 'person', seed: 3 });
    expect(person.classNames).toEqual(syntheticPeople());
    expect(person).toMatchObject({ count: 640, inputSize: 960, outputSize: 20, width: 32, height: 30 });
    const { train, validation, test } = syntheticFaceSplits({ task: 'pose', seed: 3 });
    expect([train.count, validation.count, test.count]).toEqual([288, 141, 211]);
    expect(new Set([...train.sources, ...validation.sources, ...test.sources]).size).toBe(640);
    const perPose = [0, 0, 0, 0];
    for (const label of test.labels) perPose[label]++;
    for (const count of perPose) expect(count).toBeGreaterThan(30);
  });
});
