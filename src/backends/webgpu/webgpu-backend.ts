// The WebGPU backend: the Backend contract on a GPUDevice, checked against the CPU backend by the shared
// conformance suite. Weights, optimizer state and data sets stay on the GPU; a train() call records all
// of its steps into command buffers with no upload (unless its options changed) and no readback. The
// device-side counters (step.wgsl) tell each step which batch and which step number it is.

import { MlpError } from '../../errors.js';
import type { GpuData, ParameterBuffers } from '../../model/gpu-data.js';
import { slotCount } from '../../model/optimizer.js';
import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import type { ChoiceStore } from '../../platform.js';
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
import { checkLayerParams } from '../shape-checks.js';
import { acquireDevice, noAdapterHelp } from './device.js';
import { checkDevice } from './gpu-data.js';
import { GpuDatasets } from './gpu-datasets.js';
import { Inference } from './inference.js';
import { finiteKernel, optimizerCodes } from './kernels.js';
import { chooseMatmulFeed } from './matmul-feed.js';
import { defaultChoiceStore } from './measured-choice.js';
import { miniBatchKernelFor, miniBatchLayout } from './mini-batch.js';
import {
  checkBindingSize,
  encodeStepOptions,
  metricsLayout,
  NetworkBuffers,
  type OptimizerConstants,
  parseMetrics,
} from './network-buffers.js';
import {
  type FusedKernel,
  FusedTrainer,
  perExampleDevice,
  perExampleKernelFor,
  perExampleLayout,
} from './per-example.js';
import { choosePerExampleWorkgroupSize, perExampleWorkgroupSizeOf } from './per-example-workgroup.js';
import { compiledKernels, kernelPipeline } from './pipelines.js';
import { FiniteCheck, finiteFlagBytes, ParamsCopies } from './resident-params.js';
import { DeviceHealth, GpuMemory, kernelsRecorded, Scheduler } from './scheduler.js';
import { Workspace } from './workspace.js';

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
    // Every fit checks the parameters at each epoch's end with this one kernel, whatever the network. Its
    // compile starts now, not beside a network's step kernel at the first fit: the device compiles one
    // pipeline after another, so there it finished behind the step kernel and made the first epoch wait
    // ~10 ms more on SwiftShader.
    kernelPipeline(device, finiteKernel, 'check');
  }

  /**
   * On the caller's device (never destroyed by us), or on a device of its own from acquireDevice().
   * Without an adapter: MlpError('no-adapter') saying what to install. A caller's device is taken to
   * zero-initialise workgroup memory unless `givenDeviceZeroes` says otherwise (per-example.ts). Its kernel
   * choices are measured before it is returned (chooseKernels).
   */
  static async create(
    device?: GPUDevice,
    givenDeviceZeroes = true,
    store: ChoiceStore | undefined = defaultChoiceStore(),
  ): Promise<WebGpuBackend> {
    const backend = device
      ? new WebGpuBackend(device, describeDevice(device), false, givenDeviceZeroes)
      : await WebGpuBackend.acquire();
    await backend.chooseKernels(store);
    return backend;
  }

  /**
   * On a device of its own, its kernel choices not measured yet: for a caller that looks at the adapter
   * first (createEngine's 'auto', which passes over SwiftShader), then calls chooseKernels.
   */
  static async acquire(): Promise<WebGpuBackend> {
    const acquired = await acquireDevice();
    if (!acquired) throw new MlpError('no-adapter', noAdapterHelp);
    const { adapterDescription, owned, workgroupMemoryZeroed } = acquired;
    return new WebGpuBackend(acquired.device, adapterDescription, owned, workgroupMemoryZeroed);
  }

  /**
   * Measures the adapter's kernel choices, once per adapter, keeping them in `store`: which matmul feed
   * runs faster (matmul-feed.ts), and the per-example kernel's workgroup size (per-example-workgroup.ts). A
   * measurement that fails (a lost device) disposes the backend.
   */
  async chooseKernels(store: ChoiceStore | undefined = defaultChoiceStore()): Promise<void> {
    try {
      await chooseMatmulFeed(this.device, this.workgroupMemoryZeroed, store);
      await choosePerExampleWorkgroupSize(this.device, this, this.workgroupMemoryZeroed, store);
    } catch (error) {
      this.dispose();
      throw error;
    }
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

class WebGpuNetwork implements BackendNetwork, GpuDataNetwork {
  readonly gpu: GpuDataNetwork = this;
  private readonly scheduler: Scheduler;
  private readonly buffers: NetworkBuffers;
  private readonly device: GPUDevice;
  private optimizer: OptimizerSpec = { kind: 'sgd', momentum: 0, nesterov: false };
  private trainingWorkspace: Workspace | undefined;
  private readonly inference: Inference;
  private readonly datasets: GpuDatasets;
  /** the fused kernel (per-example or mini-batch) last used, for the current optimizer */
  private fused: FusedTrainer | undefined;
  private readonly paramsCopies: ParamsCopies;
  /** endEpoch's finiteness check of the parameters, made on first use */
  private finiteCheck: FiniteCheck | undefined;
  /** the bytes last written to the options buffers, so unchanged options are not uploaded again */
  private trainingOptionBytes: Uint8Array | undefined;
  private disposed = false;
  /** parameterBuffers().version: raised by every write or training step of the parameters */
  private parameterVersion = 0;

  constructor(
    private readonly backend: WebGpuBackend,
    private readonly spec: NetworkSpec,
    params: LayerParams[],
    private readonly onDispose: () => void,
  ) {
    this.device = backend.device;
    this.scheduler = new Scheduler(backend.memory, backend.health);
    this.buffers = new NetworkBuffers(backend.memory, spec);
    this.datasets = new GpuDatasets(backend.memory, this.scheduler, spec, (dataset) => {
      this.trainingWorkspace?.forgetDataset(dataset);
      this.inference.forgetDataset(dataset);
      this.fused?.forgetDataset(dataset);
    });
    const unpack = (bytes: ArrayBuffer) => this.unpackParams(bytes);
    this.inference = new Inference(backend.memory, this.scheduler, this.buffers, spec, this.datasets, unpack);
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
    return this.inference.predict(inputs, count);
  }

  async predictFromBuffer(inputs: GPUBuffer, count: number): Promise<Float32Array> {
    this.checkAlive();
    return this.inference.predictFromBuffer(inputs, count);
  }

  predictBuffer(inputs: GPUBuffer, count: number, output?: GPUBuffer): GPUBuffer {
    this.checkAlive();
    return this.inference.predictBuffer(inputs, count, output);
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
    return this.inference.gradients(inputs, targets, count);
  }

  upload(inputs: Float32Array, targets: Float32Array, count: number): BackendDataset {
    this.checkAlive();
    return this.datasets.upload(inputs, targets, count);
  }

  placeholder(count: number): BackendDataset {
    this.checkAlive();
    return this.datasets.placeholder(count);
  }

  async adopt(data: Required<GpuData>): Promise<BackendDataset> {
    this.checkAlive();
    checkBindingSize(this.device, 'data.inputs (a GPUBuffer bound whole)', data.inputs.size);
    checkBindingSize(this.device, 'data.targets (a GPUBuffer bound whole)', data.targets.size);
    await checkDevice(this.device, [
      { what: 'data.inputs', buffer: data.inputs },
      { what: 'data.targets', buffer: data.targets },
    ]);
    this.checkAlive();
    return this.datasets.adopt(data);
  }

  setOptimizer(spec: OptimizerSpec): void {
    this.checkAlive();
    this.optimizer = { ...spec };
    this.fused?.destroy();
    this.fused = undefined;
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
   * pipelines start compiling, and awaits them. The trainer it records with is built for it and thrown away
   * (train() builds its own), and endEpoch's check of the parameters is only compiled, so that it changes no
   * state: Network's background compilation runs it whenever its task comes.
   */
  async prepare(
    training: BackendDataset,
    step: { batchSize: number; optimizer: OptimizerSpec; dropout: boolean },
    evaluated?: BackendDataset,
  ): Promise<void> {
    this.checkAlive();
    const data = this.datasets.check(training);
    const evaluationPass = evaluated && this.inference.evaluationPass(this.datasets.check(evaluated));
    const { optimizer } = step;
    // As train() takes it: a batch of the whole data set or more is the whole data set.
    const batchSize = Math.min(step.batchSize, data.count);
    const { memory } = this.backend;
    const kernels = kernelsRecorded((recorder) => {
      const fused = this.fusedKernel(batchSize, optimizer, step.dropout);
      if (fused) {
        const trainer = new FusedTrainer(memory, this.buffers, optimizer, fused);
        trainer.record(recorder, data, 1);
        trainer.destroy();
      } else {
        const workspace = new Workspace(memory, this.buffers, batchSize, optimizerConstants(optimizer));
        workspace.recordStep(recorder, data);
        workspace.destroy();
      }
      // endEpoch's evaluation of the validation set
      evaluationPass?.(recorder);
    });
    // endEpoch's check of the parameters
    kernels.add(kernelPipeline(this.device, finiteKernel, 'check'));
    await this.backend.health.guard(compiledKernels(kernels));
  }

  setOrder(dataset: BackendDataset, order: Uint32Array): void {
    this.checkAlive();
    this.datasets.setOrder(this.datasets.check(dataset), order);
  }

  train(dataset: BackendDataset, firstBatch: number, batchCount: number, options: StepOptions): void {
    this.checkAlive();
    const data = this.datasets.check(dataset);
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
    const dropout = options.dropout.some((rate) => rate > 0);
    const fused = this.fusedKernel(batchSize, this.optimizer, dropout);
    if (fused) {
      const trainer = this.fusedTrainer(fused);
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

  /** The trainer of a fused kernel for the network's optimizer, kept until another kernel is needed. */
  private fusedTrainer(kernel: FusedKernel): FusedTrainer {
    if (!this.fused?.runs(kernel)) {
      this.fused?.destroy();
      this.fused = undefined;
      this.fused = new FusedTrainer(this.backend.memory, this.buffers, this.optimizer, kernel);
    }
    return this.fused;
  }

  /**
   * The fused kernel that trains this network at `batchSize` (already capped at the data set's count) with
   * `optimizer`, if one does: per-example.wgsl at batch size 1, mini-batch.wgsl for small networks on CPU
   * adapters; else the batched kernels do. `dropout`: whether a hidden layer drops units (without, the
   * kernel is compiled without the dropout code).
   */
  private fusedKernel(
    batchSize: number,
    optimizer: OptimizerSpec,
    dropout: boolean,
  ): FusedKernel | undefined {
    const { adapterInfo, limits } = this.device;
    if (batchSize === 1) {
      const device = perExampleDevice(
        adapterInfo,
        this.backend.workgroupMemoryZeroed,
        perExampleWorkgroupSizeOf(this.device),
      );
      const layout = perExampleLayout(limits, this.spec, optimizer, device);
      return layout && perExampleKernelFor(this.spec, optimizer, dropout, layout);
    }
    const zeroed = this.backend.workgroupMemoryZeroed;
    const layout = miniBatchLayout(adapterInfo, limits, this.spec, batchSize, zeroed);
    return layout && miniBatchKernelFor(this.spec, optimizer, dropout, layout);
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
    return this.inference.evaluate(this.datasets.check(dataset));
  }

  async endEpoch(validation: BackendDataset | undefined): Promise<EpochEnd> {
    this.checkAlive();
    const data = validation && this.datasets.check(validation);
    const evaluationPass = data && this.inference.evaluationPass(data);
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

  stats(): BackendStats {
    return this.scheduler.stats();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.datasets.disposeAll();
    this.trainingWorkspace?.destroy();
    this.inference.destroy();
    this.fused?.destroy();
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
