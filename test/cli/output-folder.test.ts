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
import { checkOutputFolder, pendingFolder } from '../../src/cli/output-folder.js';
import { MlpError } from '../../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'webgpu-mlp-out-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the output folder', () => {
  it('appears whole on commit, with nothing left beside it', async () => {
    const folder = await pendingFolder(join(work, 'run'), false);
    await folder.write('a.txt', 'a');
    await folder.write('weights/b.png', Uint8Array.of(1, 2));
    expect(existsSync(join(work, 'run'))).toBe(false);
    await folder.commit();
    expect(readFileSync(join(work, 'run/a.txt'), 'utf8')).toBe('a');
    expect([...readFileSync(join(work, 'run/weights/b.png'))]).toEqual([1, 2]);
    expect(readdirSync(work)).toEqual(['run']);
  });

  it('leaves nothing when abandoned', async () => {
    const folder = await pendingFolder(join(work, 'failed'), false);
    await folder.write('a.txt', 'a');
    await folder.abandon();
    expect(readdirSync(work)).toEqual(['run']);
  });

  it('makes missing parent folders when it writes', async () => {
    expect(() => checkOutputFolder(join(work, 'new/parents/run'), false)).not.toThrow();
    expect(existsSync(join(work, 'new'))).toBe(false);
    const folder = await pendingFolder(join(work, 'new/parents/run'), false);
    await folder.write('a.txt', 'a');
    await folder.commit();
    expect(readFileSync(join(work, 'new/parents/run/a.txt'), 'utf8')).toBe('a');
    rmSync(join(work, 'new'), { recursive: true });
  });

  it('refuses an existing folder unless overwriting', async () => {
    expect(() => checkOutputFolder(join(work, 'run'), false)).toThrow(/already exists.*--overwrite/);
    expect(() => checkOutputFolder(join(work, 'run'), false)).toThrow(MlpError);
    mkdirSync(join(work, 'old'));
    writeFileSync(join(work, 'old/stale.txt'), 'stale');
    const folder = await pendingFolder(join(work, 'old'), true);
    await folder.write('fresh.txt', 'fresh');
    await folder.commit();
    expect(readdirSync(join(work, 'old'))).toEqual(['fresh.txt']);
  });
});
