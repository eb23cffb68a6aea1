// The WebGPU backend: the Backend contract on a GPUDevice, checked against the CPU backend by the shared
// conformance suite. Weights, optimizer state and data sets stay on the GPU; a train() call records all
// of its steps into command buffers with no upload (unless its options changed) and no readback. The
// device-side counters (step.wgsl) tell each step which batch and which step number it is.

import { MlpError } from '../../errors.js';
import type { GpuData, ParameterBuffers } from '../../model/gpu-data.js';
import { slotCount } from '../../model/optimizer.js';
import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import type {
  Backend,
  BackendDataset,
  BackendNetwork,
  BackendStats,
  EpochEnd,
  Evaluation,
  GpuDataNetwork,
  Metrics,
  OptimizerSpec,
  OptimizerState,
  ParamsCopy,
  StepOptions,
} from '../backend.js';
import { checkExampleLengths, checkLayerParams, checkLength } from '../shape-checks.js';
import { acquireDevice, noAdapterHelp } from './device.js';
import { checkDevice, DeferredCheck } from './gpu-data.js';
import { lossKernel, optimizerCodes } from './kernels.js';
import {
  checkBindingSize,
  encodeStepOptions,
  type GpuDatasetBuffers,
  metricsLayout,
  NetworkBuffers,
  type OptimizerConstants,
} from './network-buffers.js';
import {
  type PerExampleLayout,
  PerExampleTrainer,
  perExampleDevice,
  perExampleLayout,
} from './per-example.js';
import { compiledKernels } from './pipelines.js';
import { storageMemberOffset } from './reflect.js';
import { FiniteCheck, finiteFlagBytes, ParamsCopies } from './resident-params.js';
import { type CommandRecorder, DeviceHealth, GpuMemory, kernelsRecorded, Scheduler } from './scheduler.js';
import { Workspace } from './workspace.js';

/** Rows per chunk of predict() and evaluate(). */
const inferenceChunkRows = 1024;
/** Training steps per command buffer: bounds the memory of one submission on long epochs. */
const stepsPerSubmit = 256;

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu';
  readonly memory: GpuMemory;
  readonly health: DeviceHealth;
  private readonly networks = new Set<WebGpuNetwork>();

  private constructor(
    readonly device: GPUDevice,
    readonly adapterDescription: string,
    private readonly ownsDevice: boolean,
    /** whether the device zero-initialises workgroup memory (per-example.ts perExampleDevice) */
    readonly workgroupMemoryZeroed: boolean,
  ) {
    this.memory = new GpuMemory(device);
    this.health = new DeviceHealth(device);
  }

  /**
   * On the caller's device (never destroyed by us), or on a device of its own from acquireDevice().
   * Without an adapter: MlpError('no-adapter') saying what to install. A caller's device is taken to
   * zero-initialise workgroup memory unless `givenDeviceZeroes` says otherwise (per-example.ts).
   */
  static async create(device?: GPUDevice, givenDeviceZeroes = true): Promise<WebGpuBackend> {
    if (device) return new WebGpuBackend(device, describeDevice(device), false, givenDeviceZeroes);
    const acquired = await acquireDevice();
    if (!acquired) throw new MlpError('no-adapter', noAdapterHelp);
    const { adapterDescription, owned, workgroupMemoryZeroed } = acquired;
    return new WebGpuBackend(acquired.device, adapterDescription, owned, workgroupMemoryZeroed);
  }

  createNetwork(spec: NetworkSpec, params: LayerParams[]): BackendNetwork {
    this.health.check();
    const network = new WebGpuNetwork(this, spec, params, () => this.networks.delete(network));
    this.networks.add(network);
    return network;
  }

  dispose(): void {
    for (const network of [...this.networks]) network.dispose();
    this.health.dispose();
    if (this.ownsDevice) this.device.destroy();
  }
}

function describeDevice(device: GPUDevice): string {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const text = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return text || 'WebGPU device (given by the caller)';
}

/** A data set on the GPU: ours (upload), or the caller's buffers bound in place (adopt), never destroyed by us. */
class GpuDataset implements BackendDataset, GpuDatasetBuffers {
  evaluationOrder: GPUBuffer | undefined;
  /** where the device-side cursor of `order` stands after the work queued so far */
  cursor = 0;
  disposed = false;

