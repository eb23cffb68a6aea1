import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputFolder, checkpointSchedule, RunFolder } from '../../src/cli/output-folder.js';
import { MlpError } from '../../src/errors.js';
import type { SavedModel } from '../../src/io/model-file.js';
import type { EpochRecord } from '../../src/train/options.js';

const work = mkdtempSync(join(tmpdir(), 'webgpu-mlp-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const record = (epoch: number): EpochRecord => ({
  epoch,
  loss: 1 / epoch,
  accuracy: 0.5,
  learningRate: 0.1,
  examplesPerSecond: 1,
});
const runRecord = { data: 'synthetic', flags: { epochs: 9 }, summary: null };

describe('the output folder', () => {
  it('while training holds run.json without a summary and the checkpoint files; at the end the results, and no checkpoint', async () => {
    const path = join(work, 'run');
    const folder = await RunFolder.create<{ epochs: number }, string>(path, false, runRecord);
    expect(readdirSync(path)).toEqual(['run.json']);
    await folder.saveCheckpoint({ epoch: 2 } as SavedModel, [record(1), record(2)]);
    expect(readdirSync(path).sort()).toEqual(['checkpoint.json', 'history.json', 'run.json']);
    await folder.finish(
      [
        { name: 'a.txt', contents: 'a' },
        { name: 'weights/b.png', contents: Uint8Array.of(1, 2) },
      ],
      'done',
    );
    expect(readdirSync(path).sort()).toEqual(['a.txt', 'run.json', 'weights']);
    expect([...readFileSync(join(path, 'weights/b.png'))]).toEqual([1, 2]);
    expect(JSON.parse(readFileSync(join(path, 'run.json'), 'utf8'))).toEqual({
      ...runRecord,
      summary: 'done',
    });
  });

  it('a run that fails before its first checkpoint leaves nothing; after one, the folder stays for --resume', async () => {
    const failed = await RunFolder.create<unknown, string>(join(work, 'failed'), false, runRecord);
    expect(await failed.abandon()).toBe(false);
    expect(existsSync(join(work, 'failed'))).toBe(false);
    const kept = await RunFolder.create<unknown, string>(join(work, 'kept'), false, runRecord);
    await kept.saveCheckpoint({ epoch: 1 } as SavedModel, [record(1)]);
    expect(await kept.abandon()).toBe(true);
    expect(existsSync(join(work, 'kept', 'checkpoint.json'))).toBe(true);
  });

  it('refuses an existing folder unless overwriting (naming --resume); makes missing parents when training starts', async () => {
    expect(() => checkOutputFolder(join(work, 'run'), false)).toThrow(
      /already exists; choose another folder, add --overwrite, or continue it with --resume/,
    );
    expect(() => checkOutputFolder(join(work, 'run'), false)).toThrow(MlpError);
    mkdirSync(join(work, 'old'));
    writeFileSync(join(work, 'old/stale.txt'), 'stale');
    const folder = await RunFolder.create<unknown, string>(join(work, 'old'), true, runRecord);
    await folder.finish([{ name: 'fresh.txt', contents: 'fresh' }], 'done');
    expect(readdirSync(join(work, 'old')).sort()).toEqual(['fresh.txt', 'run.json']);
    expect(() => checkOutputFolder(join(work, 'new/parents/run'), false)).not.toThrow();
    expect(existsSync(join(work, 'new'))).toBe(false);
    await RunFolder.create<unknown, string>(join(work, 'new/parents/run'), false, runRecord);
    expect(readdirSync(join(work, 'new/parents/run'))).toEqual(['run.json']);
  });
});

describe('checkpointSchedule', () => {
  it('--checkpoint-every N: fit checkpoints every N epochs, all written but the last epoch’s; 0: none', () => {
    const every3 = checkpointSchedule(3, 9);
    expect(every3.checkpointEvery).toBe(3);
    expect([3, 6, 9].map((epoch) => every3.due(epoch))).toEqual([true, true, false]);
    expect(checkpointSchedule(0, 9).checkpointEvery).toBeUndefined();
  });

  it('by default: fit checkpoints a minute apart (its own clock), all written but the last epoch’s', () => {
    const schedule = checkpointSchedule(undefined, 100);
    expect(schedule.checkpointEvery).toEqual({ seconds: 60 });
    expect([1, 99, 100].map((epoch) => schedule.due(epoch))).toEqual([true, true, false]);
  });
});
