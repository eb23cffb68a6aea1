// Face files from a folder on disk (Node only: the browser uses browser-files.ts).

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
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

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Face files in a folder and its subfolders: the folder this project's lists name paths in
 * (`an2i/an2i_left_angry_open_4.pgm`), or the CMU archive as it unpacks (`faces/an2i/…`, beside `.bad`
 * files and the other scales), or a folder above it. A path that is not below the folder (Mitchell's course
 * lists name `/afs/cs/project/theo-8/faceimages/faces/an2i/…`) is found by its file name alone: CMU file
 * names are unique.
 */
export function folderFaceFiles(folder: string): FaceFiles {
  async function listImages(): Promise<string[]> {
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
  }
  let byFileName: Promise<Map<string, string>> | undefined;
  const pathOfFileName = async (path: string) => {
    byFileName ??= listImages().then((paths) => new Map(paths.map((found) => [basename(found), found])));
    return (await byFileName).get(basename(path));
  };
  return {
    name: folder,
    async read(path) {
      const below = join(folder, path);
      if (!isAbsolute(path) && (await isFile(below))) return readFileBytes(below, 'image');
      const found = await pathOfFileName(path);
      if (found === undefined) {
        throw new MlpError(
          'invalid-file',
          `cannot read the image ${path}: it is not in ${folder}, neither at that path below it nor by its file name ${basename(path)} in any subfolder`,
        );
      }
      return readFileBytes(join(folder, found), 'image');
    },
    listImages,
  };
}