  constructor(
    private readonly owner: WebGpuNetwork,
    readonly inputs: GPUBuffer,
    readonly targets: GPUBuffer,
    readonly order: GPUBuffer,
    readonly count: number,
    readonly inputSize: number,
    readonly outputSize: number,
    readonly ownsData: boolean,
  ) {}

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owner.releaseDataset(this);
  }
}

class WebGpuNetwork implements BackendNetwork, GpuDataNetwork {
  readonly gpu: GpuDataNetwork = this;
  private readonly scheduler: Scheduler;
  private readonly buffers: NetworkBuffers;
  private readonly device: GPUDevice;
  private optimizer: OptimizerSpec = { kind: 'sgd', momentum: 0, nesterov: false };
  private trainingWorkspace: Workspace | undefined;
  private inferenceWorkspace: Workspace | undefined;
  /** the fused batch-size-1 kernel, made on first use for the current optimizer */
  private perExample: PerExampleTrainer | undefined;
  private readonly datasets = new Set<GpuDataset>();
  private readonly paramsCopies: ParamsCopies;
  /** endEpoch's finiteness check of the parameters, made on first use */
  private finiteCheck: FiniteCheck | undefined;
  /** the bytes last written to the options buffers, so unchanged options are not uploaded again */
  private trainingOptionBytes: Uint8Array | undefined;
  private inferenceRows = 0;
  private disposed = false;
  /** parameterBuffers().version: raised by every write or training step of the parameters */
  private parameterVersion = 0;
  /** predictBuffer's misuse, found after it returned */
  private readonly predictBufferCheck = new DeferredCheck();
  private readonly orderHeaderBytes = storageMemberOffset(lossKernel, 'Order', 'examples');

  constructor(
    private readonly backend: WebGpuBackend,
    private readonly spec: NetworkSpec,
    params: LayerParams[],
    private readonly onDispose: () => void,
  ) {
    this.device = backend.device;
    this.scheduler = new Scheduler(backend.memory, backend.health);
    this.buffers = new NetworkBuffers(backend.memory, spec);
    this.paramsCopies = new ParamsCopies(
      this.scheduler,
      this.buffers,
      (bytes) => this.unpackParams(bytes),
      () => this.parameterVersion++,
    );
    try {
      this.writeParams(params);
    } catch (error) {
      // Parameters of the wrong shape: give back what the constructor made.
      this.buffers.destroy();
      throw error;
    }
  }

  private get outputSize(): number {
    return this.spec.layers[this.spec.layers.length - 1].units;
  }

  async readParams(): Promise<LayerParams[]> {
    this.checkAlive();
    return this.unpackParams(await this.scheduler.read(this.buffers.parameterBuffers()));
  }

  writeParams(params: LayerParams[]): void {
    this.checkAlive();
    checkLayerParams(this.spec, params, 'params');
    params.forEach((layer, l) => {
      this.scheduler.upload(this.buffers.layers[l].parameters, 0, packLayer(layer));
    });
    this.parameterVersion++;
  }

  copyParams(params?: LayerParams[]): ParamsCopy {
    this.checkAlive();
    if (params) checkLayerParams(this.spec, params, 'params');
    return this.paramsCopies.create(params?.map(packLayer));
  }

