// Runs the command line as users do: the compiled CLI in a child process. Each test file builds its own
// copy (test-artifacts/cli-<name>/), so files running in parallel never read a half-written build.
// src/shaders.gen.ts must exist: the npm test scripts generate it first.

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FaultOptions } from './fault-injection.mjs';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Cli {
  /** an empty folder for the runs' files, made at once (so describe blocks can name paths in it) */
  readonly work: string;
  /** compiles the CLI (call it in beforeAll: a few seconds) */
  build(): void;
  /** runs `webgpu-mlp …args` in `work` */
  run(...args: string[]): CliResult;
  /** the same with these environment variables instead of this process's */
  runWithEnvironment(environment: NodeJS.ProcessEnv, ...args: string[]): CliResult;
  /** starts `webgpu-mlp …args` in `work` with faults injected (test/helpers/fault-injection.mjs), if any */
  start(args: string[], fault?: FaultOptions): ChildProcess;
  dispose(): void;
}

export function cliForTests(name: string): Cli {
  const buildFolder = join(repositoryRoot, 'test-artifacts', `cli-${name}`);
  const work = mkdtempSync(join(tmpdir(), `webgpu-mlp-${name}-`));
  return {
    work,
    build() {
      rmSync(buildFolder, { recursive: true, force: true });
      mkdirSync(buildFolder, { recursive: true });
      // main.js reads ../../package.json for --version
      copyFileSync(join(repositoryRoot, 'package.json'), join(buildFolder, 'package.json'));
      const tsc = join(repositoryRoot, 'node_modules/typescript/bin/tsc');
      execFileSync(
        process.execPath,
        [tsc, '-p', 'tsconfig.build.json', '--outDir', join(buildFolder, 'dist')],
        {
          cwd: repositoryRoot,
          stdio: 'pipe',
        },
      );
    },
    run(...args) {
      return this.runWithEnvironment(process.env, ...args);
    },
    runWithEnvironment(environment, ...args) {
      const result = spawnSync(process.execPath, [join(buildFolder, 'dist/src/cli/main.js'), ...args], {
        cwd: work,
        env: environment,
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    start(args, fault) {
      const preload = fault ? ['--import', join(repositoryRoot, 'test/helpers/fault-injection.mjs')] : [];
      return spawn(process.execPath, [...preload, join(buildFolder, 'dist/src/cli/main.js'), ...args], {
        cwd: work,
        env: fault ? { ...process.env, WEBGPU_MLP_FAULT: JSON.stringify(fault) } : process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    dispose() {
      rmSync(work, { recursive: true, force: true });
      rmSync(buildFolder, { recursive: true, force: true });
    },
  };
}

/** The JSON object a command printed as its last line. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string);
