// `webgpu-mlp eval`: a trained model on a data set: accuracy, per-class precision and recall, confusion matrix.

import { type Command, Option } from 'commander';
import { prepareDataLike } from './data.js';
import { loadRun } from './run-folder.js';
import { formatTable, percent } from './table.js';

interface EvalFlags {
  model: string;
  data?: string;
  list?: string;
  backend: 'webgpu' | 'cpu' | 'auto';
  json: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description("evaluate a trained model (a folder written by 'train') on a data set")
    .requiredOption('--model <folder>', "the folder 'train' wrote")
    .option('--data <source>', "the data: as for train (default: the model's own test set)")
    .option('--list <file>', '.list of images to evaluate (paths relative to --data)')
    .addOption(
      new Option('--backend <name>', 'where to compute').choices(['auto', 'webgpu', 'cpu']).default('auto'),
    )
    .option('--json', 'print the results as one JSON line', false)
    .action(async (flags: EvalFlags) => {
      await evaluateCommand(flags);
    });
}

async function evaluateCommand(flags: EvalFlags): Promise<void> {
  const { run, engine, network } = await loadRun(flags.model, flags.backend);
  try {
    const data = flags.data ?? run.flags.data;
    const list = flags.data === undefined && flags.list === undefined ? run.flags.testList : flags.list;
    const dataset = await prepareDataLike(run.data, data, list);
    const evaluation = await network.evaluate(dataset);
    const classes = run.data.classNames;
    // confusion[actual][predicted]
    const { confusion } = evaluation;
    const perClass = classes.map((name, k) => {
      const predicted = confusion.reduce((sum, row) => sum + row[k], 0);
      const actual = confusion[k].reduce((sum, count) => sum + count, 0);
      const hits = confusion[k][k];
      return {
        name,
        precision: predicted ? hits / predicted : undefined,
        recall: actual ? hits / actual : undefined,
        count: actual,
      };
    });
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ accuracy: evaluation.accuracy, loss: evaluation.loss, count: dataset.count, classes, confusion, perClass })}\n`,
      );
      return;
    }
    process.stdout.write(
      `${dataset.count} examples from ${list ?? data}: accuracy ${percent(evaluation.accuracy)}, loss ${evaluation.loss.toPrecision(4)}\n\n`,
    );
    process.stdout.write(
      `${formatTable(
        ['class', 'examples', 'precision', 'recall'],
        perClass.map((c) => [c.name, c.count, percent(c.precision), percent(c.recall)]),
      )}\n\n`,
    );
    process.stdout.write('confusion (rows: actual, columns: predicted)\n');
    process.stdout.write(
      `${formatTable(
        ['', ...classes],
        classes.map((name, k) => [name, ...confusion[k]]),
      )}\n`,
    );
  } finally {
    engine.dispose();
  }
}