  async predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    this.checkAlive();
    const { inputSize } = this.spec;
    checkLength('inputs', inputs.length, count * inputSize, `count × inputSize = ${count} × ${inputSize}`);
    return this.predictRows(count, (workspace, start, rows) =>
      this.scheduler.upload(
        workspace.inputs,
        0,
        inputs.subarray(start * inputSize, (start + rows) * inputSize),
      ),
    );
  }

  /**
   * The outputs of `count` rows, a workspace's capacity of rows per readback: `load` puts rows
   * [start, start + rows) into the workspace's inputs, by an upload or a GPU copy recorded before the pass.
   */
  private async predictRows(
    count: number,
    load: (workspace: Workspace, start: number, rows: number, recorder: CommandRecorder) => void,
  ): Promise<Float32Array> {
    const outputs = this.outputSize;
    const result = new Float32Array(count * outputs);
    const workspace = this.inference(Math.min(count, inferenceChunkRows));
    this.setInferenceRows(workspace.capacity);
    for (let start = 0; start < count; start += workspace.capacity) {
      const rows = Math.min(workspace.capacity, count - start);
      const bytes = await this.scheduler.read(
        [{ buffer: workspace.outputs[workspace.outputs.length - 1], byteLength: rows * outputs * 4 }],
        {
          before: (recorder) =>
            this.recordPredictRows(recorder, workspace, rows, () => load(workspace, start, rows, recorder)),
        },
      );
      result.set(new Float32Array(bytes, 0, rows * outputs), start * outputs);
    }
    return result;
  }

  /** Loads `rows` rows into the workspace's inputs, zeroes the rest, and records the forward pass. */
  private recordPredictRows(
    recorder: CommandRecorder,
    workspace: Workspace,
    rows: number,
    load: () => void,
  ): void {
    load();
    recorder.clear(workspace.inputs, rows * this.spec.inputSize * 4);
    workspace.recordPredict(recorder);
  }

  async predictFromBuffer(inputs: GPUBuffer, count: number): Promise<Float32Array> {
    this.checkAlive();
    await checkDevice(this.device, [{ what: 'inputs', buffer: inputs }]);
    const rowBytes = this.spec.inputSize * 4;
    return this.predictRows(count, (workspace, start, rows, recorder) =>
      recorder.copy(inputs, start * rowBytes, workspace.inputs, 0, rows * rowBytes),
    );
  }

  predictBuffer(inputs: GPUBuffer, count: number, output?: GPUBuffer): GPUBuffer {
    this.checkAlive();
    this.predictBufferCheck.check();
    const rowBytes = this.spec.inputSize * 4;
    const outputRowBytes = this.outputSize * 4;
    const target =
      output ??
      this.device.createBuffer({
        label: 'predictBuffer output',
        size: count * outputRowBytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
    const workspace = this.inference(Math.min(count, inferenceChunkRows));
    this.setInferenceRows(workspace.capacity);
    const given = [{ what: 'predictBuffer inputs', buffer: inputs }];
    if (output) given.push({ what: 'predictBuffer output', buffer: output });
    this.predictBufferCheck.submit(this.device, given, () =>
      this.scheduler.submit((recorder) => {
        for (let start = 0; start < count; start += workspace.capacity) {
          const rows = Math.min(workspace.capacity, count - start);
          this.recordPredictRows(recorder, workspace, rows, () =>
            recorder.copy(inputs, start * rowBytes, workspace.inputs, 0, rows * rowBytes),
          );
          const last = workspace.outputs[workspace.outputs.length - 1];
          recorder.copy(last, 0, target, start * outputRowBytes, rows * outputRowBytes);
        }
      }),
    );
    return target;
  }

  parameterBuffers(): ParameterBuffers {
    this.checkAlive();
    return {
      version: this.parameterVersion,
      layers: this.buffers.layers.map(({ parameters, units, inputs }) => ({
        buffer: parameters,
        weightsOffset: 0,
        biasesOffset: units * inputs * 4,
        units,
        inputs,
      })),
    };
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<LayerParams[]> {
    this.checkAlive();
    checkExampleLengths(this.spec, inputs, targets, count);
    const workspace = this.inference(count);
    this.setInferenceRows(count);
    this.scheduler.upload(workspace.inputs, 0, inputs);
    this.scheduler.upload(workspace.targets, 0, targets);
    const bytes = await this.scheduler.read(this.buffers.gradientBuffers(), {
      before: (recorder) => {
        recorder.clear(workspace.inputs, count * this.spec.inputSize * 4);
        workspace.recordGradients(recorder);
      },
    });
    return this.unpackParams(bytes);
  }

  upload(inputs: Float32Array, targets: Float32Array, count: number): BackendDataset {
    this.checkAlive();
    checkExampleLengths(this.spec, inputs, targets, count);
    const { memory } = this.backend;
    const inputBytes = inputs.length * 4;
    const targetBytes = targets.length * 4;
    checkBindingSize(
      this.device,
      `a data set of ${count} examples × ${this.spec.inputSize} inputs`,
      inputBytes,
    );
    checkBindingSize(this.device, `a data set's ${count} × ${this.outputSize} targets`, targetBytes);
    const dataset = new GpuDataset(
      this,
      memory.storage('data set inputs', inputBytes),
      memory.storage('data set targets', targetBytes),
      memory.storage('data set order', this.orderHeaderBytes + count * 4),
      count,
      this.spec.inputSize,
      this.outputSize,
      true,
    );
    this.scheduler.upload(dataset.inputs, 0, inputs);
    this.scheduler.upload(dataset.targets, 0, targets);
    return this.addDataset(dataset);
  }

  async adopt({ inputs, targets, count }: Required<GpuData>): Promise<BackendDataset> {
    this.checkAlive();
    checkBindingSize(this.device, 'data.inputs (a GPUBuffer bound whole)', inputs.size);
    checkBindingSize(this.device, 'data.targets (a GPUBuffer bound whole)', targets.size);
    await checkDevice(this.device, [
      { what: 'data.inputs', buffer: inputs },
      { what: 'data.targets', buffer: targets },
    ]);
    this.checkAlive();
    const order = this.backend.memory.storage('data set order', this.orderHeaderBytes + count * 4);
    return this.addDataset(
      new GpuDataset(this, inputs, targets, order, count, this.spec.inputSize, this.outputSize, false),
    );
  }

  /** Registers a data set with the identity order. */
  private addDataset(dataset: GpuDataset): GpuDataset {
    this.scheduler.upload(
      dataset.order,
      0,
      this.orderBytes(Uint32Array.from({ length: dataset.count }, (_, i) => i)),
    );
    this.datasets.add(dataset);
    return dataset;
  }

  /** step.wgsl Order: cursor 0, count, then the examples, as one upload. */
  private orderBytes(order: Uint32Array): Uint32Array {
    const words = new Uint32Array(this.orderHeaderBytes / 4 + order.length);
    words[1] = order.length;
    words.set(order, this.orderHeaderBytes / 4);
    return words;
  }

  releaseDataset(dataset: GpuDataset): void {
    if (!this.datasets.delete(dataset)) return;
    this.trainingWorkspace?.forgetDataset(dataset);
    this.inferenceWorkspace?.forgetDataset(dataset);
    this.perExample?.forgetDataset(dataset);
    const { memory } = this.backend;
    if (dataset.ownsData) {
      memory.destroy(dataset.inputs);
      memory.destroy(dataset.targets);
    }
    memory.destroy(dataset.order);
    if (dataset.evaluationOrder) memory.destroy(dataset.evaluationOrder);
  }

  setOptimizer(spec: OptimizerSpec): void {
    this.checkAlive();
    this.optimizer = { ...spec };
    this.perExample?.destroy();
    this.perExample = undefined;
    // The training workspace's weight kernels are compiled for one optimizer.
    this.trainingWorkspace?.destroy();
    this.trainingWorkspace = undefined;
    this.trainingOptionBytes = undefined;
    this.scheduler.submit((recorder) => {
      for (const slot of [0, 1]) {
        for (const { buffer } of this.buffers.slotBuffers(slot)) recorder.clear(buffer);
      }
      recorder.clear(this.buffers.control);
    });
  }

  async readOptimizerState(): Promise<OptimizerState> {
    this.checkAlive();
    const slots = slotCount(this.optimizer.kind);
    const ranges = [
      { buffer: this.buffers.control, byteLength: 4 },
      ...Array.from({ length: slots }, (_, k) => this.buffers.slotBuffers(k)).flat(),
    ];
    const bytes = await this.scheduler.read(ranges);
    const step = new Uint32Array(bytes, 0, 1)[0];
    const perSlot = this.buffers.parameterBuffers().reduce((sum, r) => sum + r.byteLength, 0);
    return {
      step,
      slots: Array.from({ length: slots }, (_, k) => this.unpackParams(bytes.slice(4 + k * perSlot))),
    };
  }

  writeOptimizerState(state: OptimizerState): void {
    this.checkAlive();
    const slots = slotCount(this.optimizer.kind);
    if (state.slots.length !== slots) {
      throw new MlpError(
        'invalid-argument',
        `optimizer state: ${this.optimizer.kind} keeps ${slots} slot(s) per parameter, got ${state.slots.length}`,
      );
    }
    if (!Number.isInteger(state.step) || state.step < 0 || state.step > 0xffffffff) {
      throw new MlpError(
        'invalid-argument',
        `optimizer state: step ${state.step} is not a non-negative 32-bit integer`,
      );
    }
    state.slots.forEach((slot, k) => {
      checkLayerParams(this.spec, slot, `optimizer state slots[${k}]`);
    });
    state.slots.forEach((slot, k) => {
      slot.forEach((layer, l) => {
        this.scheduler.upload(this.buffers.layers[l].slots[k], 0, packLayer(layer));
      });
    });
    this.scheduler.upload(this.buffers.control, 0, Uint32Array.of(state.step));
  }

  /**
   * Records, into a recorder that only collects kernels, what train() and endEpoch() would dispatch, so their
   * pipelines start compiling, and awaits them. With an optimizer other than the network's, the trainer is
   * built for it and thrown away: the pipelines stay in the device's cache for when fit sets it.
   */
  async prepare(
    training: BackendDataset,
    step: { batchSize: number; optimizer: OptimizerSpec },
    evaluated?: BackendDataset,
  ): Promise<void> {
    this.checkAlive();
    const data = this.checkDataset(training);
    const evaluationPass = evaluated && this.evaluationPass(this.checkDataset(evaluated));
    const { optimizer } = step;
    // As train() takes it: a batch of the whole data set or more is the whole data set.
    const batchSize = Math.min(step.batchSize, data.count);
    const current = JSON.stringify(optimizer) === JSON.stringify(this.optimizer);
    const { memory } = this.backend;
    const kernels = kernelsRecorded((recorder) => {
      const layout = batchSize === 1 ? this.perExampleLayout(optimizer) : undefined;
      if (layout) {
        const trainer = current
          ? this.perExampleTrainer(layout)
          : new PerExampleTrainer(memory, this.buffers, optimizer, layout);
        trainer.record(recorder, data, 1);
        if (trainer !== this.perExample) trainer.destroy();
      } else {
        const workspace = current
          ? this.training(batchSize)
          : new Workspace(memory, this.buffers, batchSize, optimizerConstants(optimizer));
        workspace.recordStep(recorder, data);
        if (workspace !== this.trainingWorkspace) workspace.destroy();
      }
      // endEpoch's check of the parameters, and its evaluation of the validation set.
      this.finiteChecker().record(recorder);
      evaluationPass?.(recorder);
    });
    await this.backend.health.guard(compiledKernels(kernels));
  }

  setOrder(dataset: BackendDataset, order: Uint32Array): void {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    checkLength('order', order.length, data.count, 'the data set’s count');
    this.scheduler.upload(data.order, 0, this.orderBytes(order));
    data.cursor = 0;
  }

  train(dataset: BackendDataset, firstBatch: number, batchCount: number, options: StepOptions): void {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
      throw new MlpError(
        'invalid-argument',
        `train: batchSize ${options.batchSize} is not a positive integer`,
      );
    }
    // A batch of the whole data set or more is the whole data set: buffers and dispatches for its rows only.
    const batchSize = Math.min(options.batchSize, data.count);
    const lastStart = (firstBatch + batchCount - 1) * batchSize;
    if (batchCount > 0 && (firstBatch < 0 || lastStart >= data.count)) {
      throw new MlpError(
        'invalid-argument',
        `train: batch ${firstBatch + batchCount - 1} starts at example ${lastStart}, past the data set's ${data.count} examples`,
      );
    }
    if (batchCount <= 0) return;
    this.parameterVersion++;
    this.writeTrainingOptions({ ...options, batchSize });
    if (data.cursor !== firstBatch) {
      this.scheduler.upload(data.order, 0, Uint32Array.of(firstBatch));
      data.cursor = firstBatch;
    }
    const optimizer = this.optimizer;
    const layout = batchSize === 1 ? this.perExampleLayout(optimizer) : undefined;
    if (layout) {
      const trainer = this.perExampleTrainer(layout);
      this.scheduler.submit((recorder) => trainer.record(recorder, data, batchCount));
      data.cursor += batchCount;
      return;
    }
    const workspace = this.training(batchSize);
    for (let done = 0; done < batchCount; done += stepsPerSubmit) {
      const steps = Math.min(stepsPerSubmit, batchCount - done);
      this.scheduler.submit((recorder) => {
        for (let s = 0; s < steps; s++) workspace.recordStep(recorder, data);
      });
    }
    data.cursor += batchCount;
  }

  /** The fused per-example trainer for the network's optimizer, made on first use. */
  private perExampleTrainer(layout: PerExampleLayout): PerExampleTrainer {
    this.perExample ??= new PerExampleTrainer(this.backend.memory, this.buffers, this.optimizer, layout);
    return this.perExample;
  }

  /** How the fused per-example kernel takes this network and `optimizer`, if it does. */
  private perExampleLayout(optimizer: OptimizerSpec): PerExampleLayout | undefined {
    const device = perExampleDevice(this.device.adapterInfo, this.backend.workgroupMemoryZeroed);
    return perExampleLayout(this.device.limits, this.spec, optimizer, device);
  }

  private writeTrainingOptions(options: StepOptions): void {
    const optimizer = this.optimizer;
    const bytes = new Uint8Array(
      encodeStepOptions({
        ...options,
        ...(optimizer.kind === 'sgd'
          ? { momentum: optimizer.momentum }
          : {
              beta1: optimizer.beta1,
              beta2: optimizer.beta2,
              epsilon: optimizer.epsilon,
              weightDecay: optimizer.weightDecay,
            }),
      }),
    );
    const last = this.trainingOptionBytes;
    if (last && last.length === bytes.length && last.every((byte, i) => byte === bytes[i])) return;
    this.scheduler.upload(this.buffers.trainingOptions, 0, bytes);
    this.trainingOptionBytes = bytes;
  }

  private setInferenceRows(rows: number): void {
    if (this.inferenceRows === rows) return;
    this.scheduler.upload(this.buffers.inferenceOptions, 0, encodeStepOptions({ batchSize: rows }));
    this.inferenceRows = rows;
  }

  /** The training workspace for `batchSize` rows (rebuilt only when the batch size changes). */
  private training(batchSize: number): Workspace {
    if (this.trainingWorkspace?.capacity !== batchSize) {
      this.trainingWorkspace?.destroy();
      this.trainingWorkspace = undefined;
      this.trainingWorkspace = new Workspace(
        this.backend.memory,
        this.buffers,
        batchSize,
        optimizerConstants(this.optimizer),
      );
    }
    return this.trainingWorkspace;
  }

  /** An inference workspace of at least `rows` rows. */
  private inference(rows: number): Workspace {
    if (!this.inferenceWorkspace || this.inferenceWorkspace.capacity < rows) {
      this.inferenceWorkspace?.destroy();
      this.inferenceWorkspace = undefined;
      this.inferenceWorkspace = new Workspace(this.backend.memory, this.buffers, Math.max(1, rows));
    }
    return this.inferenceWorkspace;
  }

  async takeTrainingMetrics(): Promise<Metrics> {
    this.checkAlive();
    const layout = metricsLayout();
    const bytes = await this.scheduler.read(
      [{ buffer: this.buffers.trainingMetrics, byteLength: layout.size }],
      {
        after: (recorder) => recorder.clear(this.buffers.trainingMetrics),
      },
    );
    return parseMetrics(bytes, layout);
  }

  async evaluate(dataset: BackendDataset): Promise<Evaluation> {
    this.checkAlive();
    const data = this.checkDataset(dataset);
    const layout = metricsLayout();
    const classes = this.buffers.classes;
    const bytes = await this.scheduler.read(
      [
        { buffer: this.buffers.evaluationMetrics, byteLength: layout.size },
        { buffer: this.buffers.confusion, byteLength: classes * classes * 4 },
      ],
      { before: this.evaluationPass(data) },
    );
    const metrics = parseMetrics(bytes, layout);
    const confusionOffset = Math.ceil(layout.size / 4) * 4;
    return {
      ...metrics,
      confusion: new Uint32Array(bytes.slice(confusionOffset, confusionOffset + classes * classes * 4)),
      classes,
    };
  }

  async endEpoch(validation: BackendDataset | undefined): Promise<EpochEnd> {
    this.checkAlive();
    const data = validation && this.checkDataset(validation);
    const evaluationPass = data && this.evaluationPass(data);
    const check = this.finiteChecker();
    const layout = metricsLayout();
    const metricsBytes = Math.ceil(layout.size / 4) * 4;
    const bytes = await this.scheduler.read(
      [
        { buffer: this.buffers.trainingMetrics, byteLength: metricsBytes },
        { buffer: check.flag, byteLength: finiteFlagBytes },
        ...(data ? [{ buffer: this.buffers.evaluationMetrics, byteLength: metricsBytes }] : []),
      ],
      {
        before: (recorder) => {
          check.record(recorder);
          evaluationPass?.(recorder);
        },
        after: (recorder) => recorder.clear(this.buffers.trainingMetrics),
      },
    );
    return {
      training: parseMetrics(bytes, layout),
      paramsFinite: new Uint32Array(bytes, metricsBytes, 1)[0] === 0,
      validation: data && parseMetrics(bytes.slice(metricsBytes + finiteFlagBytes), layout),
    };
  }

  private finiteChecker(): FiniteCheck {
    this.finiteCheck ??= new FiniteCheck(this.scheduler, this.buffers);
    return this.finiteCheck;
  }

  /**
   * Records the forward pass of the current weights over all of `data` into the evaluation metrics and
   * confusion matrix (cleared first); uploads what it needs (the identity order, once) before.
   */
  private evaluationPass(data: GpuDataset): (recorder: CommandRecorder) => void {
    const { memory } = this.backend;
    if (!data.evaluationOrder) {
      data.evaluationOrder = memory.storage('evaluation order', this.orderHeaderBytes + data.count * 4);
      this.scheduler.upload(
        data.evaluationOrder,
        0,
        this.orderBytes(Uint32Array.from({ length: data.count }, (_, i) => i)),
      );
    }
    const workspace = this.inference(Math.min(data.count, inferenceChunkRows));
    const chunk = Math.min(data.count, workspace.capacity);
    this.setInferenceRows(chunk);
    const chunks = Math.ceil(data.count / chunk);
    const order = data.evaluationOrder;
    return (recorder) => {
      recorder.clear(this.buffers.evaluationMetrics);
      recorder.clear(this.buffers.confusion);
      // The evaluation cursor wraps back to 0 after the last chunk (loss.wgsl evaluate).
      for (let c = 0; c < chunks; c++) workspace.recordBatch(recorder, data, order);
    };
  }

  stats(): BackendStats {
    return this.scheduler.stats();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const dataset of [...this.datasets]) dataset.dispose();
    this.trainingWorkspace?.destroy();
    this.inferenceWorkspace?.destroy();
    this.perExample?.destroy();
    this.paramsCopies.destroy();
    this.finiteCheck?.destroy();
    this.buffers.destroy();
    this.onDispose();
  }

  private unpackParams(bytes: ArrayBuffer): LayerParams[] {
    let at = 0;
    const take = (length: number) => {
      const values = new Float32Array(bytes.slice(at, at + length * 4));
      at += length * 4;
      return values;
    };
    return this.buffers.layers.map((layer) => ({
      weights: take(layer.units * layer.inputs),
      biases: take(layer.units),
    }));
  }

  private checkAlive(): void {
    if (this.disposed) throw new MlpError('disposed', 'this network was disposed; create a new one');
    this.backend.health.check();
  }

  private checkDataset(dataset: BackendDataset): GpuDataset {
    if (!(dataset instanceof GpuDataset) || !this.datasets.has(dataset)) {
      if (dataset instanceof GpuDataset && dataset.disposed) {
        throw new MlpError('disposed', 'this data set was disposed; upload it again');
      }
      throw new MlpError('invalid-argument', 'data set: not uploaded by this WebGPU network');
    }
    return dataset;
  }
}

