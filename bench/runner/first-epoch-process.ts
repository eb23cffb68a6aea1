// First epochs in fresh Node processes: each sample's engine is the first of a process of its own, so its
// first epoch pays what a user's does (the library's JavaScript still cold, every pipeline compiled), not
// only what a fresh engine in the benchmark's warm process pays. The child is first-epoch-child.ts.

import { fileURLToPath } from 'node:url';
import type { BenchEngineName, FirstEpoch } from '../core/measure.js';
import type { FirstEpochSampler } from '../core/our-engines.js';
import { nodeChildResult } from './node-child.js';

/** The child's compiled script, beside this one's in .bench-build. */
const builtChild = fileURLToPath(new URL('./first-epoch-child.js', import.meta.url));

/**
 * Samples first epochs of `engine` (ours or a reference engine) each in a child process running
 * `childScript`, on the benchmark network of the same name (so on the same synthetic data).
 */
export function firstEpochInFreshProcesses(
  engine: BenchEngineName,
  childScript = builtChild,
): FirstEpochSampler {
  return async (network, _data, following) => {
    if (network.name === 'custom') throw new Error('a fresh process can time only the benchmark networks');
    const sample = nodeChildResult<FirstEpoch>(
      childScript,
      [engine, network.name, String(following)],
      `first epoch of ${network.name} on ${engine}`,
    );
    return { ...sample, freshProcesses: true };
  };
}
