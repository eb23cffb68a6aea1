// The demo's data sources outside a browser: File objects exist in Node, and a folder dropped onto the page
// is a tree of FileSystemEntry objects, stood in for here by plain ones.
import { describe, expect, it } from 'vitest';
import { droppedFiles, pgmSource, singleClassWarning } from '../../demo/data-source.js';

function pgmFile(name: string): File {
  const header = new TextEncoder().encode('P5\n32 30\n255\n');
  const bytes = new Uint8Array(header.length + 960);
  bytes.set(header);
  bytes.fill(100, header.length);
  return new File([bytes], name);
}

const people = ['ann', 'ben'];
const poses = ['straight', 'left', 'right', 'up'];
const images = people.flatMap((person) =>
  poses.map((pose) => `${person}/${person}_${pose}_neutral_open_4.pgm`),
);
const listFile = (name: string, paths: string[]) => new File([`${paths.join('\n')}\n`], name);
/** all_* over every image, straighteven_* over the straight ones. */
const lists = [
  listFile('all_train.list', images.slice(0, 4)),
  listFile('all_test1.list', images.slice(4, 6)),
  listFile('all_test2.list', images.slice(6)),
  listFile('straighteven_train.list', [images[0]]),
  listFile('straighteven_test1.list', [images[4]]),
  listFile('straighteven_test2.list', [images[4]]),
];
const files = [...images.map((path) => pgmFile(path.split('/')[1])), ...lists];
const choice = { task: 'pose', targets: '0.1/0.9', validationSplit: 0.3, seed: 1 } as const;

describe('PGM files with several of Mitchell’s list sets', () => {
  it('offers every complete set, all first, and uses it unless another is chosen', async () => {
    const source = await pgmSource(files, 'faces');
    expect(source.listSets).toEqual({
      sets: [
        { prefix: 'all', label: 'all: 4 train, 2 validation, 2 test' },
        { prefix: 'straighteven', label: 'straighteven: 1 train, 1 validation, 1 test' },
      ],
      chosen: 'all',
    });
    const splits = await source.splits(choice);
    expect([splits.train.count, splits.validation.count, splits.test.count]).toEqual([4, 2, 2]);
  });

  it('splits by the chosen set, or at random when asked', async () => {
    const even = await pgmSource(files, 'faces', { listSet: 'straighteven' });
    expect(even.listSets?.chosen).toBe('straighteven');
    expect(even.splitNote).toContain('straighteven_train (1)');
    const splits = await even.splits(choice);
    expect([splits.train.count, splits.validation.count, splits.test.count]).toEqual([1, 1, 1]);
    const random = await pgmSource(files, 'faces', { listSet: null });
    expect(random.listSets?.chosen).toBeNull();
    expect(random.splitNote).toMatch(/^Random split/);
    const randomSplits = await random.splits(choice);
    expect(randomSplits.train.count + randomSplits.validation.count + randomSplits.test.count).toBe(8);
  });

  it('says so when the chosen set is not complete', async () => {
    await expect(pgmSource(files, 'faces', { listSet: 'straightrnd' })).rejects.toThrow(
      "faces: no complete list set 'straightrnd' (its _train, _test1 and _test2 lists)",
    );
  });
});

/** A dropped folder: directories list their children in batches, as Chrome's readEntries does. */
function fileEntry(file: File): FileSystemFileEntry {
  return {
    isFile: true,
    isDirectory: false,
    name: file.name,
    file: (resolve) => resolve(file),
  } as FileSystemFileEntry;
}
function folderEntry(name: string, children: FileSystemEntry[], batch = 2): FileSystemDirectoryEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (resolve: (entries: FileSystemEntry[]) => void) => {
          resolve(children.slice(next, next + batch));
          next += batch;
        },
      };
    },
  } as unknown as FileSystemDirectoryEntry;
}
function item(entry: FileSystemEntry | null, file: File | null = null): DataTransferItem {
  return {
    kind: 'file',
    webkitGetAsEntry: () => entry,
    getAsFile: () => file,
  } as unknown as DataTransferItem;
}

describe('droppedFiles', () => {
  it('walks dropped folders to every file below them, and takes items without an entry as plain files', async () => {
    const [a, b, c, d, e] = ['a.pgm', 'b.pgm', 'c.pgm', 'd.list', 'e.pgm'].map(
      (name) => new File(['x'], name),
    );
    const tree = folderEntry('faces', [
      fileEntry(a),
      folderEntry('ann', [fileEntry(b), fileEntry(c), folderEntry('empty', [])]),
      fileEntry(d),
    ]);
    const items = [item(tree), item(null, e), { kind: 'string' } as DataTransferItem];
    const found = await droppedFiles(items as unknown as DataTransferItemList);
    expect(found.map((file) => file.name).sort()).toEqual(['a.pgm', 'b.pgm', 'c.pgm', 'd.list', 'e.pgm']);
  });
});

describe('singleClassWarning', () => {
  it('names the splits that hold one class for the task, and is null when every split holds several', async () => {
    const straightOnly = await pgmSource(files, 'faces', { listSet: 'straighteven' });
    expect(singleClassWarning(await straightOnly.splits(choice), 'pose')).toBe(
      "The train, validation and test splits each hold one class only for the pose task ('straight'), so accuracy there says nothing about telling the classes apart. Choose another split or task.",
    );
    const all = await pgmSource(files, 'faces', { listSet: 'all' });
    expect(singleClassWarning(await all.splits(choice), 'pose')).toBeNull();
  });
});
