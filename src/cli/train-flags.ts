// The flags of `webgpu-mlp train`: their definitions, defaults and help, and what they turn into (the
// optimizer options, the dropout rates).

import { type Command, Option } from 'commander';
import { targetEncodings } from '../data/dataset.js';
import { faceTasks, pixelScales } from '../data/faces.js';
import { normalizationKinds } from '../data/normalize.js';
import { MlpError } from '../errors.js';
import type { OptimizerOptions } from '../model/optimizer.js';
import { type Activation, activations, type Loss, losses } from '../model/spec.js';
import { type DataFlags, syntheticSource } from './data.js';
import {
  fraction,
  fractions,
  hiddenSizes,
  integer,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  wholeNumber,
} from './flags.js';

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
  /** epochs between checkpoints, 0 for none; undefined: about once a minute for runs that last longer */
  checkpointEvery?: number;
  /** the folder of an unfinished run to continue */
  resume?: string;
}

/** Flags a resumed run may change: they change where and how results are shown or computed, not what they are. */
const flagsFreeOnResume: readonly (keyof TrainFlags)[] = [
  'out',
  'overwrite',
  'json',
  'backend',
  'checkGradients',
  'checkpointEvery',
  'resume',
];

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/**
 * The flags of a resumed run: the run's own, with those of `flagsFreeOnResume` given on the command line.
 * Any other flag given with a different value would change the result: refused, naming each.
 * `source(key)` is commander's getOptionValueSource ('cli' for a flag on the command line).
 */
export function resumedFlags(
  folder: string,
  stored: TrainFlags,
  given: TrainFlags,
  source: (key: string) => string | undefined,
): TrainFlags {
  const onCommandLine = (Object.keys(given) as (keyof TrainFlags)[]).filter((key) => source(key) === 'cli');
  const changed = onCommandLine.filter(
    (key) => !flagsFreeOnResume.includes(key) && JSON.stringify(given[key]) !== JSON.stringify(stored[key]),
  );
  if (changed.length > 0) {
    const described = changed.map(
      (key) =>
        `${flagName(key)} ${JSON.stringify(given[key])} (the run has ${JSON.stringify(stored[key]) ?? 'none'})`,
    );
    throw new MlpError(
      'invalid-argument',
      `--resume ${folder}: ${described.join(', ')} would change the result; resume with the run's own flags, or start a new run`,
    );
  }
  const free = onCommandLine.filter((key) => flagsFreeOnResume.includes(key));
  return {
    ...stored,
    ...Object.fromEntries(free.map((key) => [key, given[key]])),
    out: folder,
    resume: folder,
  };
}

/** Adds the flags of `train` to `command`. */
export function addTrainFlags(command: Command): Command {
  return command
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
    .addOption(
      new Option(
        '--checkpoint-every <epochs>',
        'write a checkpoint into the output folder every this many epochs, 0 for none (default: about once a minute)',
      ).argParser(wholeNumber),
    )
    .option(
      '--resume <folder>',
      'continue an unfinished run from its last checkpoint, with its own flags (--backend and --json may change)',
    )
    .option('--overwrite', 'replace --out if it exists', false)
    .option('--json', 'print one JSON summary as the last line of stdout', false)
    .option(
      '--check-gradients',
      "before training, check the backend's gradients against finite differences on 16 training examples",
      false,
    );
}

export function optimizerOptions(flags: TrainFlags): OptimizerOptions {
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
export function dropoutRates(flags: TrainFlags): number[] {
  const rates = flags.dropout ?? [0];
  if (rates.length !== 1 && rates.length !== flags.hidden.length) {
    throw new MlpError(
      'invalid-argument',
      `--dropout: ${rates.length} rates for ${flags.hidden.length} hidden layers; give one rate, or one per hidden layer`,
    );
  }
  return flags.hidden.map((_, layer) => rates[rates.length === 1 ? 0 : layer]);
}
