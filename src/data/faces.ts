// Mitchell's face-recognition exercise (Machine Learning, 1997, §4.7) on the CMU Face Images:
// file names `userid_pose_expression_eyes[_scale].pgm`, four tasks, `.list` files naming the images of
// a split. Everything here works on bytes and strings; reading files is done by a FaceFiles source
// (src/data/node-files.ts in Node, src/data/browser-files.ts for File objects in a browser).

import { MlpError } from '../errors.js';
import { type Dataset, encodeTargets, type TargetEncoding } from './dataset.js';
import { parsePgm } from './pgm.js';

export const faceTasks = ['pose', 'sunglasses', 'expression', 'person'] as const;
export type FaceTask = (typeof faceTasks)[number];

export const poses = ['straight', 'left', 'right', 'up'] as const;
export const expressions = ['neutral', 'happy', 'sad', 'angry'] as const;
export const eyeStates = ['open', 'sunglasses'] as const;
/** The 20 people of the CMU set, in alphabetical order: the classes of the `person` task. */
export const cmuPeople = [
  'an2i', 'at33', 'boland', 'bpm', 'ch4f', 'cheyer', 'choon', 'danieln', 'glickman', 'karyadi',
  'kawamura', 'kk49', 'megak', 'mitchell', 'night', 'phoebe', 'saavik', 'steffi', 'sz24', 'tammo',
]; // biome-ignore format: one table

export interface FaceName {
  person: string;
  pose: (typeof poses)[number];
  expression: (typeof expressions)[number];
  eyes: (typeof eyeStates)[number];
  /** 1 (128×120, no suffix), 2 (64×60) or 4 (32×30) */
  scale: number;
}

