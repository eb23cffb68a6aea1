// Turns the data flags of `train`, `eval` and `predict` into data sets: the synthetic faces, a folder of
// CMU face images (with or without Mitchell's .list files), a single .list file, or a CSV file.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type CsvOptions, parseCsv } from '../data/csv.js';
import { type Dataset, splitDataset, type TargetEncoding } from '../data/dataset.js';
import { type FaceTask, loadFaces, type PixelScale, parseList } from '../data/faces.js';
import { folderFaceFiles, readFileBytes } from '../data/node-files.js';
import {
  applyNormalization,
  fitNormalization,
  type Normalization,
  type NormalizationKind,
} from '../data/normalize.js';
import { syntheticFaceSplits } from '../data/synthetic-faces.js';
import { MlpError } from '../errors.js';

export const syntheticSource = 'synthetic-faces';
/** The synthetic faces are one fixed data set; --seed changes the network, not the data. */
const syntheticSeed = 1;

export type DataKind = 'synthetic-faces' | 'faces' | 'csv';

export interface DataFlags {
  data: string;
  trainList?: string;
  validationList?: string;
  testList?: string;
  task: FaceTask;
  targets: TargetEncoding;
  pixelScale: PixelScale;
  /** fractions of the whole, used when there are no lists */
  validationSplit?: number;
  testSplit?: number;
  seed: number;
  /** CSV only */
  label?: string;
  normalize: NormalizationKind | 'none';
}

/** What a trained model needs to read new data the same way: saved beside the model as run.json. */
export interface DataDescription {
  kind: DataKind;
  /** the face task, or "csv" */
  task: string;
  classNames: string[];
  inputSize: number;
  width: number;
  height: number;
  targets: TargetEncoding;
  pixelScale?: PixelScale;
  normalization?: Normalization;
  csv?: { label?: string; featureNames: string[] };
}

export interface PreparedData {
  train: Dataset;
  validation?: Dataset;
  test?: Dataset;
  /** one line for humans, e.g. "CMU faces in ../faces: all_train.list 277, all_test1.list 139, …" */
  summary: string;
  description: DataDescription;
}

/** Fails unless `path` exists (as a file, or a folder when `folder`), naming the flag. */
export function requirePath(path: string, flag: string, kind: 'file' | 'folder' | 'any' = 'any'): void {
  if (!existsSync(path)) throw new MlpError('invalid-argument', `${flag} ${path}: no such file or folder`);
  const isFolder = statSync(path).isDirectory();
  if (kind === 'file' && isFolder)
    throw new MlpError('invalid-argument', `${flag} ${path}: expected a file, found a folder`);
  if (kind === 'folder' && !isFolder)
    throw new MlpError('invalid-argument', `${flag} ${path}: expected a folder, found a file`);
}

async function readListFile(path: string, flag: string): Promise<string[]> {
  requirePath(path, flag, 'file');
  return parseList(new TextDecoder().decode(await readFileBytes(path, 'list')), path);
}

/** The folder a list's paths are relative to: the list's own folder, or its parent (Mitchell's lists/ layout). */
function listDataFolder(listPath: string, firstEntry: string): string {
  const own = dirname(listPath);
  return existsSync(join(own, firstEntry)) ? own : dirname(own);
}

export async function prepareData(flags: DataFlags): Promise<PreparedData> {
  if (flags.data === syntheticSource) return prepareSynthetic(flags);
  requirePath(flags.data, '--data');
  if (statSync(flags.data).isDirectory()) return prepareFaceFolder(flags);
  if (flags.data.endsWith('.list')) return prepareFaceFolder(flags, flags.data);
  if (flags.data.endsWith('.csv') || flags.data.endsWith('.tsv')) return prepareCsv(flags);
  throw new MlpError(
    'invalid-argument',
    `--data ${flags.data}: expected '${syntheticSource}', a folder of PGM face images, a .list file or a .csv file`,
  );
}

function rejectLists(flags: DataFlags, what: string): void {
  for (const [flag, value] of [
    ['--train-list', flags.trainList],
    ['--validation-list', flags.validationList],
    ['--test-list', flags.testList],
  ] as const) {
    if (value !== undefined)
      throw new MlpError('invalid-argument', `${flag} only works with a folder of face images, not ${what}`);
  }
}

function prepareSynthetic(flags: DataFlags): PreparedData {
  rejectLists(flags, `--data ${syntheticSource}`);
  const { train, validation, test } = syntheticFaceSplits({
    task: flags.task,
    targets: flags.targets,
    seed: syntheticSeed,
  });
  return {
    train,
    validation,
    test,
    summary: `synthetic faces (seed ${syntheticSeed}): ${train.count} train, ${validation.count} validation, ${test.count} test`,
    description: faceDescription('synthetic-faces', train, flags),
  };
}

function faceDescription(kind: DataKind, train: Dataset, flags: DataFlags): DataDescription {
  return {
    kind,
    task: flags.task,
    classNames: train.classNames,
    inputSize: train.inputSize,
    width: train.width,
    height: train.height,
    targets: flags.targets,
    pixelScale: kind === 'faces' ? flags.pixelScale : undefined,
  };
}

