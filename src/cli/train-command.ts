// `webgpu-mlp train`: data → network → fit with validation → test → a folder with the model, per-epoch
// metrics, weight pictures and a summary; `--json` for scripts.

import { basename, join, relative } from 'node:path';
import { type Command, Option } from 'commander';
import { type Dataset, targetEncodings } from '../data/dataset.js';
import { faceTasks, pixelScales } from '../data/faces.js';
import { normalizationKinds } from '../data/normalize.js';
import { createEngine } from '../engine.js';
import { MlpError } from '../errors.js';
import { weightPictures } from '../io/png.js';
import type { OptimizerOptions } from '../model/optimizer.js';
import { type Activation, activations, type Loss, losses } from '../model/spec.js';
import type { Network } from '../network.js';
import type { EpochRecord } from '../train/options.js';
import { type DataFlags, prepareData, syntheticSource } from './data.js';
import {
  fraction,
  fractions,
  hiddenSizes,
  integer,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
} from './flags.js';
import { checkOutputFolder, pendingFolder } from './output-folder.js';
import { epochProgress } from './progress.js';
import { formatTable, percent } from './table.js';

export const optimizers = ['sgd', 'nesterov', 'adam', 'adamw'] as const;
const hiddenActivations = activations.filter((activation) => activation !== 'softmax');
const outputActivations = ['sigmoid', 'softmax', 'linear', 'tanh'] as const;

export interface TrainFlags extends DataFlags {
  hidden: number[];
  activation: Activation;
  outputActivation?: Activation;
  loss: Loss;
  optimizer: (typeof optimizers)[number];
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  l1: number;
  l2: number;
  dropout?: number[];
  batch: number;
  epochs: number;
  patience?: number;
  initScale: number;
  backend: 'webgpu' | 'cpu' | 'auto';
  out?: string;
  overwrite: boolean;
  json: boolean;
  checkGradients: boolean;
  targets: DataFlags['targets'];
}

