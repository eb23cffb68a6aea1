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
