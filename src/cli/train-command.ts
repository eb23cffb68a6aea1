// `webgpu-mlp train`: data → network → fit with validation → test → a folder with the model, per-epoch
// metrics, weight pictures and a summary; `--json` for scripts.

import { basename, join, relative } from 'node:path';
import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import { createEngine } from '../engine.js';
import { weightPictures } from '../io/png.js';
import type { Activation } from '../model/spec.js';
import { Network } from '../network.js';
import type { EpochRecord, FitOptions } from '../train/options.js';
import { prepareData, syntheticSource } from './data.js';
import { checkOutputFolder, checkpointSchedule, RunFolder } from './output-folder.js';
import { epochProgress } from './progress.js';
import { formatTable, percent } from './table.js';
import {
  addTrainFlags,
  dropoutRates,
  optimizerOptions,
  resumedFlags,
  type TrainFlags,
} from './train-flags.js';

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
  addTrainFlags(
    program
      .command('train')
      .description('train a network and write the model, per-epoch metrics and weight pictures to a folder'),
  ).action(async (flags: TrainFlags, command: Command) => {
    await train(flags, (key) => command.getOptionValueSource(key));
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

async function train(
  given: TrainFlags,
  source: (key: string) => string | undefined = () => 'cli',
): Promise<TrainSummary> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const resumed =
    given.resume === undefined ? undefined : await RunFolder.resume<TrainFlags, TrainSummary>(given.resume);
  const flags = resumed ? resumedFlags(given.resume as string, resumed.record.flags, given, source) : given;
  if (resumed?.warning) log(`warning: ${resumed.warning}`);
  const outputActivation: Activation =
    flags.outputActivation ?? (flags.loss === 'softmax-cross-entropy' ? 'softmax' : 'sigmoid');
  const targets = flags.targets ?? (outputActivation === 'softmax' ? 'one-hot' : '0.1/0.9');
  const isCsv = flags.data.endsWith('.csv') || flags.data.endsWith('.tsv');
  const out = flags.out ?? defaultOutFolder(isCsv ? 'csv' : flags.task);
  if (!resumed) checkOutputFolder(out, flags.overwrite);

  const data = await prepareData({ ...flags, targets });
  log(data.summary);
  const layers = [data.train.inputSize, ...flags.hidden, data.train.outputSize];

  const dropout = dropoutRates(flags);
  const engine = await createEngine({ backend: flags.backend });
  try {
    const network = resumed
      ? Network.load(resumed.checkpoint, engine)
      : engine.createNetwork({
          inputSize: data.train.inputSize,
          layers: [
            ...flags.hidden.map((units) => ({ units, activation: flags.activation })),
            { units: data.train.outputSize, activation: outputActivation },
          ],
          loss: flags.loss,
          init: { kind: 'uniform', scale: flags.initScale },
          seed: flags.seed,
        });
    log(
      `${layers.join('-')} ${flags.activation}/${outputActivation}, ${flags.loss}, on ${backendDescription(engine)}` +
        (resumed ? `; resuming ${out} after epoch ${network.epoch} of ${flags.epochs}` : ''),
    );
    const options: FitOptions = {
      epochs: flags.epochs - network.epoch,
      batchSize: flags.batch,
      optimizer: optimizerOptions(flags),
      l1: flags.l1,
      l2: flags.l2,
      dropout,
      validation: data.validation,
      // With a validation set the best epoch's weights are kept (Mitchell's protocol): early stopping with
      // patience of the whole run restores them without ending early.
      earlyStopping: data.validation ? { patience: flags.patience ?? flags.epochs } : undefined,
    };
    // On webgpu, compile what this fit runs now, while the run folder is made: otherwise the network
    // compiles for the default options first, and the device compiles one program at a time
    // (docs/training.md). The fit reports a program that fails to compile.
    network.ready(options, data.train.count).catch(() => {});
    const gradientCheckError =
      flags.checkGradients && (!resumed || source('checkGradients') === 'cli')
        ? await checkGradients(network, data.train)
        : undefined;
    const folder =
      resumed?.folder ??
      (await RunFolder.create<TrainFlags, TrainSummary>(out, flags.overwrite, {
        data: data.description,
        flags: { ...flags, out },
        summary: null,
      }));
    const records: EpochRecord[] = [...(resumed?.history ?? [])];
    const schedule = checkpointSchedule(flags.checkpointEvery, flags.epochs);
    const progress = epochProgress(flags.epochs);
    const started = performance.now();
    // A run that fails from here keeps its folder if it holds a checkpoint, and says how to continue it.
    const stopped = async (error: unknown): Promise<never> => {
      progress.stop();
      if (await folder.abandon()) {
        log(`the run stopped; continue it with: ${commandPrefix()} train --resume ${out}`);
      }
      throw error;
    };
    const history = await network
      .fit(data.train, {
        ...options,
        onEpochEnd: (record) => {
          records.push(record);
          progress.update({
            epoch: record.epoch,
            loss: record.loss,
            accuracy: record.accuracy,
            validationAccuracy: record.validationAccuracy,
          });
        },
        checkpointEvery: schedule.checkpointEvery,
        onCheckpoint:
          schedule.checkpointEvery === undefined
            ? undefined
            : async (checkpoint) => {
                if (schedule.due(checkpoint.epoch)) await folder.saveCheckpoint(checkpoint, records);
              },
      })
      .catch(stopped);
    progress.stop();
    const best = records.find(({ epoch }) => epoch === history.bestEpoch) ?? (records.at(-1) as EpochRecord);
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
      epochs: records.length,
      bestEpoch: best.epoch,
      trainAccuracy: trainEvaluation.accuracy,
      validationAccuracy: validationEvaluation?.accuracy ?? null,
      testAccuracy: testEvaluation?.accuracy ?? null,
      testLoss: testEvaluation?.loss ?? null,
      seconds,
      out,
      ...(gradientCheckError === undefined ? {} : { gradientCheckError }),
    };
    const pictures = weightPictures(await network.getWeights(), data.train.width, data.train.height);
    await folder
      .finish(
        [
          { name: 'metrics.csv', contents: metricsCsv(records) },
          ...pictures.map(({ name, png }) => ({ name: join('weights', name), contents: png })),
          { name: 'model.json', contents: `${JSON.stringify(await network.save())}\n` },
        ],
        summary,
      )
      .catch(stopped);

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
