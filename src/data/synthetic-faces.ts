// Synthetic CMU-like faces: a seeded generator of 32×30 grey pictures, so the main job runs on a fresh
// machine with nothing to download. Each person has their own head shape, skin, hair, clothes, place in the
// frame and background; each shot has a pose (the head turns left or right, the chin lifts for up), an
// expression (mouth and brows) and eyes open or behind sunglasses, plus where the head sits, the exposure, a
// lamp above or below the camera (which a face looking up tilts towards or away from) and sensor noise. As in
// the real images, pose moves the whole face rather than one feature. The shapes are drawn supersampled and
// averaged down, as a downscaled photograph is.

import { Random } from '../model/random.js';
import type { Dataset, Splits, TargetEncoding } from './dataset.js';
import { splitDataset } from './dataset.js';
import {
  expressions,
  eyeStates,
  type FaceDatasetOptions,
  type FaceName,
  type FacePicture,
  type FaceTask,
  faceDataset,
  poses,
} from './faces.js';

export const syntheticWidth = 32;
export const syntheticHeight = 30;
/** Each output pixel averages supersample × supersample points, as downscaling a photograph would. */
const supersample = 3;
/** Scales the drawing's grey levels so the pictures are about as dark as the CMU photographs. */
const exposure = 0.7;

export interface SyntheticFacesOptions {
  /** default 1 */
  seed?: number;
  /** default 20, like the CMU set */
  people?: number;
  /** standard deviation of the per-pixel noise, in [0, 1] grey units; default 0.04 */
  noise?: number;
}

/** A person's looks: fixed for all their shots. */
interface Person {
  name: string;
  background: number;
  backgroundSlope: number;
  /** x of a vertical edge in the background (a door frame), and the grey beyond it */
  edgeX: number;
  edgeGrey: number;
  skin: number;
  hair: number;
  /** how far the hair comes down the forehead and the sides, in head radii */
  fringe: number;
  sideHair: number;
  shirt: number;
  /** the collar under the chin (hidden when the chin is lifted) */
  collar: number;
  headWidth: number;
  headHeight: number;
  eyeSpacing: number;
  mouthWidth: number;
  /** where the person stands in the frame */
  centerX: number;
  centerY: number;
}

function makePerson(random: Random, index: number): Person {
  const skin = random.uniform(0.35, 0.65);
  const background = skin - random.uniform(0.2, 0.3);
  // Most people's hair is darker than their skin; a few are fair-haired, which flips that contrast.
  const fairHaired = random.next() < 0.15;
  return {
    name: `synth${String(index + 1).padStart(2, '0')}`,
    skin,
    background,
    backgroundSlope: random.uniform(-0.015, 0.015),
    edgeX: random.uniform(0, 32),
    edgeGrey: background + random.uniform(-0.1, 0.1),
    hair: fairHaired ? skin + random.uniform(0.2, 0.35) : skin - random.uniform(0.2, 0.35),
    fringe: random.uniform(0.25, 0.6),
    sideHair: random.uniform(0.2, 0.8),
    shirt: random.uniform(0.05, 0.9),
    collar: random.uniform(0.03, 0.25),
    headWidth: random.uniform(5.5, 7.5),
    headHeight: random.uniform(7.5, 9.5),
    eyeSpacing: random.uniform(2.2, 3.2),
    mouthWidth: random.uniform(1.8, 3),
    centerX: random.uniform(14, 18),
    centerY: random.uniform(13, 16),
  };
}

/** How a shot turns the head: yaw < 0 faces the left of the picture, pitch > 0 looks up. */
const poseAngles: Record<FaceName['pose'], { yaw: number; pitch: number }> = {
  straight: { yaw: 0, pitch: 0 },
  left: { yaw: -1, pitch: 0 },
  right: { yaw: 1, pitch: 0 },
  up: { yaw: 0, pitch: 1 },
};

/** Mouth curvature (smile > 0) and brow lowering for each expression. */
const expressionShapes: Record<FaceName['expression'], { smile: number; brows: number; open: number }> = {
  neutral: { smile: 0, brows: 0, open: 0 },
  happy: { smile: 1, brows: 0, open: 0.6 },
  sad: { smile: -0.8, brows: -0.3, open: 0 },
  angry: { smile: -0.2, brows: 1, open: 0.3 },
};

