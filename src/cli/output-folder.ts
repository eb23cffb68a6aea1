// The output folder of `train`. It is made when training starts and holds, while the run trains:
//   run.json          the data and the flags; its summary stays null until the run is complete
//   checkpoint.json   the newest checkpoint, checkpoint.json.previous the one before (src/node-checkpoints.ts)
//   history.json      the epochs' records, up to at least the newest checkpoint's epoch
// At the end the results are written (each file whole or not at all), run.json with its summary last, and
// the checkpoint files are removed. A run that fails before its first checkpoint leaves nothing; one that
// fails or is killed later is continued by `train --resume <folder>`.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MlpError } from '../errors.js';
import type { SavedModel } from '../io/model-file.js';
import {
  partialSuffix,
  prepareCheckpointPath,
  previousSuffix,
  readCheckpoint,
  writeCheckpointFile,
  writeFileDurably,
} from '../node-checkpoints.js';
import type { EpochRecord } from '../train/options.js';

/**
 * Checks, before any training starts, that `path` is free (or may be overwritten). Missing parent folders
 * are made when training starts.
 */
export function checkOutputFolder(path: string, overwrite: boolean): void {
  if (existsSync(path) && !overwrite) {
    throw new MlpError(
      'invalid-argument',
      `--out ${path} already exists; choose another folder, add --overwrite, or continue it with --resume ${path}`,
    );
  }
}

/** run.json: how the data was read, the flags, and (once the run is complete) its summary. */
export interface RunRecord<Flags, Summary> {
  data: unknown;
  flags: Flags;
  summary: Summary | null;
}

export class RunFolder<Flags, Summary> {
  private checkpointed: boolean;

  private constructor(
    readonly path: string,
    private readonly record: RunRecord<Flags, Summary>,
    resumed: boolean,
  ) {
    this.checkpointed = resumed;
  }

  private get checkpointPath(): string {
    return join(this.path, 'checkpoint.json');
  }

  /** Makes the folder (replacing it with `overwrite`) with run.json, and checks a checkpoint can be written. */
  static async create<F, S>(
    path: string,
    overwrite: boolean,
    record: RunRecord<F, S>,
  ): Promise<RunFolder<F, S>> {
    if (overwrite) await rm(path, { recursive: true, force: true });
    await mkdir(path, { recursive: true });
    const folder = new RunFolder(path, record, false);
    try {
      await writeFileDurably(join(path, 'run.json'), folder.runJson());
      await prepareCheckpointPath(folder.checkpointPath);
    } catch (error) {
      await folder.abandon();
      throw error;
    }
    return folder;
  }

  /**
   * An unfinished run: its run.json, the newest good checkpoint (with readCheckpoint's warning when it fell
   * back to the previous one) and the records of the epochs up to that checkpoint.
   */
  static async resume<F, S>(
    path: string,
  ): Promise<{
    folder: RunFolder<F, S>;
    record: RunRecord<F, S>;
    checkpoint: SavedModel;
    history: EpochRecord[];
    warning?: string;
  }> {
    const record = await readJson<RunRecord<F, S>>(join(path, 'run.json'), `--resume ${path}`);
    if (record.summary !== null) {
      throw new MlpError(
        'invalid-argument',
        `--resume ${path}: this run is complete (run.json has its summary); nothing to continue`,
      );
    }
    const folder = new RunFolder(path, record, true);
    let read: Awaited<ReturnType<typeof readCheckpoint>>;
    try {
      read = await readCheckpoint(folder.checkpointPath);
    } catch (error) {
      throw new MlpError(
        'invalid-file',
        `--resume ${path}: no checkpoint to continue from (${(error as Error).message}); start the run again`,
        { cause: error },
      );
    }
    await prepareCheckpointPath(folder.checkpointPath);
    const epochs = await readJson<EpochRecord[]>(join(path, 'history.json'), `--resume ${path}`);
    const history = epochs.filter(({ epoch }) => epoch <= read.checkpoint.epoch);
    if (history.length !== read.checkpoint.epoch) {
      throw new MlpError(
        'invalid-file',
        `${join(path, 'history.json')}: ${history.length} epochs recorded up to the checkpoint's epoch ${read.checkpoint.epoch}; expected one per epoch`,
      );
    }
    return { folder, record, checkpoint: read.checkpoint, history, warning: read.warning };
  }

  /** Writes the epochs' records, then the checkpoint (so the records always reach the checkpoint's epoch). */
  async saveCheckpoint(checkpoint: SavedModel, history: readonly EpochRecord[]): Promise<void> {
    await writeFileDurably(join(this.path, 'history.json'), JSON.stringify(history));
    await writeCheckpointFile(this.checkpointPath, JSON.stringify(checkpoint));
    this.checkpointed = true;
  }

  /** Writes the results, run.json with `summary` last, then removes the checkpoint files. */
  async finish(results: { name: string; contents: string | Uint8Array }[], summary: Summary): Promise<void> {
    for (const { name, contents } of results) {
      await mkdir(dirname(join(this.path, name)), { recursive: true });
      await writeFileDurably(join(this.path, name), contents);
    }
    this.record.summary = summary;
    await writeFileDurably(join(this.path, 'run.json'), this.runJson());
    for (const name of ['checkpoint.json', 'history.json']) {
      for (const suffix of ['', previousSuffix, partialSuffix, `${previousSuffix}${partialSuffix}`]) {
        await rm(join(this.path, `${name}${suffix}`), { force: true });
      }
    }
  }

  /**
   * After a failure: removes the folder when it holds no checkpoint (nothing to resume); returns whether
   * it was kept.
   */
  async abandon(): Promise<boolean> {
    if (this.checkpointed) return true;
    await rm(this.path, { recursive: true, force: true });
    return false;
  }

  private runJson(): string {
    return `${JSON.stringify(this.record, null, 2)}\n`;
  }
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MlpError(
      'invalid-argument',
      `${what}: cannot read ${path} (${(error as NodeJS.ErrnoException).code}); expected a folder written by 'webgpu-mlp train'`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new MlpError('invalid-file', `${path}: not valid JSON (${String(error)})`, { cause: error });
  }
}

/** The default cadence: a killed run loses at most about this much training. */
const checkpointSeconds = 60;

export interface CheckpointSchedule {
  /** fit's checkpointEvery: undefined for no checkpoints */
  checkpointEvery: number | { seconds: number } | undefined;
  /** whether the checkpoint fit made at the end of `epoch` is written */
  due(epoch: number): boolean;
}

/**
 * `every` epochs (0: never), or by default every `checkpointSeconds` of training, a cadence fit keeps itself,
 * so runs under a minute make none and quick epochs read no weights back. The last epoch's is never written:
 * the results are written right after it.
 */
export function checkpointSchedule(every: number | undefined, lastEpoch: number): CheckpointSchedule {
  return {
    checkpointEvery: every === 0 ? undefined : (every ?? { seconds: checkpointSeconds }),
    due: (epoch) => epoch < lastEpoch,
  };
}
