// Where the examples come from: the embedded synthetic faces, PGM files the user picked or dropped
// (with Mitchell's .list files when present), or a CSV. Each source builds a data set for a task and its
// train/validation/test splits.
import {
  applyNormalization,
  type Dataset,
  type FaceFiles,
  type FaceTask,
  faceDataset,
  fitNormalization,
  loadFaces,
  parseCsv,
  parseList,
  pickedFaceFiles,
  type Splits,
  splitDataset,
  syntheticFacePictures,
  syntheticPeople,
  type TargetEncoding,
} from 'webgpu-mlp';

export interface SplitChoice {
  task: FaceTask;
  targets: TargetEncoding;
  /** fraction of the non-test examples kept for validation (random splits only) */
  validationSplit: number;
  seed: number;
}

export interface DataSource {
  /** e.g. "Synthetic faces" or "CMU faces: 624 images" */
  readonly name: string;
  readonly kind: 'faces' | 'table';
  /** how the splits are made, for the summary */
  readonly splitNote: string;
  /** PGM files only: Mitchell's list sets found among them (best first), and the one in use, or null */
  readonly listSets?: { sets: ListSetSummary[]; chosen: string | null };
  /** every example, labelled for the task (for the sample grid) */
  dataset(choice: SplitChoice): Promise<Dataset>;
  splits(choice: SplitChoice): Promise<Splits>;
}

/**
 * A warning when a split holds a single class for the task (Mitchell's straight-only lists and the pose
 * task: 100% test accuracy that means nothing), or null.
 */
export function singleClassWarning(splits: Splits, task: string): string | null {
  const single = (['train', 'validation', 'test'] as const).filter((name) => {
    const { labels, count } = splits[name];
    return count > 0 && new Set(labels).size === 1;
  });
  if (single.length === 0) return null;
  const classes = [...new Set(single.map((name) => splits[name].classNames[splits[name].labels[0]]))];
  const listed = single.length === 1 ? single[0] : `${single.slice(0, -1).join(', ')} and ${single.at(-1)}`;
  const which = single.length === 1 ? `The ${listed} split holds` : `The ${listed} splits each hold`;
  return `${which} one class only for the ${task} task (${classes.map((name) => `'${name}'`).join(', ')}), so accuracy there says nothing about telling the classes apart. Choose another split or task.`;
}

/** A third of the examples is held out for the test; the validation split is taken from the rest. */
const testFraction = 1 / 3;

function randomSplits(dataset: Dataset, choice: SplitChoice): Splits {
  const validation = (1 - testFraction) * choice.validationSplit;
  return splitDataset(dataset, { validation, test: testFraction }, choice.seed);
}

const randomSplitNote = 'Random split: ⅓ test, the validation split of the rest for validation.';

export function syntheticSource(): DataSource {
  const pictures = syntheticFacePictures({ seed: 1 });
  const people = syntheticPeople();
  const dataset = async (choice: SplitChoice) =>
    faceDataset(pictures, { task: choice.task, targets: choice.targets, people });
  return {
    name: `Synthetic faces: ${pictures.length} images`,
    kind: 'faces',
    splitNote: randomSplitNote,
    dataset,
    splits: async (choice) => randomSplits(await dataset(choice), choice),
  };
}

export interface ListSetSummary {
  /** "all", "straightrnd", "straighteven", … */
  prefix: string;
  /** e.g. "all: 277 train, 139 validation, 208 test" */
  label: string;
}

/** Mitchell's list sets: <prefix>_train.list, <prefix>_test1.list (validation), <prefix>_test2.list (test). */
interface ListSet {
  prefix: string;
  train: string[];
  validation: string[];
  test: string[];
}

async function findListSets(files: File[]): Promise<ListSet[]> {
  const lists = new Map<string, string[]>();
  for (const file of files) {
    if (file.name.endsWith('.list')) lists.set(file.name, parseList(await file.text(), file.name));
  }
  const sets: ListSet[] = [];
  for (const [name, train] of lists) {
    const match = /^(.*)_train\.list$/.exec(name);
    if (!match) continue;
    const validation = lists.get(`${match[1]}_test1.list`);
    const test = lists.get(`${match[1]}_test2.list`);
    if (validation && test) sets.push({ prefix: match[1], train, validation, test });
  }
  // Mitchell's pose lists ("all") first: they cover every pose.
  return sets.sort(
    (a, b) => Number(b.prefix === 'all') - Number(a.prefix === 'all') || a.prefix.localeCompare(b.prefix),
  );
}

