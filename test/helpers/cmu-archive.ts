// The CMU faces as users get them: ../shared/data/cmu-faces rearranged, in a temporary folder, into the
// layout of the UCI archive as it unpacks (faces/<user>/<user>_<pose>_<expression>_<eyes>_4.pgm, the broken
// shots as .bad files, other scales beside them) and Mitchell's course lists with their absolute paths.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expressions, eyeStates, poses } from '../../src/data/faces.js';

/** Where Mitchell's course kept the faces; his .list files name every image below it. */
export const coursePath = '/afs/cs/project/theo-8/faceimages/faces';

export interface CmuArchive {
  /** the folder the archive unpacked into: holds faces/ and trainset/ */
  root: string;
  /** root/faces, as the archive unpacks */
  faces: string;
  /** root/trainset: Mitchell's nine lists with their /afs/… paths */
  lists: string;
  /** the shots written as .bad files (the 16 the shared copy leaves out) */
  bad: string[];
}

export function unpackCmuArchive(shared: string): CmuArchive {
  const root = mkdtempSync(join(tmpdir(), 'cmu-archive-'));
  const faces = join(root, 'faces');
  const lists = join(root, 'trainset');
  const bad: string[] = [];
  const people = readdirSync(shared, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'lists')
    .map((entry) => entry.name);
  for (const person of people) {
    mkdirSync(join(faces, person), { recursive: true });
    const present = new Set(readdirSync(join(shared, person)));
    for (const pose of poses)
      for (const expression of expressions)
        for (const eyes of eyeStates) {
          const shot = `${person}_${pose}_${expression}_${eyes}`;
          if (present.has(`${shot}_4.pgm`)) {
            copyFileSync(join(shared, person, `${shot}_4.pgm`), join(faces, person, `${shot}_4.pgm`));
          } else {
            writeFileSync(join(faces, person, `${shot}_4.bad`), 'a broken shot: not a PGM image');
            bad.push(`${person}/${shot}_4.bad`);
          }
        }
  }
  // One full-size (128×120) image: the archive holds them beside the quarter-size ones.
  const header = new TextEncoder().encode('P5\n128 120\n255\n');
  writeFileSync(
    join(faces, people[0], `${people[0]}_straight_neutral_open.pgm`),
    Buffer.concat([header, new Uint8Array(128 * 120).fill(90)]),
  );
  mkdirSync(lists);
  for (const name of readdirSync(join(shared, 'lists'))) {
    const relativePaths = readFileSync(join(shared, 'lists', name), 'utf8')
      .trim()
      .split('\n');
    writeFileSync(join(lists, name), `${relativePaths.map((path) => `${coursePath}/${path}`).join('\n')}\n`);
  }
  return { root, faces, lists, bad };
}
