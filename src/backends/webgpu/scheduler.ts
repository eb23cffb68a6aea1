// The only code that talks to the GPU queue: it makes every command encoder, counts what crosses between
// CPU and GPU, and turns device loss and uncaptured GPU errors into rejected promises (MlpError), never a
// hang. GPU buffers are made through GpuMemory so live buffers and bytes can be counted.

import { MlpError } from '../../errors.js';
import { nodePlatform } from '../../platform.js';
import type { BackendStats } from '../backend.js';
import { type BoundKernel, type Kernel, passRecording, recordDispatch } from './pipelines.js';
import { mapForReading } from './readback-wait.js';

/** Creates and destroys the buffers and textures of one backend and counts the live ones. */
export class GpuMemory {
  private readonly live = new Map<GPUBuffer, number>();
  private readonly liveTextures = new Map<GPUTexture, number>();
  private liveBytes = 0;

  constructor(readonly device: GPUDevice) {}

  create(label: string, byteLength: number, usage: GPUBufferUsageFlags): GPUBuffer {
    // Whole 16-byte vectors, so kernels may read any buffer as an array of vec4 (matmul.wgsl); this also
    // keeps empty arrays from being zero-length bindings, which are invalid.
    const size = Math.max(16, Math.ceil(byteLength / 16) * 16);
    return this.track(this.live, this.device.createBuffer({ label, size, usage }), size);
  }

  storage(label: string, byteLength: number): GPUBuffer {
    return this.create(
      label,
      byteLength,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    );
  }

  uniform(label: string, bytes: ArrayBuffer): GPUBuffer {
    const buffer = this.create(label, bytes.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buffer, 0, bytes);
    return buffer;
  }

  /** An rgba32float texture that kernels or copies write and kernels read (textureLoad): pipelines.ts TexelMirror. */
  texture(label: string, [width, height]: [number, number]): GPUTexture {
    const texture = this.device.createTexture({
      label,
      size: [width, height],
      format: 'rgba32float',
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.COPY_DST,
    });
    return this.track(this.liveTextures, texture, width * height * 16);
  }

  destroyTexture(texture: GPUTexture): void {
    this.release(this.liveTextures, texture);
  }

  destroy(buffer: GPUBuffer): void {
    this.release(this.live, buffer);
  }

  // Buffers and textures are kept apart (liveBuffers counts buffers only) and counted alike.
  private track<Resource>(live: Map<Resource, number>, resource: Resource, bytes: number): Resource {
    live.set(resource, bytes);
    this.liveBytes += bytes;
    return resource;
  }

  private release<Resource extends { destroy(): void }>(
    live: Map<Resource, number>,
    resource: Resource,
  ): void {
    const bytes = live.get(resource);
    if (bytes === undefined) return;
    live.delete(resource);
    this.liveBytes -= bytes;
    resource.destroy();
  }

  counts(): Pick<BackendStats, 'liveBuffers' | 'liveBytes'> {
    return { liveBuffers: this.live.size, liveBytes: this.liveBytes };
  }
}

/** Watches a device: once lost, or after an uncaptured error, every GPU call fails with that reason. */
export class DeviceHealth {
  private failure: MlpError | undefined;
  /**
   * Rejecters of the guard() calls now waiting. A set, not reactions on one never-settling promise: each
   * such reaction would stay reachable until the device failed, a leak of a few promises per readback.
   */
  private readonly waiting = new Set<(error: MlpError) => void>();
  private readonly onError = (event: Event) => {
    const { error } = event as GPUUncapturedErrorEvent;
    this.fail(new MlpError('gpu-error', `WebGPU error: ${error.message}`));
  };

  constructor(private readonly device: GPUDevice) {
    device.lost.then((info) =>
      this.fail(
        new MlpError(
          'device-lost',
          `the GPU device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}); create a new engine, or resume from a checkpoint`,
        ),
      ),
    );
    device.addEventListener('uncapturederror', this.onError);
  }

  private fail(error: MlpError): void {
    this.failure ??= error;
    for (const reject of this.waiting) reject(this.failure);
    this.waiting.clear();
  }

