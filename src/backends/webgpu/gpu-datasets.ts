// The data sets of one network on the GPU: ours (upload; destroyed with the data set) or the caller's
// buffers bound in place (adopt; never destroyed by us). Each has its order (step.wgsl Order: the epoch's
// permutation with the device-side cursor) and, once evaluated, an identity order of its own, so an
// evaluation between training chunks leaves the training cursor where it was.

import { MlpError } from '../../errors.js';
import type { GpuData } from '../../model/gpu-data.js';
import type { NetworkSpec } from '../../model/spec.js';
import type { BackendDataset } from '../backend.js';
import { checkExampleLengths, checkLength } from '../shape-checks.js';
import { lossKernel } from './kernels.js';
import { checkBindingSize, type GpuDatasetBuffers } from './network-buffers.js';
import { storageMemberOffset } from './reflect.js';
import type { GpuMemory, Scheduler } from './scheduler.js';

export class GpuDataset implements BackendDataset, GpuDatasetBuffers {
  evaluationOrder: GPUBuffer | undefined;
  /** where the device-side cursor of `order` stands after the work queued so far */
  cursor = 0;
  disposed = false;

  constructor(
    private readonly owner: GpuDatasets,
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
    this.owner.release(this);
  }
}

export class GpuDatasets {
  private readonly datasets = new Set<GpuDataset>();
  private readonly orderHeaderBytes = storageMemberOffset(lossKernel, 'Order', 'examples');
  private readonly inputSize: number;
  private readonly outputSize: number;

  constructor(
    private readonly memory: GpuMemory,
    private readonly scheduler: Scheduler,
    private readonly spec: NetworkSpec,
    /** tells the kernels bound to a data set's buffers to let go of them */
    private readonly onRelease: (dataset: GpuDataset) => void,
  ) {
    this.inputSize = spec.inputSize;
    this.outputSize = spec.layers[spec.layers.length - 1].units;
  }

  upload(inputs: Float32Array, targets: Float32Array, count: number): GpuDataset {
    checkExampleLengths(this.spec, inputs, targets, count);
    const dataset = this.placeholder(count);
    this.scheduler.upload(dataset.inputs, 0, inputs);
    this.scheduler.upload(dataset.targets, 0, targets);
    this.scheduler.upload(dataset.order, 0, this.identityOrder(count));
    return dataset;
  }

  /**
   * `count` examples of zeros (a buffer starts zeroed) and an order of zeros, uploading nothing: what
   * prepare needs, the shapes.
   */
  placeholder(count: number): GpuDataset {
    const { inputSize, outputSize } = this;
    const { device } = this.memory;
    checkBindingSize(device, `a data set of ${count} examples × ${inputSize} inputs`, count * inputSize * 4);
    checkBindingSize(device, `a data set's ${count} × ${outputSize} targets`, count * outputSize * 4);
    const dataset = new GpuDataset(
      this,
      this.memory.storage('data set inputs', count * inputSize * 4),
      this.memory.storage('data set targets', count * outputSize * 4),
      this.memory.storage('data set order', this.orderHeaderBytes + count * 4),
      count,
      inputSize,
      outputSize,
      true,
    );
    this.datasets.add(dataset);
    return dataset;
  }

  /** The caller's buffers, already checked to be on this device (gpu-data.ts checkDevice). */
  adopt({ inputs, targets, count }: Required<GpuData>): GpuDataset {
    const order = this.memory.storage('data set order', this.orderHeaderBytes + count * 4);
    const { inputSize, outputSize } = this;
    return this.add(new GpuDataset(this, inputs, targets, order, count, inputSize, outputSize, false));
  }

  setOrder(dataset: GpuDataset, order: Uint32Array): void {
    checkLength('order', order.length, dataset.count, 'the data set’s count');
    this.scheduler.upload(dataset.order, 0, this.orderBytes(order));
    dataset.cursor = 0;
  }

  /** The identity order evaluations read `dataset` through, uploaded on first use. */
  evaluationOrder(dataset: GpuDataset): GPUBuffer {
    if (!dataset.evaluationOrder) {
      dataset.evaluationOrder = this.memory.storage(
        'evaluation order',
        this.orderHeaderBytes + dataset.count * 4,
      );
      this.scheduler.upload(dataset.evaluationOrder, 0, this.identityOrder(dataset.count));
    }
    return dataset.evaluationOrder;
  }

  /** `dataset` as one of ours, or an MlpError saying why it is not usable. */
  check(dataset: BackendDataset): GpuDataset {
    if (!(dataset instanceof GpuDataset) || !this.datasets.has(dataset)) {
      if (dataset instanceof GpuDataset && dataset.disposed) {
        throw new MlpError('disposed', 'this data set was disposed; upload it again');
      }
      throw new MlpError('invalid-argument', 'data set: not uploaded by this WebGPU network');
    }
    return dataset;
  }

  release(dataset: GpuDataset): void {
    if (!this.datasets.delete(dataset)) return;
    this.onRelease(dataset);
    if (dataset.ownsData) {
      this.memory.destroy(dataset.inputs);
      this.memory.destroy(dataset.targets);
    }
    this.memory.destroy(dataset.order);
    if (dataset.evaluationOrder) this.memory.destroy(dataset.evaluationOrder);
  }

  disposeAll(): void {
    for (const dataset of [...this.datasets]) dataset.dispose();
  }

  /** Registers a data set with the identity order. */
  private add(dataset: GpuDataset): GpuDataset {
    this.scheduler.upload(dataset.order, 0, this.identityOrder(dataset.count));
    this.datasets.add(dataset);
    return dataset;
  }

  private identityOrder(count: number): Uint32Array {
    return this.orderBytes(Uint32Array.from({ length: count }, (_, i) => i));
  }

  /** step.wgsl Order: cursor 0, count, then the examples, as one upload. */
  private orderBytes(order: Uint32Array): Uint32Array {
    const words = new Uint32Array(this.orderHeaderBytes / 4 + order.length);
    words[1] = order.length;
    words.set(order, this.orderHeaderBytes / 4);
    return words;
  }
}
