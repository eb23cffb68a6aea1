// Workspace: the per-row buffers of one batch capacity (z, o, δ per layer; inputs and targets for
// predict/gradients) with every dispatch of a step already bound, made before any training loop and rebuilt
// only when the capacity or the optimizer changes. The network's long-lived buffers are network-buffers.ts.

import { MlpError } from '../../errors.js';
import { lossWorkgroupSize, weightUpdateKernelFor } from './kernel-choice.js';
import {
  activationCodes,
  gatherCodes,
  lossCodes,
  lossKernel,
  matmulBlock,
  matmulKernel,
  matmulTile,
} from './kernels.js';
import {
  type MatmulFeed,
  matmulFamilyOf,
  matmulFeedOf,
  mirrorFits,
  rightMirror,
  sharesLines,
} from './matmul-feed.js';
import {
  checkBindingSize,
  type GpuDatasetBuffers,
  type MatmulShape,
  matmulGrid,
  type NetworkBuffers,
  type OptimizerConstants,
  vectorLoadsFit,
} from './network-buffers.js';
import { type BoundKernel, bindKernel, kernelPipeline, type TexelMirror } from './pipelines.js';
import { encodeUniform, type UniformValues } from './reflect.js';
import type { CommandRecorder, GpuMemory } from './scheduler.js';
import { bindWeightUpdate, encodeWeightUpdateShape } from './weight-update.js';

const floatBytes = 4;

interface ProductShape {
  values: MatmulShape;
  buffer: GPUBuffer;
}

interface Dispatch {
  bound: BoundKernel;
  groups: [number, number];
}

/** The kernels of one workspace that read a data set: they are bound to its buffers and order. */
interface DatasetKernels {
  /** layer 0's forward product, its X rows read through the order */
  forward: Dispatch;
  loss: BoundKernel;
  /** layer 0's weight gradient and update, its X rows read through the order (training only) */
  update: Dispatch | undefined;
}

/** What only inference workspaces have: the rows predict() and gradients() read. */
interface InferenceRows {
  /** [capacity, inputSize] */
  inputs: GPUBuffer;
  /** [capacity, outputs] */
  targets: GPUBuffer;
}

/** gradients()' kernels after the forward pass. */
interface GradientKernels {
  loss: BoundKernel;
  /** from the output layer down: each layer's weight gradient and the δ of the layer below */
  products: Dispatch[];
}

/**
 * The per-row buffers of one batch capacity and every kernel of a step, bound. Training workspaces read the
 * training options (dropout on) and apply the optimizer's step in the weight kernels (matmul.wgsl
 * weightUpdate); inference ones read the inference options (no dropout) and also hold inputs and targets
 * for predict() and gradients(), whose weight kernels only write the gradients.
 */
export class Workspace {
  readonly z: GPUBuffer[];
  readonly outputs: GPUBuffer[];
  readonly delta: GPUBuffer[];
  private readonly shapes: GPUBuffer[] = [];
  /** weight-update.wgsl's shape uniform of each layer that runs it, made on first use */
  private readonly weightUpdateShapes = new Map<number, GPUBuffer>();
  /** forward products of layers 1… (layer 0 reads a data set, or the inference inputs) */
  private readonly hiddenForward: Dispatch[];
  /** training: from the output layer down to layer 1, δ of the layer below, then the layer's update */
  private readonly updatePass: Dispatch[] = [];
  private readonly inferenceRows: InferenceRows | undefined;
  // An inference workspace's kernels for predict() and gradients(), bound when first recorded: binding a
  // kernel starts its pipeline's compilation, which an evaluation (endEpoch's, say) must not pay for.
  private inputForward: Dispatch | undefined;
  private lossPredict: BoundKernel | undefined;
  private gradientKernels: GradientKernels | undefined;
  private readonly perDataset = new Map<GpuDatasetBuffers, DatasetKernels>();
  /** the texel mirrors of the products fed texels */
  private readonly mirrors: TexelMirror[] = [];
  private readonly lossShape: GPUBuffer;
  private readonly options: GPUBuffer;
  /** matmul.wgsl shapes of each layer's forward product and weight products */
  private readonly layerShapes: { forward: ProductShape; weights: ProductShape }[];

