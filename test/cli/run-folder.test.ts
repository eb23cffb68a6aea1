// Reading back a run folder (src/cli/run-folder.ts loadRun, what `eval` and `predict --model` do): run.json
// and model.json must be regular files; a link to /dev/zero is refused at once rather than read until
// memory runs out.
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../../src/cli/run-folder.js';
import { rejection } from '../helpers/errors.js';

describe('loadRun', () => {
  it.each(['run.json', 'model.json'])(
    'refuses a %s linked to /dev/zero at once, naming it',
    async (linked) => {
      const folder = mkdtempSync(join(tmpdir(), 'run-folder-'));
      for (const name of ['run.json', 'model.json']) {
        if (name === linked) symlinkSync('/dev/zero', join(folder, name));
        else writeFileSync(join(folder, name), '{}');
      }
      const started = performance.now();
      const error = await rejection(() => loadRun(folder, 'cpu'));
      expect(performance.now() - started).toBeLessThan(2000);
      expect(error.code).toBe('invalid-file');
      expect(error.message).toContain(join(folder, linked));
      expect(error.message).toMatch(/not a regular file/);
    },
  );
});