async function prepareFaceFolder(flags: DataFlags, singleList?: string): Promise<PreparedData> {
  const load = async (paths: string[] | undefined, folder: string) =>
    loadFaces(folderFaceFiles(folder), {
      task: flags.task,
      targets: flags.targets,
      pixelScale: flags.pixelScale,
      paths,
    });
  if (singleList) {
    rejectLists(flags, 'a .list file as --data');
    const paths = await readListFile(singleList, '--data');
    const all = await load(paths, listDataFolder(singleList, paths[0]));
    return splitPrepared(all, flags, `faces of ${singleList}`, faceDescription('faces', all, flags));
  }
  const folder = flags.data;
  if (flags.trainList === undefined) {
    if (flags.validationList || flags.testList) {
      throw new MlpError('invalid-argument', '--validation-list and --test-list need --train-list as well');
    }
    const all = await load(undefined, folder);
    return splitPrepared(all, flags, `faces in ${folder}`, faceDescription('faces', all, flags));
  }
  const named: [string, string | undefined][] = [
    ['--train-list', flags.trainList],
    ['--validation-list', flags.validationList],
    ['--test-list', flags.testList],
  ];
  const lists = await Promise.all(named.map(([flag, path]) => (path ? readListFile(path, flag) : undefined)));
  const [train, validation, test] = await Promise.all(
    lists.map((paths) => (paths ? load(paths, folder) : undefined)),
  );
  const parts = named
    .map(([, path], i) => (path ? `${basename(path)} ${[train, validation, test][i]?.count}` : ''))
    .filter(Boolean);
  return {
    train: train as Dataset,
    validation,
    test,
    summary: `CMU faces in ${folder}: ${parts.join(', ')}`,
    description: faceDescription('faces', train as Dataset, flags),
  };
}

/** Splits one data set by --validation-split and --test-split (0 each by default for files). */
function splitPrepared(
  all: Dataset,
  flags: DataFlags,
  what: string,
  description: DataDescription,
): PreparedData {
  const validation = flags.validationSplit ?? 0;
  const test = flags.testSplit ?? 0;
  const splits = splitDataset(all, { validation, test }, flags.seed);
  return {
    train: splits.train,
    validation: splits.validation.count > 0 ? splits.validation : undefined,
    test: splits.test.count > 0 ? splits.test : undefined,
    summary: `${what}: ${splits.train.count} train, ${splits.validation.count} validation, ${splits.test.count} test`,
    description,
  };
}

async function prepareCsv(flags: DataFlags): Promise<PreparedData> {
  rejectLists(flags, 'a CSV file');
  const text = new TextDecoder().decode(await readFileBytes(flags.data, 'CSV file'));
  const csvOptions: CsvOptions = {
    targets: flags.targets,
    label:
      flags.label === undefined ? undefined : /^\d+$/.test(flags.label) ? Number(flags.label) : flags.label,
    delimiter: flags.data.endsWith('.tsv') ? '\t' : ',',
  };
  const all = parseCsv(text, flags.data, csvOptions);
  const description: DataDescription = {
    kind: 'csv',
    task: 'csv',
    classNames: all.classNames,
    inputSize: all.inputSize,
    width: all.width,
    height: all.height,
    targets: flags.targets,
    csv: { label: flags.label, featureNames: all.featureNames },
  };
  const prepared = splitPrepared(all, flags, `CSV ${flags.data}`, description);
  if (flags.normalize === 'none') return prepared;
  // Fitted on the training rows only, then applied to every split (and saved for eval and predict).
  const normalization = fitNormalization(
    prepared.train.inputs,
    prepared.train.count,
    prepared.train.inputSize,
    flags.normalize,
  );
  const normalized = (dataset: Dataset | undefined) =>
    dataset && { ...dataset, inputs: applyNormalization(normalization, dataset.inputs) };
  return {
    ...prepared,
    train: normalized(prepared.train) as Dataset,
    validation: normalized(prepared.validation),
    test: normalized(prepared.test),
    description: { ...description, normalization },
  };
}

/** Reads data the way a saved run describes it (for eval): same task, classes, scaling and normalisation. */
export async function prepareDataLike(
  description: DataDescription,
  data: string,
  list: string | undefined,
): Promise<Dataset> {
  if (description.kind === 'csv') {
    requirePath(data, '--data', 'file');
    const label = description.csv?.label;
    const dataset = parseCsv(new TextDecoder().decode(await readFileBytes(data, 'CSV file')), data, {
      targets: description.targets,
      classNames: description.classNames,
      label: label === undefined ? undefined : /^\d+$/.test(label) ? Number(label) : label,
      delimiter: data.endsWith('.tsv') ? '\t' : ',',
    });
    return description.normalization
      ? { ...dataset, inputs: applyNormalization(description.normalization, dataset.inputs) }
      : dataset;
  }
  const task = description.task as FaceTask;
  if (data === syntheticSource) {
    return syntheticFaceSplits({ task, targets: description.targets, seed: syntheticSeed }).test;
  }
  requirePath(data, '--data');
  const isList = data.endsWith('.list');
  const paths = isList
    ? await readListFile(data, '--data')
    : list
      ? await readListFile(list, '--list')
      : undefined;
  const folder = isList && paths ? listDataFolder(data, paths[0]) : data;
  const dataset = await loadFaces(folderFaceFiles(folder), {
    task,
    targets: description.targets,
    pixelScale: description.pixelScale,
    paths,
    people: task === 'person' ? description.classNames : undefined,
  });
  checkShape(dataset, description, data);
  return dataset;
}

function checkShape(dataset: Dataset, description: DataDescription, source: string): void {
  if (dataset.inputSize !== description.inputSize) {
    throw new MlpError(
      'invalid-data',
      `${source}: ${dataset.width}×${dataset.height} inputs, but the model was trained on ${description.width}×${description.height}`,
    );
  }
}