  /** `optimizer` makes a training workspace; without it, an inference one. */
  constructor(
    private readonly memory: GpuMemory,
    private readonly net: NetworkBuffers,
    readonly capacity: number,
    private readonly optimizer?: OptimizerConstants,
  ) {
    const { device } = memory;
    const { spec, layers } = net;
    this.options = optimizer ? net.trainingOptions : net.inferenceOptions;
    const outputSize = layers[layers.length - 1].units;
    // Refuse before allocating anything: the widest per-row buffer, and the matmul dispatch along rows.
    const widest = Math.max(spec.inputSize, ...layers.map((layer) => layer.units));
    checkBindingSize(
      device,
      `a batch of ${capacity} rows × ${widest} values`,
      capacity * widest * floatBytes,
    );
    const maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    if (Math.ceil(capacity / matmulTile) > maxGroups || Math.ceil(widest / matmulTile) > maxGroups) {
      throw new MlpError(
        'device-limit',
        `a batch of ${capacity} rows × ${widest} values needs more than this device's ${maxGroups} workgroups per dispatch dimension (maxComputeWorkgroupsPerDimension)`,
      );
    }
    const rowsBuffer = (what: string, width: number) => memory.storage(what, capacity * width * floatBytes);
    this.z = layers.map((layer, l) => rowsBuffer(`z ${l}`, layer.units));
    this.outputs = layers.map((layer, l) => rowsBuffer(`o ${l}`, layer.units));
    this.delta = layers.map((layer, l) => rowsBuffer(`delta ${l}`, layer.units));
    this.layerShapes = layers.map((layer, l) => ({
      forward: this.productShape({
        rows: capacity,
        columns: layer.units,
        depth: layer.inputs,
        leftRowStride: layer.inputs,
        leftDepthStride: 1,
        rightDepthStride: 1,
        rightColumnStride: layer.inputs,
        layer: l,
        biasOffset: layer.units * layer.inputs,
      }),
      weights: this.productShape({
        rows: layer.units,
        columns: layer.inputs,
        depth: capacity,
        leftRowStride: 1,
        leftDepthStride: layer.units,
        rightDepthStride: layer.inputs,
        rightColumnStride: 1,
        layer: l,
        biasOffset: layer.units * layer.inputs,
      }),
    }));
    this.hiddenForward = layers
      .slice(1)
      .map((_, i) => this.forward(i + 1, this.outputs[i], gatherCodes.none, net.noOrder));
    const last = layers.length - 1;
    this.lossShape = this.shape(lossKernel, { units: outputSize, classes: net.classes });
    if (optimizer) {
      // δ_{l−1} reads W_l, so it comes before W_l's update.
      for (let l = last; l > 0; l--) {
        this.updatePass.push(
          this.hiddenDelta(l),
          this.weightUpdate(l, this.outputs[l - 1], gatherCodes.none, net.noOrder),
        );
      }
      return;
    }
    this.inferenceRows = {
      inputs: rowsBuffer('batch inputs', spec.inputSize),
      targets: rowsBuffer('batch targets', outputSize),
    };
  }

  /** δ of layer l − 1 from layer l's δ and weights. */
  private hiddenDelta(l: number): Dispatch {
    const { layers, control, noOrder } = this.net;
    const layer = layers[l];
    const below = layers[l - 1];
    return this.matmul(
      'hiddenDelta',
      { activation: activationCodes[below.activation], gather: gatherCodes.none },
      this.productShape({
        rows: this.capacity,
        columns: below.units,
        depth: layer.units,
        leftRowStride: layer.units,
        leftDepthStride: 1,
        rightDepthStride: below.units,
        rightColumnStride: 1,
        layer: l - 1,
        biasOffset: 0,
      }),
      {
        left: this.delta[l],
        right: layer.parameters,
        product: this.delta[l - 1],
        zBelow: this.z[l - 1],
        options: this.options,
        control,
        order: noOrder,
      },
    );
  }

