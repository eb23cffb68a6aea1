// How many invocations the fused per-example kernel's one workgroup has on an adapter (per-example.wgsl's
// workgroupSize). The rule (per-example.ts ruleWorkgroupSize: one subgroup on a CPU adapter, where a
// workgroup runs on one thread and every barrier switches between its subgroups; 64 on a GPU) is a guess
// for hardware it was never measured on, so when the backend is created it times the kernel at a few sizes
// on Mitchell's 960-3-4 network, once per adapter (measured-choice.ts), and keeps the fastest.

import { initParams } from '../../model/init.js';
import type { OptimizerSpec } from '../../model/optimizer.js';
import { Random } from '../../model/random.js';
import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import { type ValidatedSpec, validateSpec } from '../../model/validate.js';
import type { ChoiceStore } from '../../platform.js';
import type { BackendNetwork, StepOptions } from '../backend.js';
import { perExampleKernel } from './kernels.js';
import { defaultChoiceStore, measuredChoice } from './measured-choice.js';
import { perExampleDevice, perExampleLayout, ruleWorkgroupSize } from './per-example.js';

const measuredSpec: ValidatedSpec = validateSpec({
  inputSize: 960,
  layers: [
    { units: 3, activation: 'sigmoid' },
    { units: 4, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
  seed: 1,
});
const measuredOptimizer: OptimizerSpec = { kind: 'sgd', momentum: 0.9, nesterov: false };
/** Steps per timing: one dispatch that takes milliseconds on SwiftShader (4–5 ms). */
const measuredSteps = 64;
const rounds = 3;
/**
 * Another size must take at most this share of the rule's time to be chosen. Sizes sum a step's partial
 * sums in different orders, so the last bits of trained weights depend on the size: the margin keeps an
 * adapter on which two sizes run alike from flipping between them from one process to the next.
 */
const ruleShare = 0.8;

const sizeByDevice = new WeakMap<GPUDevice, number>();

/** The per-example kernel's workgroup size on `device`: choosePerExampleWorkgroupSize's, else the rule's. */
export function perExampleWorkgroupSizeOf(device: GPUDevice): number {
  return sizeByDevice.get(device) ?? ruleWorkgroupSize(device.adapterInfo);
}

/** Makes `device`'s per-example kernels built from now on use `size` invocations (tests pin sizes so). */
export function usePerExampleWorkgroupSize(device: GPUDevice, size: number): void {
  sizeByDevice.set(device, size);
}

/**
 * The sizes timed on `device`, the rule's first: 1, 2 and 4 subgroups on a CPU adapter, 32 to 256 on a
 * GPU; only those within the device's limit at which the kernel takes the measured network.
 */
export function workgroupCandidates(device: GPUDevice, workgroupMemoryZeroed: boolean): number[] {
  const rule = ruleWorkgroupSize(device.adapterInfo);
  const sizes =
    rule < 32 ? [rule, 2 * rule, 4 * rule] : [rule, ...[32, 64, 128, 256].filter((size) => size !== rule)];
  return sizes.filter(
    (size) =>
      size <= device.limits.maxComputeInvocationsPerWorkgroup &&
      perExampleLayout(
        device.limits,
        measuredSpec,
        measuredOptimizer,
        perExampleDevice(device.adapterInfo, workgroupMemoryZeroed, size),
      ) !== undefined,
  );
}

/** What the measurement trains with: the backend's networks on `device`. */
export interface PerExampleHost {
  createNetwork(spec: NetworkSpec, params: LayerParams[]): BackendNetwork;
}

/**
 * The fastest workgroup size for the per-example kernel on `device`'s adapter, and from then on the size
 * of `device`'s per-example kernels. Measured on the first call for that adapter (on SwiftShader about
 * 0.8 s, most of it compiling a pipeline per size), then kept like the matmul feed (matmul-feed.ts).
 */
export async function choosePerExampleWorkgroupSize(
  device: GPUDevice,
  host: PerExampleHost,
  workgroupMemoryZeroed: boolean,
  store: ChoiceStore | undefined = defaultChoiceStore(),
): Promise<number> {
  const candidates = workgroupCandidates(device, workgroupMemoryZeroed).map(String);
  const size = await measuredChoice(
    'per-example workgroup size',
    device,
    candidates,
    perExampleKernel.source,
    store,
    () => measureSizes(device, host, candidates),
  );
  usePerExampleWorkgroupSize(device, Number(size));
  return Number(size);
}

async function measureSizes(device: GPUDevice, host: PerExampleHost, candidates: string[]): Promise<string> {
  const random = new Random(1);
  const inputs = Float32Array.from({ length: measuredSteps * measuredSpec.inputSize }, () => random.next());
  const targets = Float32Array.from({ length: measuredSteps * 4 }, (_, i) => (i % 4 === 0 ? 0.9 : 0.1));
  const order = random.permutation(measuredSteps);
  const options: StepOptions = {
    batchSize: 1,
    learningRate: 0.05,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: [0],
    dropoutSeed: 1,
  };
  const params = initParams(measuredSpec);
  const runs = candidates.map((size) => {
    const net = host.createNetwork(measuredSpec, params);
    net.setOptimizer(measuredOptimizer);
    return { size: Number(size), net, data: net.upload(inputs, targets, measuredSteps) };
  });
  try {
    for (const run of runs) {
      usePerExampleWorkgroupSize(device, run.size);
      await run.net.prepare(run.data, { batchSize: 1, optimizer: measuredOptimizer, dropout: false });
    }
    const time = async (run: (typeof runs)[number]) => {
      usePerExampleWorkgroupSize(device, run.size);
      run.net.setOrder(run.data, order);
      const start = performance.now();
      run.net.train(run.data, 0, measuredSteps, options);
      await device.queue.onSubmittedWorkDone();
      return performance.now() - start;
    };
    const fastest = runs.map(() => Infinity);
    for (let round = 0; round < rounds; round++) {
      // The fastest of each: a timing can only be slowed by other work, never sped up.
      for (const [i, run] of runs.entries()) fastest[i] = Math.min(fastest[i], await time(run));
    }
    const best = fastest.indexOf(Math.min(...fastest));
    return fastest[best] <= ruleShare * fastest[0] ? candidates[best] : candidates[0];
  } finally {
    for (const run of runs) run.net.dispose();
  }
}
