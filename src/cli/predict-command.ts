// `webgpu-mlp predict`: classes and scores for PGM images (files or folders) or the rows of a CSV file.

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, Option } from 'commander';
import { parseCsvFeatures } from '../data/csv.js';
import { readFileBytes, readPgmFile } from '../data/node-files.js';
import { applyNormalization } from '../data/normalize.js';
import { parsePgm } from '../data/pgm.js';
import { MlpError } from '../errors.js';
import { requirePath } from './data.js';
import { loadRun } from './run-folder.js';
import { formatTable } from './table.js';

interface PredictFlags {
  model: string;
  backend: 'webgpu' | 'cpu' | 'auto';
  json: boolean;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('classify PGM images (files or folders) or the rows of a CSV file with a trained model')
    .argument('<inputs...>', 'PGM files, folders of PGM files, or a CSV file')
    .requiredOption('--model <folder>', "the folder 'train' wrote")
    .addOption(
      new Option('--backend <name>', 'where to compute').choices(['auto', 'webgpu', 'cpu']).default('auto'),
    )
    .option('--json', 'print one JSON line per input', false)
    .action(async (inputs: string[], flags: PredictFlags) => {
      await predictCommand(inputs, flags);
    });
}

async function imagePaths(inputs: string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const input of inputs) {
    requirePath(input, 'input');
    if ((await stat(input)).isDirectory()) {
      const entries = await readdir(input, { recursive: true });
      paths.push(
        ...entries
          .filter((entry) => entry.endsWith('.pgm'))
          .sort()
          .map((entry) => join(input, entry)),
      );
    } else {
      paths.push(input);
    }
  }
  if (paths.length === 0) throw new MlpError('invalid-argument', `no .pgm images in ${inputs.join(', ')}`);
  return paths;
}

async function predictCommand(inputs: string[], flags: PredictFlags): Promise<void> {
  const { run, engine, network } = await loadRun(flags.model, flags.backend);
  try {
    const description = run.data;
    let rows: Float32Array;
    let names: string[];
    if (description.kind === 'csv') {
      if (inputs.length !== 1)
        throw new MlpError('invalid-argument', 'a CSV model predicts for one CSV file at a time');
      requirePath(inputs[0], 'input', 'file');
      const text = new TextDecoder().decode(await readFileBytes(inputs[0], 'CSV file'));
      const csv = parseCsvFeatures(
        text,
        inputs[0],
        description.inputSize,
        inputs[0].endsWith('.tsv') ? '\t' : ',',
      );
      rows = description.normalization
        ? applyNormalization(description.normalization, csv.inputs)
        : csv.inputs;
      names = csv.sources;
    } else {
      const paths = await imagePaths(inputs);
      rows = new Float32Array(paths.length * description.inputSize);
      for (const [i, path] of paths.entries()) {
        const image = parsePgm(await readPgmFile(path), path);
        if (image.width * image.height !== description.inputSize) {
          throw new MlpError(
            'invalid-data',
            `${path} is ${image.width}×${image.height}; the model takes ${description.width}×${description.height} images`,
          );
        }
        const divisor = description.pixelScale === '255' ? 255 : image.maxval;
        for (let p = 0; p < image.samples.length; p++)
          rows[i * description.inputSize + p] = image.samples[p] / divisor;
      }
      names = paths;
    }
    const outputs = await network.predict(rows);
    const classes = description.classNames;
    const results = names.map((name, i) => {
      const scores = Array.from(outputs.subarray(i * classes.length, (i + 1) * classes.length));
      const best = scores.indexOf(Math.max(...scores));
      return {
        input: name,
        class: classes[best],
        scores: Object.fromEntries(classes.map((c, k) => [c, scores[k]])),
      };
    });
    if (flags.json) {
      for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(
      `${formatTable(
        ['input', 'class', ...classes],
        results.map((r) => [r.input, r.class, ...classes.map((c) => r.scores[c].toFixed(3))]),
      )}\n`,
    );
  } finally {
    engine.dispose();
  }
}
