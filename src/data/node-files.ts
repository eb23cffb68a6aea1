// Face files from a folder on disk (Node only: the browser uses browser-files.ts).

import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { MlpError } from '../errors.js';
import type { FaceFiles } from './faces.js';

/** Reads a file, turning "not found" and the like into an MlpError that names the path. */
export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : String(error);
    throw new MlpError('invalid-file', `cannot read the ${what} ${path}: ${reason}`, { cause: error });
  }
}

export function folderFaceFiles(folder: string): FaceFiles {
  return {
    name: folder,
    read: (path) => readFileBytes(join(folder, path), 'image'),
    async listImages() {
      let entries: string[];
      try {
        entries = await readdir(folder, { recursive: true });
      } catch (error) {
        throw new MlpError('invalid-argument', `cannot list the data folder ${folder}: ${String(error)}`, {
          cause: error,
        });
      }
      return entries
        .filter((entry) => entry.endsWith('.pgm'))
        .map((entry) => relative('.', entry).split(sep).join('/'))
        .sort();
    },
  };
}