/** A layer's weights then biases: the layout of its parameter and slot buffers (network-buffers.ts). */
function packLayer(layer: LayerParams): Float32Array {
  const packed = new Float32Array(layer.weights.length + layer.biases.length);
  packed.set(layer.weights);
  packed.set(layer.biases, layer.weights.length);
  return packed;
}

function optimizerConstants(optimizer: OptimizerSpec): OptimizerConstants {
  return optimizer.kind === 'sgd'
    ? { optimizer: optimizerCodes.sgd, nesterov: optimizer.nesterov, decoupledDecay: false }
    : { optimizer: optimizerCodes.adam, nesterov: false, decoupledDecay: optimizer.kind === 'adamw' };
}

function parseMetrics(bytes: ArrayBuffer, layout: ReturnType<typeof metricsLayout>): Metrics {
  const view = new DataView(bytes);
  // Kahan: the compensation holds the low-order part that the float32 sum lost, negated.
  const lossSum = view.getFloat32(layout.lossSum, true) - view.getFloat32(layout.lossCompensation, true);
  return {
    lossSum,
    correct: view.getUint32(layout.correct, true),
    count: view.getUint32(layout.count, true),
    finite: view.getUint32(layout.nonFinite, true) === 0 && Number.isFinite(lossSum),
  };
}
