// Mitchell's protocol through the command line, on the real CMU faces (../shared/data/cmu-faces).

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliForTests, lastJson, repositoryRoot } from '../helpers/cli.js';
import { unpackCmuArchive } from '../helpers/cmu-archive.js';

const facesFolder = join(repositoryRoot, '../shared/data/cmu-faces');
const haveFaces = existsSync(facesFolder);
const cliBuild = cliForTests('faces');
const cli = (...args: string[]) => cliBuild.run(...args);
afterAll(() => cliBuild.dispose());

describe.skipIf(!haveFaces)(
  `the real CMU faces${haveFaces ? '' : ` (SKIPPED: ${facesFolder} is absent)`}`,
  () => {
    beforeAll(() => {
      cliBuild.build();
    }, 120_000);

    it("runs Mitchell's protocol in one command, then predicts for a folder of images", () => {
      const out = join(cliBuild.work, 'mitchell');
      const lists = join(facesFolder, 'lists');
      const result = cli(
      'train', '--data', facesFolder, '--train-list', join(lists, 'all_train.list'),
      '--validation-list', join(lists, 'all_test1.list'), '--test-list', join(lists, 'all_test2.list'),
      '--task', 'pose', '--hidden', '3', '--activation', 'sigmoid', '--loss', 'squared-error', '--lr', '0.3',
      '--momentum', '0.3', '--batch', '1', '--epochs', '3', '--backend', 'cpu', '--seed', '1', '--json', '--out', out,
    ); // biome-ignore format: one command line
      expect(result.status).toBe(0);
      expect(lastJson(result.stdout)).toMatchObject({ task: 'pose', layers: [960, 3, 4], epochs: 3 });
      expect(result.stderr).toMatch(/all_train\.list 277, all_test1\.list 139, all_test2\.list 208/);
      const predicted = cli(
        'predict',
        '--model',
        out,
        '--backend',
        'cpu',
        '--json',
        join(facesFolder, 'an2i'),
      );
      expect(predicted.status).toBe(0);
      const lines = predicted.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(32);
      expect(Object.keys(lines[0].scores)).toEqual(['straight', 'left', 'right', 'up']);
    });

    it("reads the archive as it unpacks and Mitchell's course lists with their /afs/… paths", () => {
      const archive = unpackCmuArchive(facesFolder);
      try {
        const out = join(cliBuild.work, 'archive');
        const list = (name: string) => join(archive.lists, `${name}.list`);
        const trained = cli(
          ...['train', '--data', archive.faces, '--train-list', list('straightrnd_train')],
          ...['--validation-list', list('straightrnd_test1'), '--test-list', list('straightrnd_test2')],
          ...['--task', 'sunglasses', '--epochs', '2', '--backend', 'cpu', '--json', '--out', out],
        );
        expect(trained.stderr).not.toMatch(/webgpu-mlp: error/);
        expect(trained.status).toBe(0);
        expect(trained.stderr).toMatch(
          /straightrnd_train\.list 70, straightrnd_test1\.list 34, straightrnd_test2\.list 52/,
        );
        const evaluated = cli(
          'eval',
          '--model',
          out,
          '--data',
          list('all_test2'),
          '--backend',
          'cpu',
          '--json',
        );
        expect(evaluated.status).toBe(0);
        expect(lastJson(evaluated.stdout).count).toBe(208);
      } finally {
        rmSync(archive.root, { recursive: true, force: true });
      }
    });
  },
);
