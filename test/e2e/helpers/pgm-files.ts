// Small PGM face files written by the test (never the real CMU data): CMU-style names, 32×30 binary P5,
// a bright block whose place depends on the pose, so a network can learn the pose from them.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const poses = ['straight', 'left', 'right', 'up'] as const;
const expressions = ['neutral', 'happy', 'sad', 'angry'] as const;
const width = 32;
const height = 30;

function pgm(pose: number, variant: number, maxval: number): Uint8Array {
  const header = new TextEncoder().encode(`P5\n# test face\n${width} ${height}\n${maxval}\n`);
  const pixels = new Uint8Array(width * height);
  // The block: centre for straight, left, right, top for up; jittered by the variant.
  const [cx, cy] = [
    [16, 16],
    [8, 16],
    [24, 16],
    [16, 7],
  ][pose];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBlock = Math.abs(x - cx - (variant % 3) + 1) < 5 && Math.abs(y - cy - (variant % 2)) < 5;
      const noise = (x * 7 + y * 13 + variant * 31) % 17;
      pixels[y * width + x] = Math.min(maxval, (inBlock ? maxval - 20 : 25) + noise);
    }
  }
  const bytes = new Uint8Array(header.length + pixels.length);
  bytes.set(header);
  bytes.set(pixels, header.length);
  return bytes;
}

export interface PgmFolder {
  folder: string;
  images: string[];
  lists: string[];
  /** how many images each all_* list names */
  listCounts: { train: number; validation: number; test: number };
  /** the same for the straighteven_* lists */
  straightEvenCounts: { train: number; validation: number; test: number };
}

/**
 * people × 4 poses × 4 expressions images in <tmp>/faces/<person>/, and two sets of Mitchell-style lists:
 * all_*.list over every image, straighteven_*.list over the straight ones (for the person task).
 */
export function writePgmFaces(people: string[]): PgmFolder {
  const folder = join(mkdtempSync(join(tmpdir(), 'demo-pgm-')), 'faces');
  const images: string[] = [];
  const relative: string[] = [];
  people.forEach((person, p) => {
    const personFolder = join(folder, person);
    poses.forEach((pose, poseIndex) => {
      expressions.forEach((expression, e) => {
        const name = `${person}_${pose}_${expression}_open_4.pgm`;
        const path = join(personFolder, name);
        mkdirSync(personFolder, { recursive: true });
        writeFileSync(path, pgm(poseIndex, p * 4 + e, 140 + p));
        images.push(path);
        relative.push(`${person}/${name}`);
      });
    });
  });
  // Every other image trains; the rest alternate between validation and test.
  const train = relative.filter((_, i) => i % 2 === 0);
  const rest = relative.filter((_, i) => i % 2 === 1);
  const validation = rest.filter((_, i) => i % 2 === 0);
  const test = rest.filter((_, i) => i % 2 === 1);
  // Two straight images of each person train, one validates, one tests.
  const straight = relative.filter((path) => path.includes('_straight_'));
  const straightTrain = straight.filter((_, i) => i % 4 < 2);
  const straightValidation = straight.filter((_, i) => i % 4 === 2);
  const straightTest = straight.filter((_, i) => i % 4 === 3);
  const lists = (
    [
      ['all_train.list', train],
      ['all_test1.list', validation],
      ['all_test2.list', test],
      ['straighteven_train.list', straightTrain],
      ['straighteven_test1.list', straightValidation],
      ['straighteven_test2.list', straightTest],
    ] as const
  ).map(([name, paths]) => {
    const path = join(folder, name);
    writeFileSync(path, `${paths.join('\n')}\n`);
    return path;
  });
  return {
    folder,
    images,
    lists,
    listCounts: { train: train.length, validation: validation.length, test: test.length },
    straightEvenCounts: {
      train: straightTrain.length,
      validation: straightValidation.length,
      test: straightTest.length,
    },
  };
}