/** The one JSON line `train --json` prints last on stdout. */
export interface TrainSummary {
  task: string;
  data: string;
  /** unit counts from the input to the output, e.g. [960, 3, 4] */
  layers: number[];
  activation: string;
  outputActivation: string;
  loss: string;
  backend: string;
  adapter: string;
  /** epochs run (fewer than asked when early stopping ended the run) */
  epochs: number;
  bestEpoch: number;
  trainAccuracy: number;
  validationAccuracy: number | null;
  testAccuracy: number | null;
  testLoss: number | null;
  seconds: number;
  out: string;
  /** with --check-gradients: the relative error of the initial weights' gradients (net.checkGradients) */
  gradientCheckError?: number;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a network and write the model, per-epoch metrics and weight pictures to a folder')
    .addOption(
      new Option(
        '--data <source>',
        `'${syntheticSource}', a folder of PGM face images, a .list file, or a .csv file`,
      ).default(syntheticSource),
    )
    .option(
      '--train-list <file>',
      "Mitchell's .list of training images (paths relative to --data, or found there by file name)",
    )
    .option(
      '--validation-list <file>',
      '.list of validation images: picks the best epoch (and early stopping)',
    )
    .option('--test-list <file>', '.list of test images: reported for the best epoch')
    .addOption(new Option('--task <task>', 'face task').choices(faceTasks).default('pose'))
    .option('--label <column>', 'CSV: the label column, by 0-based index or header name (default: the last)')
    .addOption(
      new Option('--hidden <units>', "hidden layer sizes, e.g. 3 or 64,32, or 'none'")
        .default([3], '3')
        .argParser(hiddenSizes),
    )
    .addOption(
      new Option('--activation <name>', 'hidden activation').choices(hiddenActivations).default('sigmoid'),
    )
    .addOption(
      new Option(
        '--output-activation <name>',
        'output activation (default: softmax with softmax-cross-entropy, else sigmoid)',
      ).choices(outputActivations),
    )
    .addOption(new Option('--loss <name>', 'loss').choices(losses).default('squared-error'))
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(optimizers).default('sgd'))
    .addOption(new Option('--lr <eta>', 'learning rate η').default(0.3).argParser(positiveNumber))
    .addOption(
      new Option('--momentum <alpha>', 'momentum α (sgd, nesterov)').default(0.3).argParser(fraction),
    )
    .addOption(new Option('--beta1 <b1>', 'adam β1').default(0.9).argParser(fraction))
    .addOption(new Option('--beta2 <b2>', 'adam β2').default(0.999).argParser(fraction))
    .addOption(new Option('--epsilon <eps>', 'adam ε').default(1e-8).argParser(positiveNumber))
    .addOption(
      new Option('--weight-decay <rate>', 'adamw decoupled weight decay')
        .default(0)
        .argParser(nonNegativeNumber),
    )
    .addOption(new Option('--l1 <lambda>', 'L1 weight decay').default(0).argParser(nonNegativeNumber))
    .addOption(new Option('--l2 <lambda>', 'L2 weight decay').default(0).argParser(nonNegativeNumber))
    .addOption(
      new Option('--dropout <rates>', 'dropout rate per hidden layer, e.g. 0.2 or 0.2,0.1').argParser(
        fractions,
      ),
    )
    .addOption(
      new Option('--batch <size>', 'examples per step (1 = per-example SGD, as Mitchell)')
        .default(1)
        .argParser(positiveInteger),
    )
    .addOption(new Option('--epochs <n>', 'epochs').default(100).argParser(positiveInteger))
    .addOption(
      new Option(
        '--validation-split <fraction>',
        'fraction held out for validation when there is no validation list',
      ).argParser(fraction),
    )
    .addOption(
      new Option(
        '--test-split <fraction>',
        'fraction held out for testing when there is no test list',
      ).argParser(fraction),
    )
    .addOption(
      new Option(
        '--patience <epochs>',
        'early stopping: stop after this many epochs without a better validation epoch',
      ).argParser(positiveInteger),
    )
    .addOption(
      new Option('--init-scale <s>', 'initial weights uniform in ±s (Mitchell: 0.05)')
        .default(0.05)
        .argParser(positiveNumber),
    )
    .addOption(
      new Option(
        '--targets <encoding>',
        "targets: '0.1/0.9' (sigmoid outputs) or 'one-hot' (default: one-hot for softmax, else 0.1/0.9)",
      ).choices(targetEncodings),
    )
    .addOption(
      new Option('--pixel-scale <scale>', "pixels divided by the file's maxval, or by 255 as Mitchell's code")
        .choices(pixelScales)
        .default('maxval'),
    )
    .addOption(
      new Option('--normalize <kind>', 'CSV: per-feature normalisation fitted on the training rows')
        .choices([...normalizationKinds, 'none'])
        .default('standard'),
    )
    .addOption(
      new Option('--backend <name>', 'where to compute').choices(['auto', 'webgpu', 'cpu']).default('auto'),
    )
    .addOption(
      new Option('--seed <n>', 'seeds initialisation, shuffling, dropout and splits')
        .default(1)
        .argParser(integer),
    )
    .option('--out <folder>', 'output folder (default: runs/<task>-<date>-<time>)')
    .option('--overwrite', 'replace --out if it exists', false)
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .option(
      '--check-gradients',
      "before training, check the backend's gradients against finite differences on 16 training examples",
      false,
    )
    .action(async (flags: TrainFlags) => {
      await train(flags);
    });
}

/** Logs and returns the relative error of the gradients on the first 16 training examples. */
async function checkGradients(network: Network, train: Dataset): Promise<number> {
  const count = Math.min(16, train.count);
  const check = await network.checkGradients(
    train.inputs.subarray(0, count * train.inputSize),
    train.targets.subarray(0, count * train.outputSize),
  );
  const { layer, part, index, analytic, numeric } = check.worst;
  process.stderr.write(
    `gradient check on ${count} training examples, ${check.parametersChecked} of ${check.parameterCount} parameters: ` +
      `relative error ${check.relativeError.toExponential(2)} (worst: layer ${layer} ${part}[${index}], ` +
      `backprop ${analytic.toExponential(4)}, finite differences ${numeric.toExponential(4)})\n`,
  );
  return check.relativeError;
}