interface Shot {
  face: FaceName;
  /** head position jitter, pixels */
  shiftX: number;
  shiftY: number;
  /** lighting: grey × gain + offset */
  gain: number;
  offset: number;
  /** where the lamp is: 1 above the camera (a ceiling light), -1 below it (a desk lamp) */
  lamp: number;
}

/**
 * Looking up tilts the face towards a lamp above the camera or away from one below it, so the face of an `up`
 * shot is lit this much more or less than when it looks straight ahead (turning left or right keeps it as
 * lit). Straight faces thus lie between the two kinds of up in brightness: no single linear boundary parts
 * them, while two sigmoid hidden units can (one for brighter than straight, one for darker).
 */
const tiltLighting = 0.6;
/** The lifted chin shades the neck it shows: this fraction of the skin's grey. */
const liftedChinShadow = 0.35;

/** The grey level at point (x, y) of the picture, before lighting and noise. */
function shade(person: Person, shot: Shot, x: number, y: number): number {
  const { yaw, pitch } = poseAngles[shot.face.pose];
  // The head turns: its outline moves a little, the face inside it moves more (it is on the front of a ball).
  const bodyY = person.centerY + shot.shiftY;
  const bodyX = person.centerX + shot.shiftX;
  const headX = bodyX + 1.5 * yaw;
  const headY = bodyY - 0.4 * pitch;
  const faceX = headX + 2.8 * yaw;
  const faceY = headY - 0.6 * pitch;
  const u = (x - headX) / person.headWidth;
  const v = (y - headY) / person.headHeight;
  const inHead = u * u + v * v <= 1;

  // Below the head: the collar comes up to the chin, unless the chin is lifted and shows the neck.
  if (!inHead) {
    const chin = bodyY + person.headHeight;
    const underChin = Math.abs(x - bodyX) < person.headWidth * 0.5 && y > headY && y < chin + 3;
    if (underChin) return pitch > 0 ? person.skin * liftedChinShadow : person.collar;
    const shoulders = y > chin + 1 - 0.3 * Math.abs(x - bodyX);
    if (shoulders) return person.shirt;
    const wall = x > person.edgeX ? person.edgeGrey : person.background;
    return wall + person.backgroundSlope * (x - 16);
  }

  // Hair: a cap on top, and on the side the head turns away from.
  const fu = (x - faceX) / person.headWidth;
  const fv = (y - faceY) / person.headHeight;
  const capLine = -1 + person.fringe - 0.1 * pitch;
  const awaySide = yaw === 0 ? 0 : -yaw * u;
  if (v < capLine || (Math.abs(u) > 1 - person.sideHair * 0.35 && v < 0.2) || awaySide > 0.35) {
    return person.hair;
  }

  return (1 + tiltLighting * pitch * shot.lamp) * faceShade(person, shot, u, v, fu, fv);
}

/** The face inside the hairline: eyes, brows, nose, mouth and skin, at face coordinates (fu, fv). */
function faceShade(person: Person, shot: Shot, u: number, v: number, fu: number, fv: number): number {
  const { yaw } = poseAngles[shot.face.pose];
  const expression = expressionShapes[shot.face.expression];
  // Face features, relative to where the face points.
  const eyeY = -0.18;
  const squeeze = 1 - 0.25 * Math.abs(yaw);
  for (const side of [-1, 1]) {
    const eyeX = (side * person.eyeSpacing * squeeze) / person.headWidth;
    const du = fu - eyeX;
    const dv = fv - eyeY;
    if (shot.face.eyes === 'sunglasses') {
      if (Math.abs(du) < 0.3 && Math.abs(dv) < 0.12) return 0.04;
    } else if (du * du + dv * dv * 4 < 0.018) {
      return person.skin - 0.25;
    }
    // brows: lowered toward the nose when angry
    const browV = eyeY - 0.16 + 0.06 * expression.brows * (0.5 - side * du);
    if (Math.abs(du) < 0.22 && Math.abs(fv - browV) < 0.035) return person.hair * 0.8;
  }
  if (shot.face.eyes === 'sunglasses' && Math.abs(fu) < 0.12 && Math.abs(fv - eyeY) < 0.04) return 0.04;
  // nose: a shadow on the side away from the light
  if (fv > -0.05 && fv < 0.25 && fu > 0.02 && fu < 0.1 + 0.08 * Math.abs(yaw)) return person.skin * 0.7;
  // mouth: a curve that smiles (ends up) or frowns (ends down); open shows a dark gap
  const mouthU = (fu * person.headWidth) / person.mouthWidth;
  if (Math.abs(mouthU) < 1) {
    const centre = 0.45 - 0.12 * expression.smile * (mouthU * mouthU - 0.5);
    const thickness = 0.04 + 0.05 * expression.open;
    if (Math.abs(fv - centre) < thickness) return expression.open > 0.5 ? 0.1 : 0.25;
  }
  // skin, lit from the upper left
  return person.skin * (1 - 0.12 * u - 0.08 * v);
}

