// The mini-batch twin of the fused per-example kernel (shaders/mini-batch.wgsl): a whole training step of a
// small network in one workgroup, many steps per dispatch, run by FusedTrainer (per-example.ts). Chosen on
// CPU adapters only: there a workgroup runs on one thread anyway and the batched path's ~3 dispatches per
// layer and step cost more than a small network's arithmetic; on a GPU one workgroup doing a whole step
// would leave the rest of the chip idle, so the batched kernels keep it.

import type { OptimizerSpec } from '../../model/optimizer.js';
import type { NetworkSpec } from '../../model/spec.js';
import { isCpuAdapter } from './kernel-choice.js';
import { miniBatchKernel } from './kernels.js';
import { type FusedKernel, sharedConstants, sizes } from './per-example.js';

/** Layers mini-batch.wgsl's NetworkTable holds. */
const maxLayers = 8;

/** How mini-batch.wgsl takes a network at a batch size. */
export interface MiniBatchLayout {
  /** invocations of the one workgroup: one subgroup */
  workgroupSize: number;
  /** rows of a batch (the workgroup arrays hold this many rows) */
  batchCapacity: number;
  /** the weights in workgroup memory (else they stay in the packed storage buffer) */
  weightsInWorkgroup: boolean;
}

/**
 * The layout for `batchSize` rows (≥ 2; already capped at the data set's count), or undefined where the
 * batched path keeps the network: not a CPU adapter (kernel-choice.ts isCpuAdapter), more than
 * 8 layers, weights that would not fit the device's workgroup memory (the "small network" of the fused
 * design: the step's arithmetic is then small against a dispatch), or z, o and δ of every row that do not
 * fit it (mini-batch.wgsl's header). The weights go into workgroup memory when they fit beside the rows and
 * the device does not zero-initialise it (`workgroupMemoryZeroed`, per-example.ts perExampleDevice): ~10%
 * faster on SwiftShader for faces-b32, measured through net.fit in alternating processes.
 */
export function miniBatchLayout(
  info: Partial<GPUAdapterInfo> | undefined,
  limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize'>,
  spec: NetworkSpec,
  batchSize: number,
  workgroupMemoryZeroed: boolean,
): MiniBatchLayout | undefined {
  if (batchSize < 2 || !isCpuAdapter(info)) return undefined;
  const { parameters } = sizes(spec);
  const capacity = limits.maxComputeWorkgroupStorageSize / 4;
  const workgroupSize = Math.max(1, info?.subgroupMinSize ?? 4);
  const rows = { workgroupSize, batchCapacity: batchSize, weightsInWorkgroup: false };
  const held = miniBatchWorkgroupWords(spec, rows);
  if (spec.layers.length > maxLayers || parameters > capacity || held > capacity) return undefined;
  return { ...rows, weightsInWorkgroup: !workgroupMemoryZeroed && held + parameters <= capacity };
}

/**
 * 4-byte words of mini-batch.wgsl's workgroup memory: per row z and o of every unit, δ in vec4 blocks and
 * the example; per invocation 4 words of metrics; the weights where the layout puts them there.
 */
export function miniBatchWorkgroupWords(spec: NetworkSpec, layout: MiniBatchLayout): number {
  const { units, blocks, parameters } = sizes(spec);
  const rows = layout.batchCapacity * (2 * units + 4 * blocks + 1) + 4 * layout.workgroupSize;
  return rows + (layout.weightsInWorkgroup ? parameters : 0);
}

/** mini-batch.wgsl's constants for a network, optimizer and layout. */
export function miniBatchKernelFor(
  spec: NetworkSpec,
  optimizer: OptimizerSpec,
  dropout: boolean,
  layout: MiniBatchLayout,
): FusedKernel {
  const { parameters, units, blocks } = sizes(spec);
  return {
    family: miniBatchKernel,
    constants: {
      workgroupSize: layout.workgroupSize,
      batchCapacity: layout.batchCapacity,
      unitCount: units,
      blockCount: blocks,
      parameterCount: parameters,
      weightsInWorkgroup: layout.weightsInWorkgroup,
      workgroupWeightCount: layout.weightsInWorkgroup ? parameters : 1,
      ...sharedConstants(spec, optimizer, dropout),
    },
  };
}
