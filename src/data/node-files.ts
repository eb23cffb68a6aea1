// Face files from a folder on disk (Node only: the browser uses browser-files.ts).

import { open, readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { MlpError } from '../errors.js';
import type { FaceFiles } from './faces.js';
import { pgmByteLimit, pgmHeaderLimit } from './pgm.js';

function unreadable(path: string, what: string, error: unknown): MlpError {
  const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : String(error);
  return new MlpError('invalid-file', `cannot read the ${what} ${path}: ${reason}`, { cause: error });
}

/**
 * Reads a file, turning "not found" and the like into an MlpError that names the path. Only regular files:
 * a device or a pipe (a link to /dev/zero) may never end, so it is refused before anything is read.
 */
export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, what, error);
  }
  try {
    if (!(await file.stat()).isFile()) {
      throw new MlpError(
        'invalid-file',
        `cannot read the ${what} ${path}: it is not a regular file (a device, a pipe or a folder)`,
      );
    }
    return new Uint8Array(await file.readFile());
  } catch (error) {
    if (error instanceof MlpError) throw error;
    throw unreadable(path, what, error);
  } finally {
    await file.close();
  }
}

/** Reads into `target` from `position` until it is full or the file ends; returns the part filled. */
async function readAt(
  file: Awaited<ReturnType<typeof open>>,
  target: Uint8Array,
  position: number,
): Promise<Uint8Array> {
  let filled = 0;
  while (filled < target.length) {
    const { bytesRead } = await file.read(target, filled, target.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return target.subarray(0, filled);
}

/** 256 MiB: a 16,000 × 16,000 16-bit image; far beyond any data set's pictures. */
export const maxPgmFileBytes = 1 << 28;

/**
 * Reads a PGM image no further than its header allows (pgmByteLimit): a link to /dev/zero or a huge file
 * costs its header's size, not the disk's. A longer file is MlpError('invalid-file').
 */
export async function readPgmFile(path: string, what = 'image'): Promise<Uint8Array> {
  let file: Awaited<ReturnType<typeof open>>;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, what, error);
  }
  try {
    const head = await readAt(file, new Uint8Array(pgmHeaderLimit), 0);
    const limit = pgmByteLimit(head, path);
    if (limit > maxPgmFileBytes) {
      throw new MlpError(
        'invalid-file',
        `${path}: its PGM header claims an image of up to ${limit} bytes; images up to ${maxPgmFileBytes} bytes are read`,
      );
    }
    // Read on in chunks, so memory follows the bytes present, not the header's claim; one byte past the
    // limit tells a file that is too long.
    const chunks = [head];
    let length = head.length;
    while (chunks[chunks.length - 1].length === pgmHeaderLimit && length <= limit) {
      const chunk = await readAt(file, new Uint8Array(Math.min(pgmHeaderLimit, limit + 1 - length)), length);
      chunks.push(chunk);
      length += chunk.length;
      if (chunk.length === 0) break;
    }
    const bytes = chunks.length === 1 ? head : new Uint8Array(length);
    if (chunks.length > 1) {
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.length;
      }
    }
    if (bytes.length > limit) {
      throw new MlpError(
        'invalid-file',
        `${path}: not a valid PGM image: the file is longer than the ${limit} bytes its header allows`,
      );
    }
    return bytes;
  } catch (error) {
    if (error instanceof MlpError) throw error;
    throw unreadable(path, what, error);
  } finally {
    await file.close();
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
      if (!isAbsolute(path) && (await isFile(below))) return readPgmFile(below);
      const found = await pathOfFileName(path);
      if (found === undefined) {
        throw new MlpError(
          'invalid-file',
          `cannot read the image ${path}: it is not in ${folder}, neither at that path below it nor by its file name ${basename(path)} in any subfolder`,
        );
      }
      return readPgmFile(join(folder, found));
    },
    listImages,
  };
}
