// Fault tests of `train --checkpoint-every` and `--resume` (docs/reliability.md): the CLI killed with
// SIGKILL at several points of a run, a checkpoint write among them, then resumed, ends with the same model,
// metrics and summary as the uninterrupted run, on both backends; a full disk and a read-only folder are
// clear errors that lose nothing saved. The points are reached by hanging the CLI there
// (test/helpers/fault-injection.mjs), so the kill lands where the test says, whatever the machine's speed.

import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliForTests, lastJson } from '../helpers/cli.js';
import type { FaultOptions } from '../helpers/fault-injection.mjs';

const cli = cliForTests('resume');
const work = cli.work;

beforeAll(() => {
  cli.build();
  const rows = ['x,y,side'];
  for (let i = 0; i < 60; i++) {
    const x = ((i * 37) % 100) / 10;
    const y = ((i * 53) % 100) / 10;
    rows.push(`${x},${y},${x > y ? 'below' : 'above'}`);
  }
  writeFileSync(join(work, 'points.csv'), `${rows.join('\n')}\n`);
}, 120_000);
afterAll(() => cli.dispose());

/** 8 epochs, a checkpoint every 2 (epochs 2, 4, 6: the last epoch's is never written); early stopping's best carried. */
const trainFlags = [
  'train', '--data', 'points.csv', '--hidden', '4', '--loss', 'softmax-cross-entropy', '--optimizer', 'adam',
  '--lr', '0.05', '--dropout', '0.1', '--epochs', '8', '--batch', '4', '--validation-split', '0.25',
  '--test-split', '0.2', '--checkpoint-every', '2', '--json',
]; // biome-ignore format: one command line

