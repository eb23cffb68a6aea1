// Where fit's checkpoints go: every checkpointEvery epochs, to onCheckpoint (in memory) and to checkpointPath
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
  checkpointEvery: number | undefined,
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
    due: (epoch) => epoch % checkpointEvery === 0,
    async save(checkpoint) {
      if (onCheckpoint) await onCheckpoint(checkpoint);
      if (files && checkpointPath !== undefined) {
        await files.writeCheckpointFile(checkpointPath, JSON.stringify(checkpoint));
      }
    },
  };
}