/** The class names of a task; `people` names the classes of the `person` task. */
export function faceClassNames(task: FaceTask, people: readonly string[] = cmuPeople): string[] {
  switch (task) {
    case 'pose':
      return [...poses];
    case 'sunglasses':
      return [...eyeStates];
    case 'expression':
      return [...expressions];
    case 'person':
      return [...people];
  }
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Reads what a CMU face file name says: `an2i/an2i_left_angry_open_4.pgm` → an2i, left, angry, open, 4. */
export function parseFaceName(path: string): FaceName {
  const name = baseName(path);
  const fail = (what: string): never => {
    throw new MlpError(
      'invalid-file',
      `${path}: not a CMU face file name (userid_pose_expression_eyes[_scale].pgm): ${what}`,
    );
  };
  if (!name.endsWith('.pgm')) fail('it does not end in .pgm');
  const parts = name.slice(0, -'.pgm'.length).split('_');
  if (parts.length !== 4 && parts.length !== 5)
    fail(`expected 4 or 5 fields separated by '_', found ${parts.length}`);
  const [person, pose, expression, eyes, scaleText = '1'] = parts;
  if (person === '') fail('the userid is empty');
  if (!oneOf(pose, poses)) fail(`the pose '${pose}' is not one of ${poses.join(', ')}`);
  if (!oneOf(expression, expressions)) {
    fail(`the expression '${expression}' is not one of ${expressions.join(', ')}`);
  }
  if (!oneOf(eyes, eyeStates)) fail(`the eyes '${eyes}' are not one of ${eyeStates.join(', ')}`);
  if (scaleText !== '1' && scaleText !== '2' && scaleText !== '4')
    fail(`the scale '${scaleText}' is not 2 or 4`);
  return { person, pose, expression, eyes, scale: Number(scaleText) } as FaceName;
}

/** The class index of a face for a task, or an error when the person is not one of `people`. */
function faceLabel(face: FaceName, task: FaceTask, people: readonly string[], source: string): number {
  switch (task) {
    case 'pose':
      return poses.indexOf(face.pose);
    case 'sunglasses':
      return eyeStates.indexOf(face.eyes);
    case 'expression':
      return expressions.indexOf(face.expression);
    case 'person': {
      const index = people.indexOf(face.person);
      if (index < 0) {
        throw new MlpError(
          'invalid-data',
          `${source}: the person '${face.person}' is not one of the ${people.length} known people (${people.join(', ')})`,
        );
      }
      return index;
    }
  }
}

/**
 * Parses a Mitchell `.list` file: one image path per line, relative to the data folder. Blank lines and
 * lines starting with `#` are ignored. Paths ending in `.bad` are kept (the loader skips them).
 */
export function parseList(text: string, listName: string): string[] {
  const paths: string[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (what: string): never => {
      throw new MlpError('invalid-file', `${listName}, line ${i + 1}: ${what}`);
    };
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
    if (/[\u0000-\u001f\u007f\ufffd]/.test(line))
      fail('the path contains control characters or invalid UTF-8');
    if (!line.endsWith('.pgm') && !line.endsWith('.bad')) {
      fail(`expected an image path ending in .pgm (or .bad), found '${line.slice(0, 80)}'`);
    }
    paths.push(line);
  }
  if (paths.length === 0) throw new MlpError('invalid-file', `${listName}: the list names no images`);
  return paths;
}

/** A face image already decoded to pixels in [0, 1] (from a PGM file, or drawn by synthetic-faces.ts). */
export interface FacePicture {
  face: FaceName;
  width: number;
  height: number;
  /** width × height, row-major */
  pixels: Float32Array;
  source: string;
}

/**
 * How PGM samples become inputs in [0, 1]:
 * - 'maxval': sample / the file's maxval (what the PGM format means);
 * - '255': sample / 255, as Mitchell's course code does whatever the maxval (119–159 in the CMU files).
 */
export type PixelScale = 'maxval' | '255';
export const pixelScales: readonly PixelScale[] = ['maxval', '255'];

export function decodeFace(
  bytes: Uint8Array,
  source: string,
  pixelScale: PixelScale = 'maxval',
): FacePicture {
  const face = parseFaceName(source);
  const image = parsePgm(bytes, source);
  const divisor = pixelScale === 'maxval' ? image.maxval : 255;
  const pixels = new Float32Array(image.samples.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = image.samples[i] / divisor;
  return { face, width: image.width, height: image.height, pixels, source };
}

export interface FaceDatasetOptions {
  task: FaceTask;
  /** default '0.1/0.9' */
  targets?: TargetEncoding;
  /** the classes of the `person` task; default the 20 CMU people */
  people?: readonly string[];
}

/** Stacks face pictures (all of one size) into a data set for a task. */
export function faceDataset(pictures: readonly FacePicture[], options: FaceDatasetOptions): Dataset {
  const { task, targets = '0.1/0.9', people = cmuPeople } = options;
  if (pictures.length === 0)
    throw new MlpError('invalid-data', `no face images to build the ${task} data set from`);
  const { width, height } = pictures[0];
  const inputSize = width * height;
  const classNames = faceClassNames(task, people);
  const inputs = new Float32Array(pictures.length * inputSize);
  const labels = new Uint32Array(pictures.length);
  pictures.forEach((picture, i) => {
    if (picture.width !== width || picture.height !== height) {
      throw new MlpError(
        'invalid-data',
        `${picture.source} is ${picture.width}×${picture.height}, but ${pictures[0].source} is ${width}×${height}: ` +
          'all images of a data set must have one size',
      );
    }
    inputs.set(picture.pixels, i * inputSize);
    labels[i] = faceLabel(picture.face, task, people, picture.source);
  });
  return {
    inputs,
    targets: encodeTargets(labels, classNames.length, targets),
    count: pictures.length,
    inputSize,
    outputSize: classNames.length,
    labels,
    classNames,
    width,
    height,
    sources: pictures.map((picture) => picture.source),
  };
}

/** Where face files come from: a folder on disk in Node, or File objects picked in a browser. */
export interface FaceFiles {
  /** e.g. the folder path; for messages */
  readonly name: string;
  /** the bytes of a file, by its path relative to the data folder */
  read(path: string): Promise<Uint8Array>;
  /** every `.pgm` file, as paths relative to the data folder, sorted */
  listImages(): Promise<string[]>;
}

export interface LoadFacesOptions extends FaceDatasetOptions {
  /** the paths to load (e.g. from parseList); default every .pgm image of the source */
  paths?: readonly string[];
  /** default 'maxval' */
  pixelScale?: PixelScale;
  /** only images of this scale (4 = 32×30); default 4 when `paths` is not given, otherwise all */
  scale?: number;
}

export interface LoadedFaces extends Dataset {
  /** `.bad` paths that were named and skipped */
  skipped: string[];
}

export async function loadFaces(files: FaceFiles, options: LoadFacesOptions): Promise<LoadedFaces> {
  const { pixelScale = 'maxval' } = options;
  const named = options.paths ?? (await files.listImages());
  const scale = options.scale ?? (options.paths ? undefined : 4);
  const skipped = named.filter((path) => path.endsWith('.bad'));
  const wanted = named
    .filter((path) => !path.endsWith('.bad'))
    .filter((path) => scale === undefined || parseFaceName(path).scale === scale);
  if (wanted.length === 0) {
    throw new MlpError(
      'invalid-data',
      `${files.name}: no face images${scale ? ` of scale ${scale}` : ''} found`,
    );
  }
  const pictures = await Promise.all(
    wanted.map(async (path) => decodeFace(await files.read(path), path, pixelScale)),
  );
  return { ...faceDataset(pictures, options), skipped };
}
