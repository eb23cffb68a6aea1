// The output folder of `train` appears whole or not at all: files are written into a hidden sibling folder
// that is renamed into place at the end, and removed if anything fails first.

import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { MlpError } from '../errors.js';

export interface PendingFolder {
  /** the folder the files will end up in */
  readonly path: string;
  write(name: string, contents: string | Uint8Array): Promise<void>;
  /** moves everything into place */
  commit(): Promise<void>;
  /** removes what was written */
  abandon(): Promise<void>;
}

/**
 * Checks, before any training starts, that `path` is free (or may be overwritten). Missing parent folders
 * are made when the results are written, not before: a run that fails in training makes none.
 */
export function checkOutputFolder(path: string, overwrite: boolean): void {
  if (existsSync(path) && !overwrite) {
    throw new MlpError(
      'invalid-argument',
      `--out ${path} already exists; choose another folder or add --overwrite`,
    );
  }
}

export async function pendingFolder(path: string, overwrite: boolean): Promise<PendingFolder> {
  checkOutputFolder(path, overwrite);
  await mkdir(dirname(path), { recursive: true });
  const staging = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  await mkdir(staging, { recursive: true });
  return {
    path,
    async write(name, contents) {
      await mkdir(dirname(join(staging, name)), { recursive: true });
      await writeFile(join(staging, name), contents);
    },
    async commit() {
      if (overwrite) await rm(path, { recursive: true, force: true });
      await rename(staging, path);
    },
    async abandon() {
      await rm(staging, { recursive: true, force: true });
    },
  };
}