function drawShot(person: Person, shot: Shot, random: Random, noise: number): Float32Array {
  const pixels = new Float32Array(syntheticWidth * syntheticHeight);
  const step = 1 / supersample;
  for (let row = 0; row < syntheticHeight; row++) {
    for (let column = 0; column < syntheticWidth; column++) {
      let sum = 0;
      for (let sy = 0; sy < supersample; sy++) {
        for (let sx = 0; sx < supersample; sx++) {
          sum += shade(person, shot, column + (sx + 0.5) * step, row + (sy + 0.5) * step);
        }
      }
      const grey =
        exposure * (sum / (supersample * supersample)) * shot.gain + shot.offset + noise * random.normal();
      pixels[row * syntheticWidth + column] = Math.min(1, Math.max(0, grey));
    }
  }
  return pixels;
}

/**
 * Every shot of every person (people × 4 poses × 4 expressions × 2 eye states, 640 by default), in a fixed
 * order; the same seed gives the same pictures on every platform.
 */
export function syntheticFacePictures(options: SyntheticFacesOptions = {}): FacePicture[] {
  const { seed = 1, people = 20, noise = 0.04 } = options;
  const random = new Random(seed);
  const pictures: FacePicture[] = [];
  for (let p = 0; p < people; p++) {
    const person = makePerson(random, p);
    for (const pose of poses) {
      for (const expression of expressions) {
        for (const eyes of eyeStates) {
          const face: FaceName = { person: person.name, pose, expression, eyes, scale: 4 };
          const shot: Shot = {
            face,
            shiftX: random.normal() * 0.5,
            shiftY: random.normal() * 0.6,
            gain: random.uniform(0.85, 1.15),
            offset: random.uniform(-0.08, 0.08),
            lamp: random.next() < 0.5 ? 1 : -1,
          };
          pictures.push({
            face,
            width: syntheticWidth,
            height: syntheticHeight,
            pixels: drawShot(person, shot, random, noise),
            source: `synthetic/${person.name}_${pose}_${expression}_${eyes}_4`,
          });
        }
      }
    }
  }
  return pictures;
}

/** The names of the synthetic people, the classes of the `person` task. */
export function syntheticPeople(people = 20): string[] {
  return Array.from({ length: people }, (_, i) => `synth${String(i + 1).padStart(2, '0')}`);
}

export interface SyntheticDatasetOptions extends SyntheticFacesOptions {
  task: FaceTask;
  /** default '0.1/0.9' */
  targets?: TargetEncoding;
}

/** All synthetic shots as one data set for a task. */
export function syntheticFaces(options: SyntheticDatasetOptions): Dataset {
  const datasetOptions: FaceDatasetOptions = {
    task: options.task,
    targets: options.targets,
    people: syntheticPeople(options.people),
  };
  return faceDataset(syntheticFacePictures(options), datasetOptions);
}

/**
 * The default splits, in the proportions of Mitchell's pose lists (277 / 139 / 208 of 624): 45% train,
 * 22% validation, 33% test, drawn with the data set's seed.
 */
export function syntheticFaceSplits(options: SyntheticDatasetOptions): Splits {
  return splitDataset(syntheticFaces(options), { validation: 0.22, test: 0.33 }, options.seed ?? 1);
}