  /** Throws the failure, if there was one. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** `work`, or a rejection with the device's failure if that comes first; other errors become MlpError. */
  async guard<T>(work: Promise<T>): Promise<T> {
    this.check();
    let reject: (error: MlpError) => void = () => {};
    const failed = new Promise<never>((_, rejectFailed) => {
      reject = rejectFailed;
    });
    this.waiting.add(reject);
    try {
      return await Promise.race([work, failed]);
    } catch (error) {
      if (this.failure) throw this.failure;
      if (error instanceof MlpError) throw error;
      throw new MlpError('gpu-error', `WebGPU operation failed: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      this.waiting.delete(reject);
    }
  }

  dispose(): void {
    this.device.removeEventListener('uncapturederror', this.onError);
  }
}

/** Records GPU work into one command buffer: dispatches inside compute passes, copies and clears between. */
export interface CommandRecorder {
  dispatch(bound: BoundKernel, x: number, y?: number, dynamicOffsets?: number[]): void;
  copy(
    source: GPUBuffer,
    sourceOffset: number,
    target: GPUBuffer,
    targetOffset: number,
    byteLength: number,
  ): void;
  clear(buffer: GPUBuffer, offset?: number, byteLength?: number): void;
}

/** A recorder that records nothing: it collects the kernels that `record` would dispatch. */
export function kernelsRecorded(record: (recorder: CommandRecorder) => void): Set<Kernel> {
  const kernels = new Set<Kernel>();
  record({
    dispatch({ kernel, mirrors }) {
      kernels.add(kernel);
      for (const { fill } of mirrors ?? []) if (fill && 'bound' in fill) kernels.add(fill.bound.kernel);
    },
    copy: () => {},
    clear: () => {},
  });
  return kernels;
}

/** Data on a SharedArrayBuffer reaches the GPU through a staging array of at most this many bytes. */
const sharedStagingBytes = 4 << 20;

export class Scheduler {
  private readonly counters = { uploads: 0, uploadBytes: 0, readbacks: 0, submits: 0, dispatches: 0 };

  constructor(
    readonly memory: GpuMemory,
    readonly health: DeviceHealth,
  ) {}

  private get device(): GPUDevice {
    return this.memory.device;
  }

  upload(buffer: GPUBuffer, offset: number, data: ArrayBufferView | ArrayBuffer): void {
    this.health.check();
    const view = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    if (typeof SharedArrayBuffer !== 'undefined' && view.buffer instanceof SharedArrayBuffer) {
      // writeBuffer takes no SharedArrayBuffer (Dawn's overloads refuse it): its bytes go through one
      // ordinary staging chunk at a time, never a copy of the whole array.
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      const staging = new Uint8Array(Math.min(sharedStagingBytes, bytes.length));
      for (let start = 0; start < bytes.length; start += staging.length) {
        const part = bytes.subarray(start, start + staging.length);
        staging.set(part);
        this.device.queue.writeBuffer(buffer, offset + start, staging.buffer, 0, part.length);
      }
    } else {
      this.device.queue.writeBuffer(buffer, offset, view.buffer, view.byteOffset, view.byteLength);
    }
    this.counters.uploads++;
    this.counters.uploadBytes += view.byteLength;
  }

  /** Records and submits one command buffer. Consecutive dispatches share one compute pass. */
  submit(record: (recorder: CommandRecorder) => void): void {
    this.health.check();
    const encoder = this.device.createCommandEncoder();
    const recording = passRecording(encoder);
    const counters = this.counters;
    const device = this.device;
    record({
      dispatch(bound, x, y = 1, dynamicOffsets) {
        counters.dispatches += recordDispatch(device, recording, bound, [x, y], dynamicOffsets);
      },
      copy(source, sourceOffset, target, targetOffset, byteLength) {
        recording.endPass();
        encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, byteLength);
      },
      clear(buffer, offset, byteLength) {
        recording.endPass();
        encoder.clearBuffer(buffer, offset, byteLength);
      },
    });
    recording.endPass();
    this.device.queue.submit([encoder.finish()]);
    this.counters.submits++;
  }

  /**
   * Copies byte ranges of GPU buffers into one staging buffer, submits, and resolves to the bytes: one
   * readback, however many ranges. `before` and `after` record more work into the same command buffer,
   * before and after the copies.
   */
  async read(
    ranges: { buffer: GPUBuffer; offset?: number; byteLength: number }[],
    {
      before,
      after,
    }: { before?: (recorder: CommandRecorder) => void; after?: (recorder: CommandRecorder) => void } = {},
  ): Promise<ArrayBuffer> {
    const total = ranges.reduce((sum, r) => sum + Math.ceil(r.byteLength / 4) * 4, 0);
    const staging = this.memory.create('readback', total, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    try {
      this.submit((recorder) => {
        before?.(recorder);
        let at = 0;
        for (const { buffer, offset = 0, byteLength } of ranges) {
          recorder.copy(buffer, offset, staging, at, Math.ceil(byteLength / 4) * 4);
          at += Math.ceil(byteLength / 4) * 4;
        }
        after?.(recorder);
      });
      this.counters.readbacks++;
      await this.health.guard(mapForReading(staging, nodePlatform()?.pendingPromisesSpin ?? false));
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      return bytes;
    } finally {
      this.memory.destroy(staging);
    }
  }

  stats(): BackendStats {
    return { ...this.counters, ...this.memory.counts() };
  }
}
