// The caller's GPUBuffers on our device: WebGPU offers no way to ask a buffer for its device, and misuse
// is reported only asynchronously, through error scopes. So a buffer is tried once in a validation scope
// (bound, or copied zero bytes from or to), and remembered when it passed.

import { MlpError } from '../../errors.js';
import { bufferUsage } from '../../model/gpu-data.js';

/** A buffer the caller gave, named for messages. */
export interface NamedBuffer {
  what: string;
  buffer: GPUBuffer;
}

/** Buffers of the caller's that passed the device check, per device. */
const checkedBuffers = new WeakMap<GPUDevice, WeakSet<GPUBuffer>>();

function checkedOn(device: GPUDevice): WeakSet<GPUBuffer> {
  let checked = checkedBuffers.get(device);
  if (!checked) {
    checked = new WeakSet();
    checkedBuffers.set(device, checked);
  }
  return checked;
}

/** Uses `buffer` in the cheapest valid way its usage allows; on another device this is a validation error. */
function probe(device: GPUDevice, buffer: GPUBuffer): void {
  if (buffer.usage & bufferUsage.STORAGE) {
    const layout = device.createBindGroupLayout({
      entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } }],
    });
    device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer } }] });
    return;
  }
  const copiesFrom = (buffer.usage & bufferUsage.COPY_SRC) !== 0;
  const scratch = device.createBuffer({
    label: 'device check',
    size: 16,
    usage: copiesFrom ? GPUBufferUsage.COPY_DST : GPUBufferUsage.COPY_SRC,
  });
  const encoder = device.createCommandEncoder();
  if (copiesFrom) encoder.copyBufferToBuffer(buffer, 0, scratch, 0, 0);
  else encoder.copyBufferToBuffer(scratch, 0, buffer, 0, 0);
  encoder.finish();
  scratch.destroy();
}

function wrongDevice(what: string, error: GPUError): MlpError {
  return new MlpError(
    'wrong-device',
    `${what}: the GPUBuffer belongs to another GPUDevice than this engine's (create it on engine's device, the one passed to createEngine({ device })): ${error.message}`,
  );
}

/**
 * Starts the device check of the buffers not checked before: resolves to MlpError('wrong-device') for the
 * first that fails, else undefined. Needs STORAGE, COPY_SRC or COPY_DST on each (checked before).
 */
function startDeviceCheck(device: GPUDevice, buffers: NamedBuffer[]): Promise<MlpError | undefined> {
  const checked = checkedOn(device);
  const fresh = buffers.filter(({ buffer }) => !checked.has(buffer));
  const results = fresh.map(({ what, buffer }) => {
    device.pushErrorScope('validation');
    probe(device, buffer);
    return device.popErrorScope().then((error) => {
      if (error) return wrongDevice(what, error);
      checked.add(buffer);
      return undefined;
    });
  });
  return Promise.all(results).then((failures) => failures.find((failure) => failure !== undefined));
}

/** Rejects with MlpError('wrong-device') when a buffer belongs to another device. */
export async function checkDevice(device: GPUDevice, buffers: NamedBuffer[]): Promise<void> {
  const failure = await startDeviceCheck(device, buffers);
  if (failure) throw failure;
}

/**
 * Runs `submit` (work on buffers that may be another device's) without waiting: it goes to the queue now,
 * in order with the caller's work. Its validation errors are caught in a scope rather than failing the
 * device, and the first one comes back, as MlpError, from the next `check()`.
 */
export class DeferredCheck {
  private failure: MlpError | undefined;

  /** Throws (once) what an earlier submission found. */
  check(): void {
    const failure = this.failure;
    if (!failure) return;
    this.failure = undefined;
    throw failure;
  }

  submit(device: GPUDevice, buffers: NamedBuffer[], submit: () => void): void {
    const deviceCheck = startDeviceCheck(device, buffers);
    device.pushErrorScope('validation');
    submit();
    const submitted = device.popErrorScope();
    void Promise.all([deviceCheck, submitted]).then(([wrong, error]) => {
      this.failure ??=
        wrong ??
        (error ? new MlpError('gpu-error', `predictBuffer: WebGPU error: ${error.message}`) : undefined);
    });
  }
}
