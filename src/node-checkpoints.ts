// Checkpoint files in Node, written so that a crash (kill -9, power loss, a full disk) at any moment leaves
// a checkpoint to resume from:
//   <path>            the newest complete checkpoint
//   <path>.previous   the one before it, kept until a newer one is complete: the fallback if <path> is damaged
//   <path>.partial    the checkpoint being written; a crash can leave it, and the next run removes it
// A write goes to <path>.partial, is flushed to the disk (fsync), then the current file becomes .previous
// (by a hard link, so <path> never goes missing) and .partial is renamed over <path>.

import { constants } from 'node:fs';
import { access, copyFile, link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MlpError } from './errors.js';
import { decodeModel, type SavedModel } from './io/model-file.js';

export const previousSuffix = '.previous';
export const partialSuffix = '.partial';

function ioError(path: string, doing: string, error: unknown): MlpError {
  const { code, message } = error as NodeJS.ErrnoException;
  const reason = code === 'ENOSPC' ? 'the disk is full' : (code ?? message);
  return new MlpError(
    'io-error',
    `checkpoint ${path}: cannot ${doing} (${reason}); the checkpoints already written are untouched`,
    { cause: error },
  );
}

/** Writes `text` to `path` and flushes it to the disk before returning. */
async function writeAndSync(path: string, text: string | Uint8Array): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Flushes the folder's entries (the renames) to the disk; file systems that cannot do it are left as they are. */
async function syncFolder(folder: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Windows and some network file systems refuse to open or sync a folder: the data itself was synced.
  } finally {
    await handle?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Before the first epoch: removes the temporary files a crashed run left, and checks that a checkpoint can
 * be written beside `path` (by writing and removing an empty one), so a wrong path fails before any
 * training time is spent.
 */
export async function prepareCheckpointPath(path: string): Promise<void> {
  for (const stale of [`${path}${partialSuffix}`, `${path}${previousSuffix}${partialSuffix}`]) {
    await rm(stale, { force: true });
  }
  if (!(await exists(dirname(path)))) {
    throw new MlpError(
      'invalid-argument',
      `checkpointPath ${path}: its folder ${dirname(path)} does not exist`,
    );
  }
  const probe = `${path}${partialSuffix}`;
  try {
    await writeAndSync(probe, '');
  } catch (error) {
    throw ioError(path, 'write there', error);
  } finally {
    await rm(probe, { force: true });
  }
}

/** Replaces the checkpoint at `path` by `text`, keeping the one it replaces as <path>.previous. */
export async function writeCheckpointFile(path: string, text: string): Promise<void> {
  const partial = `${path}${partialSuffix}`;
  try {
    await writeAndSync(partial, text);
    if (await exists(path)) {
      const previousPartial = `${path}${previousSuffix}${partialSuffix}`;
      await rm(previousPartial, { force: true });
      // A hard link keeps <path> in place; a file system without links gets a copy.
      await link(path, previousPartial).catch(() => copyFile(path, previousPartial));
      await rename(previousPartial, `${path}${previousSuffix}`);
      // When <path>.previous already was a link to <path> (a run resumed after a kill between the two
      // renames), rename() finds the two names one file and does nothing: the temporary name stays.
      await rm(previousPartial, { force: true });
    }
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    throw ioError(path, 'write', error);
  }
  await syncFolder(dirname(path));
}

/**
 * Writes `contents` to `path` whole or not at all (<path>.partial, fsync, rename), for files that need no
 * previous version kept. Failures are MlpError('io-error') naming the file.
 */
export async function writeFileDurably(path: string, contents: string | Uint8Array): Promise<void> {
  const partial = `${path}${partialSuffix}`;
  try {
    await writeAndSync(partial, contents);
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true }).catch(() => undefined);
    const { code, message } = error as NodeJS.ErrnoException;
    throw new MlpError(
      'io-error',
      `cannot write ${path} (${code === 'ENOSPC' ? 'the disk is full' : (code ?? message)})`,
      { cause: error },
    );
  }
  await syncFolder(dirname(path));
}

/** What readCheckpoint found. */
export interface CheckpointRead {
  /** the checkpoint, checked as Network.load checks it */
  checkpoint: SavedModel;
  /** the file it came from: `path`, or <path>.previous when `path` is missing or damaged */
  path: string;
  /** set when `path` was missing or damaged and the previous checkpoint was used: says which and why */
  warning?: string;
}

async function readValid(path: string): Promise<SavedModel> {
  let text: string;
  try {
    // Regular files only: a link to /dev/zero would be read until memory runs out.
    if (!(await stat(path)).isFile()) {
      throw new MlpError('invalid-file', `${path}: not a regular file (a device, a pipe or a folder)`);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof MlpError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new MlpError(
      'invalid-file',
      code === 'ENOENT' ? `${path}: does not exist` : `${path}: cannot read it (${code})`,
      { cause: error },
    );
  }
  decodeModel(text, path); // throws MlpError('invalid-file') naming what is wrong
  return JSON.parse(text) as SavedModel;
}

/**
 * The newest good checkpoint at `path` (written by fit's checkpointPath): `path` itself, or, when it is
 * missing or damaged (cut short, bad numbers), <path>.previous with a warning that says so. Both bad is
 * MlpError('invalid-file') naming both problems.
 */
export async function readCheckpoint(path: string): Promise<CheckpointRead> {
  try {
    return { checkpoint: await readValid(path), path };
  } catch (newestError) {
    const previous = `${path}${previousSuffix}`;
    let checkpoint: SavedModel;
    try {
      checkpoint = await readValid(previous);
    } catch (previousError) {
      throw new MlpError(
        'invalid-file',
        `no usable checkpoint: ${(newestError as Error).message}; ${(previousError as Error).message}`,
        { cause: newestError },
      );
    }
    return {
      checkpoint,
      path: previous,
      warning: `the newest checkpoint is unusable (${(newestError as Error).message}); resuming from the previous one, ${previous} (epoch ${checkpoint.epoch})`,
    };
  }
}
