// The command line as users run it: the compiled CLI in a child process (test/helpers/cli.ts).

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliForTests, lastJson, repositoryRoot } from '../helpers/cli.js';

const facesFolder = join(repositoryRoot, '../shared/data/cmu-faces');

const cliBuild = cliForTests('main');
const cli = (...args: string[]) => cliBuild.run(...args);
const work = cliBuild.work;

beforeAll(() => {
  cliBuild.build();
}, 120_000);

afterAll(() => cliBuild.dispose());

describe('webgpu-mlp --help', () => {
  it('lists the commands and, for train, the flags of Mitchell’s protocol', () => {
    const top = cli('--help');
    expect(top.status).toBe(0);
    for (const command of ['train', 'eval', 'predict', 'bench']) expect(top.stdout).toContain(command);
    const train = cli('train', '--help');
    expect(train.status).toBe(0);
    for (const flag of [
      '--data', '--train-list', '--validation-list', '--test-list', '--task', '--hidden', '--activation', '--loss',
      '--lr', '--momentum', '--batch', '--epochs', '--backend', '--seed', '--json', '--optimizer',
      '--validation-split', '--patience', '--out',
    ]) {
      expect(train.stdout).toContain(flag);
    } // biome-ignore format: a list of flags
    for (const command of ['eval', 'predict', 'bench'])
      expect(cli(command, '--help').stdout).toContain(`Usage: webgpu-mlp ${command}`);
  });
});

describe('bad flags and paths', () => {
  const out = join(work, 'never');
  const rejects = (args: string[], message: RegExp) => {
    const result = cli('train', '--out', out, ...args);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((name) => name.includes('partial'))).toEqual([]);
  };

  it('says what is wrong, exits non-zero and writes nothing', () => {
    rejects(['--lr', '-1'], /--lr <eta>.*'-1' is invalid.*expected a number > 0/);
    rejects(['--momentum', '1'], /expected a number in \[0, 1\)/);
    rejects(['--hidden', '3,x'], /unit counts/);
    rejects(['--task', 'smile'], /'smile' is invalid.*pose, sunglasses, expression, person/);
    rejects(['--bogus'], /unknown option '--bogus'/);
    rejects(['--data', 'no/such/folder'], /--data no\/such\/folder: no such file or folder/);
    rejects(
      ['--data', facesFolder, '--train-list', 'missing.list'],
      /--train-list missing\.list: no such file/,
    );
    rejects(['--train-list', 'x.list'], /--train-list only works with a folder of face images/);
  });

  it('refuses to overwrite an output folder unless asked', () => {
    const result = cli('train', '--out', work, '--epochs', '1');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /already exists; choose another folder, add --overwrite, or continue it with --resume/,
    );
  });
});

