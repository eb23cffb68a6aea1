// The command line on each backend: the same numbers on WebGPU as on the CPU, and what 'auto' picks.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliForTests, lastJson } from '../helpers/cli.js';
import { testDevice } from '../helpers/gpu.js';

const cliBuild = cliForTests('backends');
const cli = (...args: string[]) => cliBuild.run(...args);

beforeAll(() => {
  cliBuild.build();
}, 120_000);

afterAll(() => cliBuild.dispose());

describe('backends', () => {
  it('trains on webgpu to the same numbers as on the cpu, with gradients that pass the gradient check', () => {
    const runs = (['cpu', 'webgpu'] as const).map((backend) => {
      const out = join(cliBuild.work, `parity-${backend}`);
      const result = cli(
        'train',
        '--backend',
        backend,
        '--epochs',
        '2',
        '--batch',
        '32',
        '--json',
        '--check-gradients',
        '--out',
        out,
      );
      expect(result.status).toBe(0);
      expect(result.stderr).toMatch(
        /gradient check on 16 training examples, 1450 of 2899 parameters: relative error/,
      );
      expect(lastJson(result.stdout).gradientCheckError).toBeLessThan(1e-5);
      return { summary: lastJson(result.stdout), metrics: readFileSync(join(out, 'metrics.csv'), 'utf8') };
    });
    expect(runs[1].summary.backend).toBe('webgpu');
    expect(runs[1].summary.testAccuracy).toBe(runs[0].summary.testAccuracy);
    const losses = runs.map((run) =>
      run.metrics
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => Number(line.split(',')[1])),
    );
    for (const [epoch, loss] of losses[1].entries()) expect(loss).toBeCloseTo(losses[0][epoch], 5);
  });

  it("'auto' takes a hardware GPU, and the CPU rather than SwiftShader", async () => {
    const { device, adapterDescription } = await testDevice();
    device.destroy();
    const result = cli(
      'train',
      '--epochs',
      '1',
      '--batch',
      '32',
      '--json',
      '--out',
      join(cliBuild.work, 'auto'),
    );
    expect(result.status).toBe(0);
    expect(lastJson(result.stdout).backend).toBe(/swiftshader/i.test(adapterDescription) ? 'cpu' : 'webgpu');
  });

  it('without a Vulkan driver, prints one notice of its own and nothing from Dawn; WEBGPU_MLP_QUIET=1 none', async () => {
    const { adapterDescription } = await testDevice();
    // What a user's shell has: no VK_ICD_FILENAMES (the tests' setup sets it, as .ci/run does).
    const { VK_ICD_FILENAMES: _, ...userEnvironment } = process.env;
    const train = (environment: NodeJS.ProcessEnv, name: string) =>
      cliBuild.runWithEnvironment(
        environment,
        ...['train', '--backend', 'webgpu', '--epochs', '1', '--batch', '32'],
        ...['--out', join(cliBuild.work, name)],
      );
    const notices = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('webgpu-mlp:'));
    const loud = train(userEnvironment, 'notice');
    expect(loud.status).toBe(0);
    expect(loud.stderr).not.toMatch(/vkCreateInstance|Warning:|VK_ERROR/);
    if (/swiftshader/i.test(adapterDescription)) {
      expect(notices(loud.stderr)).toEqual([
        expect.stringMatching(/no GPU driver found; WebGPU runs on SwiftShader/),
      ]);
    } else {
      expect(notices(loud.stderr)).toEqual([]);
    }
    const quiet = train({ ...userEnvironment, WEBGPU_MLP_QUIET: '1' }, 'quiet');
    expect(quiet.status).toBe(0);
    expect(notices(quiet.stderr)).toEqual([]);
  }, 180_000);
});
