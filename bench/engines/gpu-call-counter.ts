// Counts WebGPU calls made by any library in this process (TF.js has no stats() of its own) by wrapping
// the methods on the WebGPU prototypes. Dev-only: the published package never patches globals.

import type { TransferCounts } from '../core/measure.js';

const counts: TransferCounts = { dispatches: 0, submits: 0, uploads: 0, readbacks: 0 };
let installed = false;

type Method = (...args: unknown[]) => unknown;

function countCalls(className: string, methodName: string, counter: keyof TransferCounts): void {
  const webgpuClass = (globalThis as Record<string, unknown>)[className] as { prototype: object } | undefined;
  const prototype = webgpuClass?.prototype as Record<string, Method> | undefined;
  const original = prototype?.[methodName];
  if (!prototype || typeof original !== 'function') {
    throw new Error(
      `Cannot count WebGPU calls: ${className}.prototype.${methodName} is not a function here.`,
    );
  }
  prototype[methodName] = function (this: unknown, ...args: unknown[]) {
    counts[counter]++;
    return original.apply(this, args);
  };
}

/** Starts counting (once per process; WebGPU's globals must be defined). Later calls return the same counts. */
export function gpuCallCounts(): () => TransferCounts {
  if (!installed) {
    countCalls('GPUComputePassEncoder', 'dispatchWorkgroups', 'dispatches');
    countCalls('GPUComputePassEncoder', 'dispatchWorkgroupsIndirect', 'dispatches');
    countCalls('GPUQueue', 'submit', 'submits');
    countCalls('GPUQueue', 'writeBuffer', 'uploads');
    countCalls('GPUBuffer', 'mapAsync', 'readbacks');
    installed = true;
  }
  return () => ({ ...counts });
}