/**
 * PGM face images picked or dropped. A complete list set decides the splits: the one named by `listSet`
 * (a prefix such as "straightrnd"), by default the first found ("all" when present); `listSet: null` asks for
 * a random split even when lists are present.
 */
export async function pgmSource(
  files: File[],
  name: string,
  options: { listSet?: string | null } = {},
): Promise<DataSource> {
  const faceFiles: FaceFiles = pickedFaceFiles(files, name);
  const images = await faceFiles.listImages();
  if (images.length === 0) throw new Error(`${name}: no .pgm images among the ${files.length} files`);
  const listSets = await findListSets(files);
  const listSet =
    options.listSet === undefined ? listSets[0] : listSets.find((set) => set.prefix === options.listSet);
  if (options.listSet && !listSet) {
    throw new Error(
      `${name}: no complete list set '${options.listSet}' (its _train, _test1 and _test2 lists)`,
    );
  }
  const all = (choice: SplitChoice) => loadFaces(faceFiles, { task: choice.task, targets: choice.targets });
  const fromList = (paths: string[], choice: SplitChoice) =>
    loadFaces(faceFiles, { task: choice.task, targets: choice.targets, paths });
  return {
    name: `${name}: ${images.length} images`,
    kind: 'faces',
    listSets: {
      sets: listSets.map(({ prefix, train, validation, test }) => ({
        prefix,
        label: `${prefix}: ${train.length} train, ${validation.length} validation, ${test.length} test`,
      })),
      chosen: listSet?.prefix ?? null,
    },
    splitNote: listSet
      ? `Mitchell's lists: ${listSet.prefix}_train (${listSet.train.length}), ${listSet.prefix}_test1 for validation (${listSet.validation.length}), ${listSet.prefix}_test2 for the test (${listSet.test.length}).`
      : randomSplitNote,
    dataset: all,
    splits: async (choice) => {
      if (!listSet) return randomSplits(await all(choice), choice);
      const [train, validation, test] = await Promise.all([
        fromList(listSet.train, choice),
        fromList(listSet.validation, choice),
        fromList(listSet.test, choice),
      ]);
      return { train, validation, test };
    },
  };
}

/**
 * A CSV: numeric feature columns and one label column (a header name, or a column number counting from 1;
 * "last" by default). Features are standardised with the training split's mean and deviation.
 */
export async function csvSource(file: File, labelColumn: string): Promise<DataSource> {
  const text = await file.text();
  const column = labelColumn.trim();
  const label =
    column === '' || column === 'last' ? undefined : /^\d+$/.test(column) ? Number(column) - 1 : column;
  const parse = (choice: Pick<SplitChoice, 'targets'>) =>
    parseCsv(text, file.name, { label, targets: choice.targets });
  const { count, inputSize } = parse({ targets: 'one-hot' });
  return {
    name: `${file.name}: ${count} rows × ${inputSize} features`,
    kind: 'table',
    splitNote: randomSplitNote,
    dataset: async (choice) => parse(choice),
    splits: async (choice) => {
      const splits = randomSplits(parse(choice), choice);
      const normalization = fitNormalization(splits.train.inputs, splits.train.count, splits.train.inputSize);
      for (const split of [splits.train, splits.validation, splits.test]) {
        split.inputs = applyNormalization(normalization, split.inputs);
      }
      return splits;
    },
  };
}

/**
 * Every file below the dropped items, folders walked recursively. An item without a file system entry (a
 * browser without webkitGetAsEntry, or a drop made by a script) is taken as the plain file it holds. Call it
 * during the drop event: the items are read before the first await.
 */
export async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const entries: FileSystemEntry[] = [];
  const files: File[] = [];
  for (const item of [...items]) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    const file = entry ? null : item.getAsFile();
    if (entry) entries.push(entry);
    else if (file) files.push(file);
  }
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      files.push(
        await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)),
      );
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the children in batches until it returns an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      await Promise.all(batch.map(walk));
    }
  };
  await Promise.all(entries.map(walk));
  return files;
}