  private shape(kernel: typeof matmulKernel | typeof lossKernel, values: UniformValues): GPUBuffer {
    const buffer = this.memory.uniform(`${kernel.file} shape`, encodeUniform(kernel, 'shape', values));
    this.shapes.push(buffer);
    return buffer;
  }

  /** A matmul.wgsl shape and its uniform buffer, shared by the products of that shape. */
  private productShape(values: MatmulShape): ProductShape {
    return { values, buffer: this.shape(matmulKernel, { ...values }) };
  }

  /**
   * How matmul.wgsl feeds this product: as measured for the device (matmul-feed.ts), except that the
   * subgroup and texels feeds need vec4 loads and a grid 8 invocations wide (their lanes must compute
   * blocks of the same rows), where other products are fed direct (element by element without vec4 loads);
   * and texels needs B's mirror to fit a texture, where it is fed subgroup.
   */
  private feedOf(values: MatmulShape): MatmulFeed {
    const { device } = this.memory;
    const feed = matmulFeedOf(device);
    if (!sharesLines(feed)) return feed;
    if (!vectorLoadsFit(values) || matmulGrid(values).workgroupColumns !== 8) return 'direct';
    return feed === 'texels' && !mirrorFits(device, values) ? 'subgroup' : feed;
  }

  /** One product of matmul.wgsl, bound, with vec4 loads where the layout allows, fed as feedOf says. */
  private matmul(
    entry: 'forward' | 'hiddenDelta' | 'weightGradient' | 'weightUpdate',
    constants: { gather: number } & Record<string, number | boolean>,
    { values, buffer }: ProductShape,
    resources: Record<string, GPUBuffer>,
  ): Dispatch {
    const { device } = this.memory;
    const grid = matmulGrid(values);
    const feed = this.feedOf(values);
    const texels: { rightTexels?: TexelMirror } = {};
    if (feed === 'texels') {
      texels.rightTexels = rightMirror(this.memory, values, constants.gather, {
        shape: buffer,
        ...resources,
      });
      this.mirrors.push(texels.rightTexels);
    }
    return {
      bound: bindKernel(
        device,
        kernelPipeline(device, matmulFamilyOf(feed), entry, {
          ...constants,
          vectorLoads: vectorLoadsFit(values),
          staged: feed === 'staged',
          ...grid,
        }),
        { shape: buffer, ...resources, ...texels },
      ),
      groups: [
        Math.ceil(values.columns / (grid.workgroupColumns * matmulBlock)),
        Math.ceil(values.rows / (grid.workgroupRows * matmulBlock)),
      ],
    };
  }

  /** Layer l's forward product on `input` (gathered through `order`, or not). */
  private forward(l: number, input: GPUBuffer, gather: number, order: GPUBuffer): Dispatch {
    const layer = this.net.layers[l];
    return this.matmul(
      'forward',
      { activation: activationCodes[layer.activation], gather },
      this.layerShapes[l].forward,
      {
        left: input,
        right: layer.parameters,
        bias: layer.parameters,
        product: this.z[l],
        activated: this.outputs[l],
        options: this.options,
        control: this.net.control,
        order,
      },
    );
  }