function defaultOutFolder(task: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${task}-${stamp}`);
}

export async function train(flags: TrainFlags): Promise<TrainSummary> {
  const outputActivation: Activation =
    flags.outputActivation ?? (flags.loss === 'softmax-cross-entropy' ? 'softmax' : 'sigmoid');
  const targets = flags.targets ?? (outputActivation === 'softmax' ? 'one-hot' : '0.1/0.9');
  const isCsv = flags.data.endsWith('.csv') || flags.data.endsWith('.tsv');
  const out = flags.out ?? defaultOutFolder(isCsv ? 'csv' : flags.task);
  checkOutputFolder(out, flags.overwrite);
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const data = await prepareData({ ...flags, targets });
  log(data.summary);
  const layers = [data.train.inputSize, ...flags.hidden, data.train.outputSize];

  const dropout = dropoutRates(flags);
  const engine = await createEngine({ backend: flags.backend });
  const network = engine.createNetwork({
    inputSize: data.train.inputSize,
    layers: [
      ...flags.hidden.map((units) => ({ units, activation: flags.activation })),
      { units: data.train.outputSize, activation: outputActivation },
    ],
    loss: flags.loss,
    init: { kind: 'uniform', scale: flags.initScale },
    seed: flags.seed,
  });
  try {
    log(
      `${layers.join('-')} ${flags.activation}/${outputActivation}, ${flags.loss}, on ${backendDescription(engine)}`,
    );
    const gradientCheckError = flags.checkGradients ? await checkGradients(network, data.train) : undefined;
    const progress = epochProgress(flags.epochs);
    const started = performance.now();
    const history = await network.fit(data.train, {
      epochs: flags.epochs,
      batchSize: flags.batch,
      optimizer: optimizerOptions(flags),
      l1: flags.l1,
      l2: flags.l2,
      dropout,
      validation: data.validation,
      // With a validation set the best epoch's weights are kept (Mitchell's protocol): early stopping with
      // patience of the whole run restores them without ending early.
      earlyStopping: data.validation ? { patience: flags.patience ?? flags.epochs } : undefined,
      onEpochEnd: (record) =>
        progress.update({
          epoch: record.epoch,
          loss: record.loss,
          accuracy: record.accuracy,
          validationAccuracy: record.validationAccuracy,
        }),
    });
    progress.stop();
    const best = history.epochs[history.bestEpoch - 1] ?? history.epochs[history.epochs.length - 1];
    const trainEvaluation = await network.evaluate(data.train);
    const validationEvaluation = data.validation ? await network.evaluate(data.validation) : undefined;
    const testEvaluation = data.test ? await network.evaluate(data.test) : undefined;
    const seconds = (performance.now() - started) / 1000;

    const summary: TrainSummary = {
      task: data.description.task,
      data: flags.data,
      layers,
      activation: flags.activation,
      outputActivation,
      loss: flags.loss,
      backend: engine.backend,
      adapter: engine.adapterDescription,
      epochs: history.epochs.length,
      bestEpoch: best.epoch,
      trainAccuracy: trainEvaluation.accuracy,
      validationAccuracy: validationEvaluation?.accuracy ?? null,
      testAccuracy: testEvaluation?.accuracy ?? null,
      testLoss: testEvaluation?.loss ?? null,
      seconds,
      out,
      ...(gradientCheckError === undefined ? {} : { gradientCheckError }),
    };

    const folder = await pendingFolder(out, flags.overwrite);
    try {
      await folder.write('model.json', `${JSON.stringify(await network.save())}\n`);
      await folder.write(
        'run.json',
        `${JSON.stringify({ data: data.description, flags: { ...flags, out }, summary }, null, 2)}\n`,
      );
      await folder.write('metrics.csv', metricsCsv(history.epochs));
      for (const picture of weightPictures(await network.getWeights(), data.train.width, data.train.height)) {
        await folder.write(join('weights', picture.name), picture.png);
      }
      await folder.commit();
    } catch (error) {
      await folder.abandon();
      throw error;
    }

    process.stdout.write(
      `${formatTable(
        ['', 'examples', 'accuracy', 'loss'],
        [
          ['train', data.train.count, percent(trainEvaluation.accuracy), trainEvaluation.loss.toPrecision(4)],
          ...(validationEvaluation && data.validation
            ? [
                [
                  'validation',
                  data.validation.count,
                  percent(validationEvaluation.accuracy),
                  validationEvaluation.loss.toPrecision(4),
                ],
              ]
            : []),
          ...(testEvaluation && data.test
            ? [
                [
                  'test',
                  data.test.count,
                  percent(testEvaluation.accuracy),
                  testEvaluation.loss.toPrecision(4),
                ],
              ]
            : []),
        ],
      )}\n`,
    );
    process.stdout.write(
      `best epoch ${summary.bestEpoch} of ${summary.epochs}, ${seconds.toFixed(1)} s on ${engine.backend}\n`,
    );
    if (testEvaluation) process.stdout.write(`test accuracy: ${percent(testEvaluation.accuracy)}\n`);
    process.stdout.write(
      whatWasWritten(out, flags.data === syntheticSource ? undefined : flags.data, data.test !== undefined),
    );
    if (flags.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary;
  } finally {
    engine.dispose();
  }
}

/** "cpu (float64 accumulation)", "webgpu (google swiftshader)" */
function backendDescription(engine: { backend: string; adapterDescription: string }): string {
  const adapter = engine.adapterDescription;
  return adapter.startsWith(engine.backend) ? adapter : `${engine.backend} (${adapter})`;
}

/**
 * How the user runs this program again: through the repository's npm scripts (`npm start`, `npm run cli`),
 * the installed `webgpu-mlp` command, or node and the script's path.
 */
function commandPrefix(): string {
  const npmScript = process.env.npm_lifecycle_event;
  if (npmScript === 'start' || npmScript === 'cli') return 'npm run cli --';
  const script = process.argv[1] ?? 'webgpu-mlp';
  return basename(script) === 'webgpu-mlp' ? 'npx webgpu-mlp' : `node ${relative(process.cwd(), script)}`;
}

/** The end of a run: what the folder holds and the commands that use it next. */
function whatWasWritten(out: string, inputs: string | undefined, hasTestSet: boolean): string {
  const run = commandPrefix();
  const quoted = /^[\w./-]+$/.test(out) ? out : JSON.stringify(out);
  const lines = [
    `wrote ${quoted}/: model.json (the network), run.json (data, flags, results), metrics.csv (per epoch),`,
    '  weights/*.png (what each hidden unit looks for)',
    'next:',
    hasTestSet
      ? `  ${run} eval --model ${quoted}             accuracy and confusion matrix on its test set`
      : `  ${run} eval --model ${quoted} --data ${inputs}   accuracy and confusion matrix on that data`,
    `  ${run} predict --model ${quoted} ${inputs ?? '<images.pgm or folder>'}   the class of each image`,
  ];
  if (run.startsWith('npm')) lines.push(`  npm run demo, then "Load a model…" with ${quoted}/model.json`);
  return `${lines.join('\n')}\n`;
}

function optimizerOptions(flags: TrainFlags): OptimizerOptions {
  if (flags.optimizer === 'adam' || flags.optimizer === 'adamw') {
    const { lr: learningRate, beta1, beta2, epsilon, weightDecay } = flags;
    return { kind: flags.optimizer, learningRate, beta1, beta2, epsilon, weightDecay };
  }
  return {
    kind: 'sgd',
    learningRate: flags.lr,
    momentum: flags.momentum,
    nesterov: flags.optimizer === 'nesterov',
  };
}

/** --dropout gives one rate for every hidden layer, or one per hidden layer. */
function dropoutRates(flags: TrainFlags): number[] {
  const rates = flags.dropout ?? [0];
  if (rates.length !== 1 && rates.length !== flags.hidden.length) {
    throw new MlpError(
      'invalid-argument',
      `--dropout: ${rates.length} rates for ${flags.hidden.length} hidden layers; give one rate, or one per hidden layer`,
    );
  }
  return flags.hidden.map((_, layer) => rates[rates.length === 1 ? 0 : layer]);
}

function metricsCsv(epochs: readonly EpochRecord[]): string {
  const cell = (value: number | undefined) => (value === undefined ? '' : String(value));
  const lines = ['epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,examples_per_second'];
  for (const e of epochs) {
    lines.push(
      [
        e.epoch,
        e.loss,
        e.accuracy,
        cell(e.validationLoss),
        cell(e.validationAccuracy),
        e.learningRate,
        e.examplesPerSecond,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
