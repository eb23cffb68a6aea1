import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickedFaceFiles } from '../../src/data/browser-files.js';
import {
  cmuPeople,
  decodeFace,
  type FacePicture,
  faceDataset,
  loadFaces,
  parseFaceName,
  parseList,
} from '../../src/data/faces.js';
import { folderFaceFiles } from '../../src/data/node-files.js';
import { parsePgm } from '../../src/data/pgm.js';
import { MlpError } from '../../src/errors.js';
import { type CmuArchive, coursePath, unpackCmuArchive } from '../helpers/cmu-archive.js';

const facesFolder = fileURLToPath(new URL('../../../shared/data/cmu-faces', import.meta.url));
const haveFaces = existsSync(facesFolder);

const pgm = (width: number, height: number, maxval: number, samples: number[]) => {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n${maxval}\n`);
  const bytes = new Uint8Array(header.length + samples.length);
  bytes.set(header);
  bytes.set(samples, header.length);
  return bytes;
};

describe('parseFaceName', () => {
  it('reads userid, pose, expression, eyes and scale', () => {
    expect(parseFaceName('an2i/an2i_left_angry_open_4.pgm')).toEqual({
      person: 'an2i',
      pose: 'left',
      expression: 'angry',
      eyes: 'open',
      scale: 4,
    });
    expect(parseFaceName('C:\\faces\\kk49_up_sad_sunglasses.pgm').scale).toBe(1);
  });

  it('names the file and the field that is wrong', () => {
    expect(() => parseFaceName('x/an2i_sideways_angry_open_4.pgm')).toThrow(
      /x\/an2i_sideways_angry_open_4\.pgm: .*the pose 'sideways' is not one of straight, left, right, up/,
    );
    expect(() => parseFaceName('a_left_angry.pgm')).toThrow(/expected 4 or 5 fields/);
    expect(() => parseFaceName('a_left_angry_open_3.pgm')).toThrow(/scale '3'/);
    expect(() => parseFaceName('a_left_angry_open.png')).toThrow(MlpError);
  });
});

describe('parseList', () => {
  it('keeps paths in order, skipping blank and comment lines', () => {
    expect(parseList('a/a_up_sad_open_4.pgm\r\n\n# note\n  b/b.bad \n', 'x.list')).toEqual([
      'a/a_up_sad_open_4.pgm',
      'b/b.bad',
    ]);
  });

  it('names the list and line of a bad entry', () => {
    expect(() => parseList('a.pgm\nreadme.txt\n', 'train.list')).toThrow(
      /train\.list, line 2: .*'readme\.txt'/,
    );
    expect(() => parseList('a\u0000.pgm', 'l')).toThrow(/line 1: .*control characters/);
    expect(() => parseList('\n\n', 'empty.list')).toThrow(/empty\.list: the list names no images/);
  });
});

describe('faceDataset', () => {
  const picture = (name: string, value: number): FacePicture => ({
    ...decodeFace(pgm(2, 1, 200, [value, 200]), name),
  });

  it('scales pixels by maxval, or by 255 as Mitchell does', () => {
    expect([...decodeFace(pgm(2, 1, 200, [100, 200]), 'a_up_sad_open.pgm').pixels]).toEqual([0.5, 1]);
    const mitchell = decodeFace(pgm(2, 1, 200, [51, 200]), 'a_up_sad_open.pgm', '255').pixels;
    expect(mitchell[0]).toBeCloseTo(0.2, 6);
    expect(mitchell[1]).toBeCloseTo(200 / 255, 6);
  });

  it('encodes labels as 0.1/0.9 or one-hot targets for each task', () => {
    const pictures = [
      picture('p/bpm_left_happy_sunglasses_4.pgm', 0),
      picture('p/at33_up_sad_open_4.pgm', 50),
    ];
    const pose = faceDataset(pictures, { task: 'pose' });
    expect(pose.classNames).toEqual(['straight', 'left', 'right', 'up']);
    expect([...pose.labels]).toEqual([1, 3]);
    expect([...pose.targets].map((t) => Math.round(t * 10) / 10)).toEqual([
      0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1, 0.9,
    ]);
    expect(pose).toMatchObject({ count: 2, inputSize: 2, outputSize: 4, width: 2, height: 1 });
    expect([...pose.inputs]).toEqual([0, 1, 0.25, 1]);

    const sunglasses = faceDataset(pictures, { task: 'sunglasses', targets: 'one-hot' });
    expect([...sunglasses.targets]).toEqual([0, 1, 1, 0]);
    const person = faceDataset(pictures, { task: 'person' });
    expect(person.outputSize).toBe(20);
    expect([...person.labels]).toEqual([cmuPeople.indexOf('bpm'), cmuPeople.indexOf('at33')]);
    const expression = faceDataset(pictures, { task: 'expression' });
    expect([...expression.labels].map((label) => expression.classNames[label])).toEqual(['happy', 'sad']);
  });

  it('rejects mixed sizes, unknown people and empty sets', () => {
    const small = decodeFace(pgm(1, 1, 9, [1]), 'a_up_sad_open.pgm');
    expect(() => faceDataset([picture('bpm_up_sad_open.pgm', 0), small], { task: 'pose' })).toThrow(
      /a_up_sad_open\.pgm is 1×1, but bpm_up_sad_open\.pgm is 2×1/,
    );
    expect(() => faceDataset([small], { task: 'person' })).toThrow(/the person 'a' is not one of the 20/);
    expect(() => faceDataset([], { task: 'pose' })).toThrow(MlpError);
  });

  it('loads File objects picked in a browser, by path or by file name', async () => {
    const files = [
      new File([pgm(1, 1, 10, [5])], 'bpm_up_sad_open_4.pgm'),
      new File([pgm(1, 1, 10, [10])], 'at33_left_sad_open_4.pgm'),
    ];
    const dataset = await loadFaces(pickedFaceFiles(files), {
      task: 'pose',
      paths: ['bpm/bpm_up_sad_open_4.pgm', 'x/at33_left_sad_open_4.pgm', 'y.bad'],
    });
    expect([...dataset.inputs]).toEqual([0.5, 1]);
    expect(dataset.skipped).toEqual(['y.bad']);
    await expect(
      loadFaces(pickedFaceFiles(files), { task: 'pose', paths: ['q_up_sad_open.pgm'] }),
    ).rejects.toThrow(/q_up_sad_open\.pgm is not among the picked files/);
  });
});

describe.skipIf(!haveFaces)(
  `the real CMU faces in ${facesFolder}${haveFaces ? '' : ' (SKIPPED: folder absent)'}`,
  () => {
    const listPaths = async (name: string) =>
      parseList(await readFile(`${facesFolder}/lists/${name}`, 'utf8'), name);

    it('reads all 624 quarter-size images, 32×30, with their own maxval', async () => {
      const files = folderFaceFiles(facesFolder);
      const paths = await files.listImages();
      expect(paths).toHaveLength(624);
      const maxvals = new Set<number>();
      let sum = 0;
      for (const path of paths) {
        const image = parsePgm(await files.read(path), path);
        expect([image.width, image.height]).toEqual([32, 30]);
        expect(Math.max(...image.samples)).toBeLessThanOrEqual(image.maxval);
        maxvals.add(image.maxval);
        sum += image.samples.reduce((a, b) => a + b, 0);
      }
      expect(Math.min(...maxvals)).toBe(119);
      expect(Math.max(...maxvals)).toBe(159);
      expect(sum / (624 * 960)).toBeCloseTo(40.07, 2); // the README's raw pixel mean
    });

    it('builds the pose data set of every image with the README counts', async () => {
      const dataset = await loadFaces(folderFaceFiles(facesFolder), { task: 'pose' });
      expect(dataset).toMatchObject({ count: 624, inputSize: 960, outputSize: 4, width: 32, height: 30 });
      const perPose = [0, 0, 0, 0];
      for (const label of dataset.labels) perPose[label]++;
      expect(perPose).toEqual([156, 157, 155, 156]); // straight, left, right, up
      const mitchell = await loadFaces(folderFaceFiles(facesFolder), {
        task: 'sunglasses',
        pixelScale: '255',
      });
      let mean = 0;
      for (const pixel of mitchell.inputs) mean += pixel;
      expect(mean / mitchell.inputs.length).toBeCloseTo(0.1572, 4);
      const perEyes = [0, 0];
      for (const label of mitchell.labels) perEyes[label]++;
      expect(perEyes).toEqual([313, 311]);
    });

    it("reads Mitchell's lists: 277 / 139 / 208 images, no overlap", async () => {
      const lists = await Promise.all(['all_train.list', 'all_test1.list', 'all_test2.list'].map(listPaths));
      expect(lists.map((list) => list.length)).toEqual([277, 139, 208]);
      expect(new Set(lists.flat()).size).toBe(624);
      const test2 = await loadFaces(folderFaceFiles(facesFolder), { task: 'person', paths: lists[2] });
      expect(test2.count).toBe(208);
      expect(test2.sources[0]).toBe(lists[2][0]);
      const straight = await Promise.all(
        ['straightrnd_train.list', 'straighteven_train.list'].map(listPaths),
      );
      expect(straight.map((list) => list.length)).toEqual([70, 80]);
    });
  },
);

describe.skipIf(!haveFaces)(
  `the CMU archive as it unpacks, with Mitchell's course lists${haveFaces ? '' : ` (SKIPPED: ${facesFolder} is absent)`}`,
  () => {
    let archive: CmuArchive;
    beforeAll(() => {
      archive = unpackCmuArchive(facesFolder);
    });
    afterAll(() => rmSync(archive.root, { recursive: true, force: true }));

    it('reads the 624 quarter-size images of faces/, skipping .bad files and the other scales', async () => {
      expect(archive.bad).toHaveLength(16);
      for (const folder of [archive.faces, archive.root]) {
        const dataset = await loadFaces(folderFaceFiles(folder), { task: 'pose' });
        expect(dataset.count).toBe(624);
        expect([dataset.width, dataset.height]).toEqual([32, 30]);
      }
    });

    it('finds the images of a list with absolute /afs/… paths by their file names', async () => {
      const list = parseList(await readFile(`${archive.lists}/all_train.list`, 'utf8'), 'all_train.list');
      expect(list[0].startsWith(`${coursePath}/`)).toBe(true);
      const train = await loadFaces(folderFaceFiles(archive.faces), { task: 'person', paths: list });
      const same = await loadFaces(folderFaceFiles(facesFolder), {
        task: 'person',
        paths: parseList(await readFile(`${facesFolder}/lists/all_train.list`, 'utf8'), 'all_train.list'),
      });
      expect(train.count).toBe(277);
      expect(train.inputs).toEqual(same.inputs);
      expect(train.labels).toEqual(same.labels);
    });

    it('skips the .bad entries a list names, and says which image it cannot find', async () => {
      const bad = `${coursePath}/${archive.bad[0]}`;
      const good = `${coursePath}/an2i/an2i_left_angry_open_4.pgm`;
      const loaded = await loadFaces(folderFaceFiles(archive.faces), { task: 'pose', paths: [good, bad] });
      expect(loaded.count).toBe(1);
      expect(loaded.skipped).toEqual([bad]);
      const missing = `${coursePath}/an2i/an2i_left_angry_open_2.pgm`;
      await expect(
        loadFaces(folderFaceFiles(archive.faces), { task: 'pose', paths: [missing] }),
      ).rejects.toThrow(
        /an2i_left_angry_open_2\.pgm: it is not in .*faces, neither at that path below it nor by its file name/,
      );
    });
  },
);
