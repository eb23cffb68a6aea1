// One typed descriptor per kernel family (one shaders/*.wgsl file each): its source, entry points,
// override constants and binding names. reflect.ts checks every descriptor against its WGSL, so a name
// that drifts on either side fails at pipeline creation naming the file and the binding.

import type { Activation, Loss } from '../../model/spec.js';
import {
  finiteShader,
  type KernelShader,
  lossShader,
  matmulShader,
  matmulSubgroupShader,
  matmulTexelsShader,
  miniBatchShader,
  perExampleShader,
  type ShaderReflection,
  weightUpdateShader,
} from '../../shaders.gen.js';

export interface KernelFamily<Entry extends string = string, Binding extends string = string> {
  /** shaders/<file>, for messages */
  readonly file: string;
  /** the libraries it needs, then the file itself (scripts/gen-shaders.mjs joins them) */
  readonly source: string;
  /** what the source declares, read when the shaders were generated (reflect.ts checks the rest against it) */
  readonly reflection: ShaderReflection;
  readonly entryPoints: readonly Entry[];
  readonly constants: readonly string[];
  readonly bindings: readonly Binding[];
  /** uniform bindings bound with a dynamic offset (one static buffer of per-dispatch values) */
  readonly dynamicOffsets: readonly Binding[];
}

function family<const Entry extends string, const Binding extends string>(descriptor: {
  file: string;
  shader: KernelShader;
  entryPoints: readonly Entry[];
  constants: readonly string[];
  bindings: readonly Binding[];
  dynamicOffsets?: readonly Binding[];
}): KernelFamily<Entry, Binding> {
  const { shader, dynamicOffsets = [], ...rest } = descriptor;
  return { ...rest, dynamicOffsets, source: shader.source, reflection: shader.reflection };
}

/** The codes of activation.wgsl. */
export const activationCodes: Record<Activation, number> = {
  sigmoid: 0,
  tanh: 1,
  relu: 2,
  'leaky-relu': 3,
  linear: 4,
  softmax: 5,
};

/** The codes of loss.wgsl's `loss` override. */
export const lossCodes: Record<Loss, number> = {
  'squared-error': 0,
  'binary-cross-entropy': 1,
  'softmax-cross-entropy': 2,
};

/** The codes of update.wgsl's `optimizer` override (adamw is adam with `decoupledDecay`). */
export const optimizerCodes = { sgd: 0, adam: 1 } as const;

/** matmul.wgsl's `gather` override: which operand, if any, layer 0 reads through the data set's order. */
export const gatherCodes = { none: 0, leftRows: 1, rightDepth: 2 } as const;

/** Rows and columns of C one matmul.wgsl invocation computes (its register block). */
export const matmulBlock = 8;
/** Tile edge of matmul.wgsl at its default 8 × 8 grid of invocations: a workgroup computes 64 × 64 outputs. */
export const matmulTile = 8 * matmulBlock;

function matmulFamily<const Extra extends string = never>(
  file: string,
  shader: KernelShader,
  extraBindings: readonly Extra[] = [],
) {
  return family({
    file,
    shader,
    entryPoints: ['forward', 'hiddenDelta', 'weightGradient', 'weightUpdate', 'mirrorRight'],
    constants: [
      'activation',
      'vectorLoads',
      'gather',
      'staged',
      'optimizer',
      'nesterov',
      'decoupledDecay',
      'workgroupRows',
      'workgroupColumns',
    ],
    bindings: [
      'shape',
      'left',
      'right',
      'product',
      'bias',
      'activated',
      'zBelow',
      'gradient',
      'options',
      'control',
      'order',
      'parameters',
      'slot0',
      'slot1',
      'rightMirror',
      ...extraBindings,
    ],
  });
}

export const matmulKernel = matmulFamily('matmul.wgsl', matmulShader);
/** matmul.wgsl with A's lines shared by each subgroup's lanes (the "subgroup" feed, matmul-feed.ts). */
export const matmulSubgroupKernel = matmulFamily(
  'matmul.wgsl with matmul-lines-subgroup.wgsl',
  matmulSubgroupShader,
);
/** The subgroup feed with B read from a texture mirroring `right` (the "texels" feed, matmul-feed.ts). */
export const matmulTexelsKernel = matmulFamily(
  'matmul.wgsl with matmul-lines-subgroup.wgsl and matmul-right-texels.wgsl',
  matmulTexelsShader,
  ['rightTexels'],
);

export const weightUpdateKernel = family({
  file: 'weight-update.wgsl',
  shader: weightUpdateShader,
  entryPoints: ['weightUpdate'],
  constants: [
    'gathered',
    'vectorInputs',
    'vectorDeltas',
    'workgroupRows',
    'optimizer',
    'nesterov',
    'decoupledDecay',
  ],
  bindings: ['shape', 'options', 'control', 'order', 'delta', 'activity', 'parameters', 'slot0', 'slot1'],
});

export const lossKernel = family({
  file: 'loss.wgsl',
  shader: lossShader,
  entryPoints: ['train', 'evaluate', 'gradient', 'predict'],
  constants: ['activation', 'loss', 'workgroupSize'],
  bindings: [
    'shape',
    'options',
    'z',
    'activated',
    'targets',
    'delta',
    'confusion',
    'metrics',
    'order',
    'control',
  ],
});

export const perExampleKernel = family({
  file: 'per-example.wgsl',
  shader: perExampleShader,
  entryPoints: ['train'],
  constants: [
    'workgroupSize',
    'parameterCount',
    'unitCount',
    'partialCount',
    'weightsInWorkgroup',
    'workgroupWeightCount',
    'slotsInWorkgroup',
    'workgroupSlotCount',
    'optimizer',
    'nesterov',
    'decoupledDecay',
    'loss',
    'outputActivation',
    'outputCount',
    'hiddenActivation',
    'dropout',
    'narrowLayers',
  ],
  bindings: [
    'run',
    'network',
    'options',
    'control',
    'order',
    'datasetInputs',
    'datasetTargets',
    'parameters',
    'slots',
    'metrics',
  ],
  dynamicOffsets: ['run'],
});

export const miniBatchKernel = family({
  file: 'mini-batch.wgsl',
  shader: miniBatchShader,
  entryPoints: ['train'],
  constants: [
    'workgroupSize',
    'batchCapacity',
    'unitCount',
    'blockCount',
    'parameterCount',
    'weightsInWorkgroup',
    'workgroupWeightCount',
    'optimizer',
    'nesterov',
    'decoupledDecay',
    'loss',
    'outputActivation',
    'outputCount',
    'hiddenActivation',
    'dropout',
  ],
  bindings: perExampleKernel.bindings,
  dynamicOffsets: ['run'],
});

export const finiteKernel = family({
  file: 'finite.wgsl',
  shader: finiteShader,
  entryPoints: ['check'],
  constants: [],
  bindings: ['values', 'nonFinite'],
});