  /** Layer l's weight gradient applied by the optimizer where it is made (training only). */
  private weightUpdate(l: number, input: GPUBuffer, gather: number, order: GPUBuffer): Dispatch {
    const layer = this.net.layers[l];
    if (!this.optimizer) throw new Error('weightUpdate: an inference workspace does not train');
    const { values } = this.layerShapes[l].weights;
    const direct = this.feedOf(values) !== 'staged' && vectorLoadsFit(values);
    if (weightUpdateKernelFor(layer, this.memory.device.adapterInfo, direct) === 'rows') {
      const shape = { units: layer.units, inputs: layer.inputs, rows: this.capacity };
      // One per layer, shared by the data sets' bindings of layer 0 (a data set's kernels come and go).
      let shapeBuffer = this.weightUpdateShapes.get(l);
      if (!shapeBuffer) {
        shapeBuffer = this.memory.uniform('weight-update.wgsl shape', encodeWeightUpdateShape(shape));
        this.shapes.push(shapeBuffer);
        this.weightUpdateShapes.set(l, shapeBuffer);
      }
      return bindWeightUpdate(this.memory.device, shape, gather !== gatherCodes.none, this.optimizer, {
        shape: shapeBuffer,
        options: this.options,
        control: this.net.control,
        order,
        delta: this.delta[l],
        activity: input,
        parameters: layer.parameters,
        slot0: layer.slots[0],
        slot1: layer.slots[1],
      });
    }
    return this.matmul('weightUpdate', { gather, ...this.optimizer }, this.layerShapes[l].weights, {
      left: this.delta[l],
      right: input,
      options: this.options,
      control: this.net.control,
      order,
      parameters: layer.parameters,
      slot0: layer.slots[0],
      slot1: layer.slots[1],
    });
  }

  private lossPipeline(entry: 'train' | 'evaluate' | 'gradient' | 'predict') {
    const { spec } = this.net;
    const output = spec.layers[spec.layers.length - 1];
    return kernelPipeline(this.memory.device, lossKernel, entry, {
      activation: activationCodes[output.activation],
      loss: lossCodes[spec.loss],
      workgroupSize: lossWorkgroupSize(this.capacity),
    });
  }

  /** The kernels that read a data set, bound to its order (train) or identity order (evaluate). */
  private datasetKernels(dataset: GpuDatasetBuffers, order: GPUBuffer): DatasetKernels {
    let kernels = this.perDataset.get(dataset);
    if (!kernels) {
      const { device } = this.memory;
      const { layers } = this.net;
      const last = layers.length - 1;
      kernels = {
        forward: this.forward(0, dataset.inputs, gatherCodes.leftRows, order),
        loss: bindKernel(device, this.lossPipeline(this.optimizer ? 'train' : 'evaluate'), {
          shape: this.lossShape,
          options: this.options,
          z: this.z[last],
          activated: this.outputs[last],
          targets: dataset.targets,
          delta: this.delta[last],
          metrics: this.optimizer ? this.net.trainingMetrics : this.net.evaluationMetrics,
          confusion: this.net.confusion,
          order,
          control: this.net.control,
        }),
        update: this.optimizer && this.weightUpdate(0, dataset.inputs, gatherCodes.rightDepth, order),
      };
      this.perDataset.set(dataset, kernels);
    }
    return kernels;
  }

  forgetDataset(dataset: GpuDatasetBuffers): void {
    const kernels = this.perDataset.get(dataset);
    this.perDataset.delete(dataset);
    for (const dispatch of [kernels?.forward, kernels?.update]) {
      for (const mirror of dispatch?.bound.mirrors ?? []) {
        mirror.destroy();
        this.mirrors.splice(this.mirrors.indexOf(mirror), 1);
      }
    }
  }

  /** The inference rows; a training workspace has none. */
  private rows(): InferenceRows {
    if (!this.inferenceRows) throw new Error('a training workspace has no inference rows');
    return this.inferenceRows;
  }

  /** Where predict() and gradients() write their rows: inputs [capacity, inputSize], targets [capacity, outputs]. */
  get inputs(): GPUBuffer {
    return this.rows().inputs;
  }

  get targets(): GPUBuffer {
    return this.rows().targets;
  }

