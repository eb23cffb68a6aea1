// When fit makes checkpoints (every checkpointEvery epochs, or seconds) and where they go: to onCheckpoint (in memory) and to checkpointPath
// (a file, Node only, written by the platform: whole or not at all, the previous one kept). The file's
// destination is checked before the first epoch, so a wrong path costs no training time.

import { MlpError } from '../errors.js';
import type { SavedModel } from '../io/model-file.js';
import { nodePlatform } from '../platform.js';
import type { FitOptions } from './options.js';

export interface Checkpoints {
  /** whether the epoch just finished (1-based, over the network's life) gets a checkpoint */
  due(epoch: number): boolean;
  save(checkpoint: SavedModel): Promise<void>;
}

/** undefined without checkpointEvery (resolveFitOptions refuses a destination without it). */
export async function openCheckpoints(
  checkpointEvery: number | { seconds: number } | undefined,
  options: Pick<FitOptions, 'onCheckpoint' | 'checkpointPath'>,
): Promise<Checkpoints | undefined> {
  if (checkpointEvery === undefined) return undefined;
  const { onCheckpoint, checkpointPath } = options;
  const files = checkpointPath === undefined ? undefined : nodePlatform();
  if (checkpointPath !== undefined) {
    if (!files) {
      throw new MlpError(
        'invalid-argument',
        'checkpointPath: files can be written only in Node; use onCheckpoint',
      );
    }
    await files.prepareCheckpointPath(checkpointPath);
  }
  return {
    due:
      typeof checkpointEvery === 'number'
        ? (epoch) => epoch % checkpointEvery === 0
        : secondsApart(checkpointEvery.seconds),
    async save(checkpoint) {
      if (onCheckpoint) await onCheckpoint(checkpoint);
      if (files && checkpointPath !== undefined) {
        await files.writeCheckpointFile(checkpointPath, JSON.stringify(checkpoint));
      }
    },
  };
}

/** Due at the end of the first epoch `seconds` after the last one that was due (or after now). */
function secondsApart(seconds: number): () => boolean {
  let last = performance.now();
  return () => {
    if (performance.now() - last < seconds * 1000) return false;
    last = performance.now();
    return true;
  };
}
