// The reference engines by name, for the runner and for first-epoch-child.ts, which makes one in a process
// of its own.

import type { BenchEngine, BenchEngineName } from '../core/measure.js';
import { brainjsEngine } from '../engines/brainjs.js';
import { jaxjsEngine } from '../engines/jaxjs.js';
import { tfjsEngine } from '../engines/tfjs.js';

export type ReferenceEngineName = Exclude<BenchEngineName, 'webgpu' | 'cpu'>;

/**
 * The reference engines whose first epochs the runner times, each in a fresh process: those that compile
 * WebGPU pipelines for a network, as ours does, so that their first epochs say what ours is up against.
 */
export const firstEpochReferenceEngines: readonly ReferenceEngineName[] = ['tfjs-webgpu', 'jaxjs-webgpu'];

export async function referenceEngine(name: ReferenceEngineName): Promise<BenchEngine> {
  if (name === 'brainjs') return brainjsEngine();
  if (name === 'jaxjs-webgpu' || name === 'jaxjs-wasm') return jaxjsEngine(name);
  return tfjsEngine(name);
}
