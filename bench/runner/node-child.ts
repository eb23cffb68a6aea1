// The benchmark's measurements in processes of their own (a fresh process is what a user's first epoch
// meets, and Dawn allows one instance per process): a Node script that prints its result as its last line
// of JSON.

import { spawnSync } from 'node:child_process';

/** Runs `script` with `args` in a new Node process and returns its last line, parsed; `what` names it in errors. */
export function nodeChildResult<Result>(script: string, args: readonly string[], what: string): Result {
  const child = spawnSync(process.execPath, [script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, WEBGPU_MLP_QUIET: '1' },
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{'))
    throw new Error(`${what}: exit ${child.status}\n${child.stderr}`);
  return JSON.parse(line) as Result;
}
