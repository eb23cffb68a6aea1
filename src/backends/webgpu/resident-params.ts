// What fit keeps on the GPU between epochs instead of reading the weights back (backend.ts ParamsCopy and
// endEpoch): copies of a network's parameters, taken and restored with copyBufferToBuffer, and the check
// (finite.wgsl) that every parameter is finite, whose flag is read back with the epoch's metrics.

import { MlpError } from '../../errors.js';
import type { LayerParams } from '../../model/spec.js';
import type { ParamsCopy } from '../backend.js';
import { finiteKernel } from './kernels.js';
import type { NetworkBuffers } from './network-buffers.js';
import { type BoundKernel, bindKernel, kernelPipeline } from './pipelines.js';
import { fixedWorkgroupSize } from './reflect.js';
import type { CommandRecorder, Scheduler } from './scheduler.js';

type Range = { buffer: GPUBuffer; byteLength: number };

/** The parameter copies of one network; destroy() frees those still alive when the network goes. */
export class ParamsCopies {
  private readonly live = new Set<GpuParamsCopy>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly buffers: NetworkBuffers,
    /** readParams' decoding of the layers' bytes */
    private readonly unpack: (bytes: ArrayBuffer) => LayerParams[],
    /** called when a copy becomes the parameters again (they changed) */
    private readonly restored: () => void,
  ) {}

  /** A copy of the current parameters, or of `packed` (each layer's weights then biases) when given. */
  create(packed?: Float32Array[]): ParamsCopy {
    const { memory } = this.scheduler;
    const params = this.buffers.parameterBuffers();
    const held = params.map(({ byteLength }, l) => ({
      buffer: memory.storage(`parameters copy ${l}`, byteLength),
      byteLength,
    }));
    const copy = new GpuParamsCopy(this.scheduler, params, held, this.unpack, this.restored, () =>
      this.live.delete(copy),
    );
    this.live.add(copy);
    if (packed) {
      packed.forEach((values, l) => {
        this.scheduler.upload(held[l].buffer, 0, values);
      });
    } else {
      copy.update();
    }
    return copy;
  }

  destroy(): void {
    for (const copy of [...this.live]) copy.dispose();
  }
}

class GpuParamsCopy implements ParamsCopy {
  private disposed = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly params: Range[],
    private readonly held: Range[],
    private readonly unpack: (bytes: ArrayBuffer) => LayerParams[],
    private readonly restored: () => void,
    private readonly onDispose: () => void,
  ) {}

  update(): void {
    this.copyAll(this.params, this.held);
  }

  restore(): void {
    this.copyAll(this.held, this.params);
    this.restored();
  }

  async read(): Promise<LayerParams[]> {
    this.checkAlive();
    return this.unpack(await this.scheduler.read(this.held));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { buffer } of this.held) this.scheduler.memory.destroy(buffer);
    this.onDispose();
  }

  private copyAll(from: Range[], to: Range[]): void {
    this.checkAlive();
    this.scheduler.submit((recorder) => {
      from.forEach(({ buffer, byteLength }, l) => {
        recorder.copy(buffer, 0, to[l].buffer, 0, byteLength);
      });
    });
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new MlpError('disposed', 'this copy of the parameters was disposed (or its network was)');
    }
  }
}

/**
 * At most this many workgroups check one layer: enough invocations to fill a large GPU; more would only
 * add workgroups that check one vector each (and the dispatch limit is 65,535).
 */
const maxCheckWorkgroups = 1024;
/** finite.wgsl checks 4 floats per invocation and step. */
const vectorBytes = 16;

/** Bytes of finite.wgsl's nonFinite flag (one u32). */
export const finiteFlagBytes = 4;

/** finite.wgsl bound to every layer's parameters: records the check, then `flag` holds 0 or 1. */
export class FiniteCheck {
  /** finite.wgsl nonFinite: 1 when a parameter is NaN or ±Infinity */
  readonly flag: GPUBuffer;
  private readonly dispatches: { bound: BoundKernel; workgroups: number }[];

  constructor(
    private readonly scheduler: Scheduler,
    buffers: NetworkBuffers,
  ) {
    const { device } = scheduler.memory;
    const kernel = kernelPipeline(device, finiteKernel, 'check');
    const workgroupSize = fixedWorkgroupSize(finiteKernel, 'check');
    this.flag = scheduler.memory.storage('parameters non-finite', finiteFlagBytes);
    this.dispatches = buffers.parameterBuffers().map(({ buffer, byteLength }) => ({
      bound: bindKernel(device, kernel, { values: buffer, nonFinite: this.flag }),
      workgroups: Math.min(maxCheckWorkgroups, Math.ceil(byteLength / vectorBytes / workgroupSize)),
    }));
  }

  record(recorder: CommandRecorder): void {
    recorder.clear(this.flag);
    for (const { bound, workgroups } of this.dispatches) recorder.dispatch(bound, workgroups);
  }

  destroy(): void {
    this.scheduler.memory.destroy(this.flag);
  }
}
