// A training step's weight update of one layer with shaders/weight-update.wgsl: ∂E/∂W = δᵀ·X summed over
// the batch's rows by the invocation that applies it, 8 units × 4 inputs per invocation, no workgroup
// memory. kernel-choice.ts weightUpdateKernelFor says when it runs instead of matmul.wgsl weightUpdate.

import { weightUpdateKernel } from './kernels.js';
import type { OptimizerConstants } from './network-buffers.js';
import { type BoundKernel, bindKernel, kernelPipeline } from './pipelines.js';
import { encodeUniform } from './reflect.js';

/** Invocations of a workgroup along the inputs (weight-update.wgsl COLUMNS), each taking 4 inputs. */
const columnsPerWorkgroup = 16;
/** Inputs and units of one invocation's block. */
const inputsPerInvocation = 4;
const unitsPerInvocation = 8;
/** Unit blocks of a workgroup, at most (weight-update.wgsl workgroupRows). */
const maxWorkgroupRows = 4;

/** One layer's sizes, as weight-update.wgsl's shape uniform holds them. */
export interface WeightUpdateShape {
  units: number;
  inputs: number;
  /** the batch capacity: rows of δ (and of X unless gathered) */
  rows: number;
}

/** The bytes of weight-update.wgsl's shape uniform. */
export function encodeWeightUpdateShape(shape: WeightUpdateShape): ArrayBuffer {
  return encodeUniform(weightUpdateKernel, 'shape', { ...shape, biasOffset: shape.units * shape.inputs });
}

/** Workgroup rows and the dispatch size: narrowed to the unit blocks a layer has (960-3-4's layer 0: 1). */
function weightUpdateGrid(shape: Pick<WeightUpdateShape, 'units' | 'inputs'>): {
  workgroupRows: number;
  groups: [number, number];
} {
  const unitBlocks = Math.ceil(shape.units / unitsPerInvocation);
  const workgroupRows = Math.min(maxWorkgroupRows, unitBlocks);
  return {
    workgroupRows,
    groups: [
      Math.ceil(shape.inputs / (inputsPerInvocation * columnsPerWorkgroup)),
      Math.ceil(unitBlocks / workgroupRows),
    ],
  };
}

/** The buffers one layer's update binds (names of weight-update.wgsl's bindings). */
export interface WeightUpdateResources {
  /** the shape uniform (encodeWeightUpdateShape) */
  shape: GPUBuffer;
  options: GPUBuffer;
  control: GPUBuffer;
  order: GPUBuffer;
  delta: GPUBuffer;
  activity: GPUBuffer;
  parameters: GPUBuffer;
  slot0: GPUBuffer;
  slot1: GPUBuffer;
}

/** One layer's weight update, bound, with its dispatch size. `gathered`: X is layer 0's, read through the order. */
export function bindWeightUpdate(
  device: GPUDevice,
  shape: WeightUpdateShape,
  gathered: boolean,
  optimizer: OptimizerConstants,
  resources: WeightUpdateResources,
): { bound: BoundKernel; groups: [number, number] } {
  const { workgroupRows, groups } = weightUpdateGrid(shape);
  const kernel = kernelPipeline(device, weightUpdateKernel, 'weightUpdate', {
    gathered,
    vectorInputs: shape.inputs % 4 === 0,
    vectorDeltas: shape.units % 4 === 0,
    workgroupRows,
    ...optimizer,
  });
  return { bound: bindKernel(device, kernel, { ...resources }), groups };
}