describe('train, eval and predict on the synthetic faces', () => {
  // --out makes the parent folders it needs
  const out = join(work, 'runs/first', 'pose');
  let summary: Record<string, unknown>;
  let trainOutput: { stdout: string; stderr: string };

  beforeAll(() => {
    const result = cli('train', '--epochs', '5', '--backend', 'cpu', '--out', out, '--json');
    expect(result.stderr).not.toMatch(/webgpu-mlp: error/);
    expect(result.status).toBe(0);
    summary = lastJson(result.stdout);
    trainOutput = result;
  }, 120_000);

  it('names the backend once and ends with what it wrote and the eval command, which runs', () => {
    expect(trainOutput.stderr).toMatch(
      /960-3-4 sigmoid\/sigmoid, squared-error, on cpu \(float64 accumulation\)\n/,
    );
    expect(trainOutput.stdout).toContain(`wrote ${out}/: model.json`);
    const evalLine = trainOutput.stdout.split('\n').find((line) => line.includes(' eval --model '));
    // "  node <path to main.js> eval --model <out>      what it shows"
    const command = (evalLine ?? '').trim().split(/\s{2,}/)[0];
    expect(command).toMatch(/^node \S+main\.js eval --model /);
    const [program, script, ...args] = command.split(' ');
    expect(program).toBe('node');
    const evaluation = spawnSync(process.execPath, [script, ...args, '--backend', 'cpu'], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(evaluation.status).toBe(0);
    expect(evaluation.stdout).toMatch(/confusion/);
  });

  it('prints a summary table and one JSON line last', () => {
    expect(summary).toMatchObject({ task: 'pose', layers: [960, 3, 4], backend: 'cpu', epochs: 5 });
    for (const key of ['bestEpoch', 'trainAccuracy', 'validationAccuracy', 'testAccuracy', 'seconds']) {
      expect(typeof summary[key]).toBe('number');
    }
    expect(summary.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(summary.testAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('writes the model, run description, per-epoch metrics and weight pictures', () => {
    expect(readdirSync(out).sort()).toEqual(['metrics.csv', 'model.json', 'run.json', 'weights']);
    const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(metrics[0]).toBe(
      'epoch,loss,accuracy,validation_loss,validation_accuracy,learning_rate,examples_per_second',
    );
    expect(metrics).toHaveLength(6);
    expect(readdirSync(join(out, 'weights')).sort()).toEqual([
      'hidden-1.png',
      'hidden-2.png',
      'hidden-3.png',
      'output-weights.png',
    ]);
    const picture = decode(readFileSync(join(out, 'weights/hidden-1.png')));
    expect([picture.width, picture.height]).toEqual([32 * 8, 30 * 8]);
  });

  it('evaluates the saved model with a confusion matrix', () => {
    const result = cli('eval', '--model', out, '--backend', 'cpu', '--json');
    expect(result.status).toBe(0);
    const evaluation = lastJson(result.stdout);
    expect(evaluation.accuracy).toBeCloseTo(summary.testAccuracy as number, 6);
    expect(evaluation.classes).toEqual(['straight', 'left', 'right', 'up']);
    expect(evaluation.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(evaluation.count);
    const table = cli('eval', '--model', out, '--backend', 'cpu');
    expect(table.stdout).toMatch(/precision\s+recall/);
    expect(table.stdout).toMatch(/confusion/);
  });

  it('rejects a folder that is not a model', () => {
    const result = cli('eval', '--model', work);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/no run\.json there/);
  });
});

describe("the README's npm start output", () => {
  it('is what train prints: each line of it (numbers, dates and paths aside) is a line train prints', () => {
    const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
    const start = readme.indexOf('```\nsynthetic faces');
    const shown = readme
      .slice(start + 4, readme.indexOf('```', start + 4))
      .trimEnd()
      .split('\n');
    // as `npm start` runs it, so the next commands read `npm run cli --`
    const result = cliBuild.runWithEnvironment(
      { ...process.env, npm_lifecycle_event: 'start' },
      ...['train', '--backend', 'cpu', '--epochs', '10', '--out', join(work, 'runs/readme')],
    );
    expect(result.status).toBe(0);
    const printed = `${result.stderr}\n${result.stdout}`.split('\n');
    const pattern = (line: string) =>
      new RegExp(
        `^${line
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/runs\/pose-\d+-\d+/g, '\\S+')
          .replace(/\d+(\\\.\d+)?/g, '\\d+(\\.\\d+)?')
          .replace(/─+/g, '─+')
          .replace(/ +/g, ' +')}$`,
      );
    const lines = shown.filter((line) => line !== '…');
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(
        printed.some((each) => pattern(line).test(each)),
        `README line not printed: ${line}`,
      ).toBe(true);
    }
  }, 120_000);
});

describe('the synthetic faces need the hidden layer', () => {
  it('960-3-4 is clearly more accurate on pose than a linear model (softmax regression)', () => {
    const testAccuracy = (name: string, ...args: string[]) => {
      const out = join(work, name);
      const result = cli('train', '--backend', 'cpu', '--seed', '1', '--json', '--out', out, ...args);
      expect(result.status).toBe(0);
      return lastJson(result.stdout).testAccuracy as number;
    };
    const hidden = testAccuracy('hidden-layer');
    const linear = testAccuracy(
      'linear',
      '--hidden',
      'none',
      '--loss',
      'softmax-cross-entropy',
      '--lr',
      '0.1',
    );
    expect(hidden).toBeGreaterThan(0.85);
    expect(hidden - linear).toBeGreaterThan(0.05);
  }, 120_000);
});

describe('CSV data', () => {
  it('trains on a CSV file with a held-out split and predicts unlabelled rows', async () => {
    const rows = ['x,y,side'];
    for (let i = 0; i < 60; i++) {
      const x = ((i * 37) % 100) / 10;
      const y = ((i * 53) % 100) / 10;
      rows.push(`${x},${y},${x > y ? 'below' : 'above'}`);
    }
    writeFileSync(join(work, 'points.csv'), `${rows.join('\n')}\n`);
    writeFileSync(join(work, 'new.csv'), 'x,y\n9,1\n1,9\n');
    const out = join(work, 'csv-run');
    const result = cli(
      'train', '--data', 'points.csv', '--hidden', '4', '--loss', 'softmax-cross-entropy', '--lr', '0.1',
      '--epochs', '20', '--test-split', '0.25', '--backend', 'cpu', '--json', '--out', out,
    ); // biome-ignore format: one command line
    expect(result.status).toBe(0);
    expect(lastJson(result.stdout)).toMatchObject({
      task: 'csv',
      layers: [2, 4, 2],
      outputActivation: 'softmax',
    });
    const predicted = cli('predict', '--model', out, '--backend', 'cpu', '--json', 'new.csv');
    expect(predicted.status).toBe(0);
    expect(
      predicted.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).input),
    ).toEqual(['new.csv:2', 'new.csv:3']);
  });
});

describe('bench', () => {
  it('measures our engines and prints the table', () => {
    const result = cli(
      'bench',
      '--only',
      'faces-b32',
      '--backends',
      'cpu',
      '--seconds',
      '0.05',
      '--runs',
      '3',
    );
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\| faces-b32 \| cpu \| 32 \| [\d,]+ \(/);
    const bad = cli('bench', '--only', 'nope');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown network 'nope'/);
  });
});
