import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type DataFlags, prepareData, prepareDataLike } from '../../src/cli/data.js';

const facesFolder = fileURLToPath(new URL('../../../shared/data/cmu-faces', import.meta.url));
const haveFaces = existsSync(facesFolder);
const work = mkdtempSync(join(tmpdir(), 'webgpu-mlp-data-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const flags = (more: Partial<DataFlags>): DataFlags => ({
  data: 'synthetic-faces',
  task: 'pose',
  targets: '0.1/0.9',
  pixelScale: 'maxval',
  seed: 1,
  normalize: 'standard',
  ...more,
});

describe('data for the command line', () => {
  it('gives the synthetic faces with their default splits', async () => {
    const data = await prepareData(flags({ task: 'sunglasses' }));
    expect([data.train.count, data.validation?.count, data.test?.count]).toEqual([288, 141, 211]);
    expect(data.description).toMatchObject({
      kind: 'synthetic-faces',
      task: 'sunglasses',
      classNames: ['open', 'sunglasses'],
    });
  });

  it('normalises CSV features on the training rows only, and reads new files the same way', async () => {
    const rows = [
      'a,b,label',
      ...Array.from({ length: 20 }, (_, i) => `${i},${100 + 2 * i},${i % 2 ? 'odd' : 'even'}`),
    ];
    const path = join(work, 'numbers.csv');
    writeFileSync(path, rows.join('\n'));
    const data = await prepareData(flags({ data: path, testSplit: 0.25, targets: 'one-hot' }));
    expect([data.train.count, data.validation, data.test?.count]).toEqual([15, undefined, 5]);
    const { normalization } = data.description;
    let mean = 0;
    for (let i = 0; i < data.train.count; i++) mean += data.train.inputs[i * 2];
    expect(mean / data.train.count).toBeCloseTo(0, 5);
    expect(normalization?.kind).toBe('standard');
    const again = await prepareDataLike(data.description, path, undefined);
    expect(again.count).toBe(20);
    expect(again.inputs[0]).toBeCloseTo(
      (0 - (normalization?.offset[0] ?? 0)) / (normalization?.scale[0] ?? 1),
      5,
    );
  });

  it('rejects lists where there is no folder of faces', async () => {
    await expect(prepareData(flags({ trainList: 'x.list' }))).rejects.toThrow(
      /--train-list only works with a folder/,
    );
  });
});

describe.skipIf(!haveFaces)(
  `CMU faces for the command line${haveFaces ? '' : ' (SKIPPED: folder absent)'}`,
  () => {
    const list = (name: string) => join(facesFolder, 'lists', name);

    it("reads Mitchell's three lists", async () => {
      const data = await prepareData(
        flags({
          data: facesFolder,
          trainList: list('straighteven_train.list'),
          validationList: list('straighteven_test1.list'),
          testList: list('straighteven_test2.list'),
          task: 'person',
        }),
      );
      expect([data.train.count, data.validation?.count, data.test?.count]).toEqual([80, 36, 40]);
      expect(data.summary).toMatch(
        /straighteven_train\.list 80, straighteven_test1\.list 36, straighteven_test2\.list 40/,
      );
    });

    it('reads one .list as the data (paths relative to the folder above lists/) and splits it', async () => {
      const data = await prepareData(
        flags({ data: list('all_test2.list'), validationSplit: 0.25, testSplit: 0.25 }),
      );
      expect(data.train.count + (data.validation?.count ?? 0) + (data.test?.count ?? 0)).toBe(208);
      expect(data.test?.count).toBe(52);
    });

    it('needs --train-list before the other lists', async () => {
      await expect(
        prepareData(flags({ data: facesFolder, testList: list('all_test2.list') })),
      ).rejects.toThrow(/need --train-list as well/);
    });
  },
);