/** What must not depend on the run being interrupted: model, metrics but their timing column, summary but its time and folder. */
function results(out: string) {
  const { summary } = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  const { seconds: _seconds, out: _out, ...rest } = summary;
  return {
    files: readdirSync(out).sort(),
    model: JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')),
    metrics: readFileSync(join(out, 'metrics.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(',').slice(0, -1).join(',')),
    summary: rest,
  };
}

/** Runs `train` with `fault`, waits until it hangs at the fault, then kills it with SIGKILL. */
async function killAtFault(args: string[], fault: FaultOptions): Promise<void> {
  const marker = join(work, `hanging-${Date.now()}`);
  const child: ChildProcess = cli.start(args, { ...fault, marker });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let ended = false;
  void exited.then(() => {
    ended = true;
  });
  while (!existsSync(marker)) {
    if (ended) throw new Error(`the run ended before reaching the fault; stderr:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  await exited;
}

/** Each point where a run is killed: the fault that holds it there, and the epoch its resume starts after. */
const killPoints: { name: string; fault: FaultOptions; resumesAfter: number }[] = [
  {
    name: 'between checkpoints (writing the history of epoch 4)',
    fault: { fault: 'hang-before-rename', matches: 'history.json', after: 1 },
    resumesAfter: 2,
  },
  {
    name: 'in the middle of writing the checkpoint of epoch 4',
    fault: { fault: 'hang-mid-write', matches: 'checkpoint.json', after: 2 },
    resumesAfter: 2,
  },
  {
    name: 'with the checkpoint of epoch 6 written and flushed, before its rename',
    fault: { fault: 'hang-before-rename', matches: 'checkpoint.json', after: 3 },
    resumesAfter: 4,
  },
  {
    name: 'while writing the results (model.json) after the last epoch',
    fault: { fault: 'hang-mid-write', matches: 'model.json' },
    resumesAfter: 6,
  },
];

describe.each(['cpu', 'webgpu'] as const)('killed with SIGKILL, then --resume (%s)', (backend) => {
  const args = [...trainFlags, '--backend', backend];
  let uninterrupted: ReturnType<typeof results>;
  beforeAll(() => {
    const run = cli.run(...args, '--out', `full-${backend}`);
    expect(run.status, run.stderr).toBe(0);
    uninterrupted = results(join(work, `full-${backend}`));
    expect(uninterrupted.files).toEqual(['metrics.csv', 'model.json', 'run.json', 'weights']);
  }, 60_000);

  // On WebGPU (each process compiles its pipelines: seconds on SwiftShader) one point keeps the suite short.
  const points = backend === 'cpu' ? killPoints : [killPoints[1]];
  it.each(points)(
    '$name: the same model, metrics and summary as the uninterrupted run',
    async ({ fault, resumesAfter }) => {
      const out = `killed-${backend}-${killPoints.findIndex((point) => point.fault === fault)}`;
      await killAtFault([...args, '--out', out], fault);
      expect(JSON.parse(readFileSync(join(work, out, 'run.json'), 'utf8')).summary).toBeNull();
      const resumed = cli.run('train', '--resume', out, '--json');
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(resumed.stderr).toContain(`resuming ${out} after epoch ${resumesAfter} of 8`);
      expect(lastJson(resumed.stdout).backend).toBe(backend);
      // bit for bit: WebGPU runs the same kernels in the same order from the same float32 state
      expect(results(join(work, out))).toEqual(uninterrupted);
    },
    60_000,
  );
});

describe('faults that are not kills (CPU)', () => {
  it('killed before the first checkpoint: --resume says there is nothing to continue from', async () => {
    await killAtFault([...trainFlags, '--out', 'early'], {
      fault: 'hang-before-rename',
      matches: 'checkpoint.json',
      after: 1,
    });
    const resumed = cli.run('train', '--resume', 'early');
    expect(resumed.status).not.toBe(0);
    expect(resumed.stderr).toMatch(/--resume early: no checkpoint to continue from .*start the run again/);
  }, 60_000);

  it('--resume refuses flags that would change the result, naming them; --backend may change; a complete run is refused', async () => {
    const out = 'refused';
    await killAtFault([...trainFlags, '--backend', 'cpu', '--out', out], killPoints[0].fault);
    const changed = cli.run('train', '--resume', out, '--lr', '0.5', '--epochs', '8', '--hidden', '5');
    expect(changed.status).not.toBe(0);
    expect(changed.stderr).toContain(
      `--resume ${out}: --hidden [5] (the run has [4]), --lr 0.5 (the run has 0.05) would change the result`,
    );
    const onCpu = cli.run('train', '--resume', out, '--backend', 'cpu', '--json', '--checkpoint-every', '3');
    expect(onCpu.status, onCpu.stderr).toBe(0);
    expect(lastJson(onCpu.stdout).backend).toBe('cpu');
    const complete = cli.run('train', '--resume', out);
    expect(complete.status).not.toBe(0);
    expect(complete.stderr).toMatch(/this run is complete/);
  }, 60_000);

  it('a full disk at the checkpoint of epoch 4 (ENOSPC, injected): a clear error, the checkpoint of epoch 2 kept, then resumed to the same result', async () => {
    const out = 'disk-full';
    const child = cli.start([...trainFlags, '--backend', 'cpu', '--out', out], {
      fault: 'disk-full',
      matches: 'checkpoint.json',
      after: 2,
    });
    let stderr = '';
    let stdout = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).not.toBe(0);
    expect(stderr).toContain(`checkpoint ${join(out, 'checkpoint.json')}: cannot write (the disk is full)`);
    expect(stderr).toMatch(new RegExp(`continue it with: node \\S+main\\.js train --resume ${out}\n`));
    expect(stdout).toBe('');
    expect(readdirSync(join(work, out)).sort()).toEqual(['checkpoint.json', 'history.json', 'run.json']);
    expect(JSON.parse(readFileSync(join(work, out, 'checkpoint.json'), 'utf8')).epoch).toBe(2);
    const resumed = cli.run('train', '--resume', out);
    expect(resumed.status, resumed.stderr).toBe(0);
    const full = cli.run(...trainFlags, '--backend', 'cpu', '--out', 'disk-full-reference');
    expect(full.status).toBe(0);
    expect(results(join(work, out))).toEqual(results(join(work, 'disk-full-reference')));
  }, 60_000);

  it('a read-only output folder (EROFS, injected): refused before the first epoch, nothing left', async () => {
    const child = cli.start([...trainFlags, '--out', 'read-only'], {
      fault: 'read-only',
      matches: 'checkpoint.json',
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(status).not.toBe(0);
    expect(stderr).toContain(
      `checkpoint ${join('read-only', 'checkpoint.json')}: cannot write there (EROFS)`,
    );
    expect(stderr).not.toMatch(/epoch 1\//);
    expect(existsSync(join(work, 'read-only'))).toBe(false);
  }, 60_000);
});