  /** The loss kernel's resources on the inference rows. */
  private inferenceLoss(entry: 'gradient' | 'predict'): BoundKernel {
    const last = this.net.layers.length - 1;
    return bindKernel(this.memory.device, this.lossPipeline(entry), {
      shape: this.lossShape,
      options: this.options,
      z: this.z[last],
      activated: this.outputs[last],
      targets: this.rows().targets,
      delta: this.delta[last],
      metrics: this.net.evaluationMetrics,
      confusion: this.net.confusion,
      control: this.net.control,
    });
  }

  /** The forward pass on `inputs`. */
  private recordInputForward(recorder: CommandRecorder): void {
    this.inputForward ??= this.forward(0, this.rows().inputs, gatherCodes.none, this.net.noOrder);
    for (const { bound, groups } of [this.inputForward, ...this.hiddenForward])
      recorder.dispatch(bound, ...groups);
  }

  /** predict(): the forward pass on `inputs`, softmax rows normalised. */
  recordPredict(recorder: CommandRecorder): void {
    this.recordInputForward(recorder);
    if (this.net.spec.layers[this.net.layers.length - 1].activation === 'softmax') {
      this.lossPredict ??= this.inferenceLoss('predict');
      recorder.dispatch(this.lossPredict, 1);
    }
  }

  /** gradients(): forward pass on `inputs` and `targets`, δ, then every layer's gradient. */
  recordGradients(recorder: CommandRecorder): void {
    this.recordInputForward(recorder);
    this.gradientKernels ??= this.bindGradients();
    recorder.dispatch(this.gradientKernels.loss, 1);
    for (const { bound, groups } of this.gradientKernels.products) recorder.dispatch(bound, ...groups);
  }

  private bindGradients(): GradientKernels {
    const { layers } = this.net;
    const products: Dispatch[] = [];
    for (let l = layers.length - 1; l >= 0; l--) {
      products.push(
        this.matmul('weightGradient', { gather: gatherCodes.none }, this.layerShapes[l].weights, {
          left: this.delta[l],
          right: l === 0 ? this.rows().inputs : this.outputs[l - 1],
          gradient: layers[l].gradient,
          options: this.options,
          order: this.net.noOrder,
        }),
      );
      if (l > 0) products.push(this.hiddenDelta(l));
    }
    return { loss: this.inferenceLoss('gradient'), products };
  }

  /** The forward pass on the data set's next batch (layers, loss with metrics): evaluate() and training. */
  recordBatch(recorder: CommandRecorder, dataset: GpuDatasetBuffers, order: GPUBuffer): void {
    const { forward, loss } = this.datasetKernels(dataset, order);
    recorder.dispatch(forward.bound, ...forward.groups);
    for (const { bound, groups } of this.hiddenForward) recorder.dispatch(bound, ...groups);
    recorder.dispatch(loss, 1);
  }

  /**
   * One training step on the data set's next batch: 3·L dispatches for L layers (L forward, the loss,
   * L − 1 hidden deltas, L weight updates).
   */
  recordStep(recorder: CommandRecorder, dataset: GpuDatasetBuffers): void {
    this.recordBatch(recorder, dataset, dataset.order);
    for (const { bound, groups } of this.updatePass) recorder.dispatch(bound, ...groups);
    const { update } = this.datasetKernels(dataset, dataset.order);
    if (!update) throw new Error('recordStep: an inference workspace does not train');
    recorder.dispatch(update.bound, ...update.groups);
  }

  destroy(): void {
    for (const buffer of [...this.z, ...this.outputs, ...this.delta, ...this.shapes]) {
      this.memory.destroy(buffer);
    }
    if (this.inferenceRows) {
      this.memory.destroy(this.inferenceRows.inputs);
      this.memory.destroy(this.inferenceRows.targets);
    }
    for (const mirror of this.mirrors) mirror.destroy();
    this.mirrors.length = 0;
    this.perDataset.clear();
  }
}
