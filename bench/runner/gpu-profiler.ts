// GPU time per kernel family, for any WebGPU code in this process (ours or TF.js), where the adapter has
// timestamp-query. While profiling, each compute pass is recorded instead of encoded, and on end() every
// dispatch is replayed in a pass of its own whose begin and end timestamps are written to a query set; the
// times are read back after submit and summed by kernel family (the pipeline's label, else the shader
// module's label and the entry point). Splitting passes adds barriers, so the sums show where GPU time
// goes, not the timed runs' wall time. Dev-only: the published package never patches WebGPU.

type Method = (...args: unknown[]) => unknown;

export interface KernelTime {
  dispatches: number;
  milliseconds: number;
}

interface RecordedDispatch {
  pipeline: GPUComputePipeline;
  bindGroups: [number, GPUBindGroup | null, number[] | undefined][];
  workgroups?: [number, number?, number?];
  indirect?: [GPUBuffer, number];
}

interface PendingRead {
  buffers: GPUBuffer[];
  querySet: GPUQuerySet;
  families: string[];
}

const maxQueriesPerSet = 4096;
const pipelineFamilies = new WeakMap<object, string>();
const moduleLabels = new WeakMap<object, string>();
const encoderDevices = new WeakMap<object, GPUDevice>();
const encoderReads = new WeakMap<object, PendingRead[]>();
const commandBufferReads = new WeakMap<object, PendingRead[]>();
const reads: Promise<void>[] = [];
let totals = new Map<string, KernelTime>();
let active = false;
let installed = false;

function prototypeOf(className: string): Record<string, Method> {
  const webgpuClass = (globalThis as Record<string, unknown>)[className] as { prototype: object } | undefined;
  if (!webgpuClass) throw new Error(`Cannot profile WebGPU: ${className} is not defined here.`);
  return webgpuClass.prototype as Record<string, Method>;
}

function wrap(className: string, methodName: string, wrapper: (original: Method) => Method): void {
  const prototype = prototypeOf(className);
  const original = prototype[methodName];
  if (typeof original !== 'function') {
    throw new Error(`Cannot profile WebGPU: ${className}.prototype.${methodName} is not a function here.`);
  }
  prototype[methodName] = wrapper(original);
}

function familyOf(descriptor: GPUComputePipelineDescriptor): string {
  // Our labels are `file entryPoint:{override constants}`: variants of one entry point are one family.
  if (descriptor.label) return descriptor.label.replace(/:\{.*\}$/, '');
  const module = moduleLabels.get(descriptor.compute.module) ?? 'unlabelled module';
  return `${module}:${descriptor.compute.entryPoint ?? 'main'}`;
}

function install(): void {
  wrap(
    'GPUDevice',
    'createShaderModule',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const module = original.apply(this, args) as object;
        const label = (args[0] as GPUShaderModuleDescriptor).label;
        if (label) moduleLabels.set(module, label);
        return module;
      },
  );
  wrap(
    'GPUDevice',
    'createComputePipeline',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const pipeline = original.apply(this, args) as object;
        pipelineFamilies.set(pipeline, familyOf(args[0] as GPUComputePipelineDescriptor));
        return pipeline;
      },
  );
  wrap(
    'GPUDevice',
    'createComputePipelineAsync',
    (original) =>
      async function (this: unknown, ...args: unknown[]) {
        const pipeline = (await original.apply(this, args)) as object;
        pipelineFamilies.set(pipeline, familyOf(args[0] as GPUComputePipelineDescriptor));
        return pipeline;
      },
  );
  wrap(
    'GPUDevice',
    'createCommandEncoder',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const encoder = original.apply(this, args) as object;
        encoderDevices.set(encoder, this as GPUDevice);
        return encoder;
      },
  );
  wrap(
    'GPUCommandEncoder',
    'beginComputePass',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        if (!active) return original.apply(this, args);
        return recordingPass(this as GPUCommandEncoder, original);
      },
  );
  wrap(
    'GPUCommandEncoder',
    'finish',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const commandBuffer = original.apply(this, args) as object;
        const pending = encoderReads.get(this as object);
        if (pending) commandBufferReads.set(commandBuffer, pending);
        return commandBuffer;
      },
  );
  wrap(
    'GPUQueue',
    'submit',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const result = original.apply(this, args);
        for (const commandBuffer of args[0] as Iterable<object>) {
          for (const pending of commandBufferReads.get(commandBuffer) ?? []) reads.push(readTimes(pending));
        }
        return result;
      },
  );
}

/** A stand-in for GPUComputePassEncoder that records, then replays each dispatch in its own timed pass. */
function recordingPass(encoder: GPUCommandEncoder, beginPass: Method): object {
  const device = encoderDevices.get(encoder);
  if (!device) throw new Error('Profiling: a command encoder was created before the profiler was installed.');
  const dispatches: RecordedDispatch[] = [];
  let pipeline: GPUComputePipeline | undefined;
  const bindGroups = new Map<number, [GPUBindGroup | null, number[] | undefined]>();
  const record = (extra: Pick<RecordedDispatch, 'workgroups' | 'indirect'>) => {
    if (!pipeline) throw new Error('Profiling: dispatch before setPipeline.');
    const groups = [...bindGroups].map(([index, [group, offsets]]) => [index, group, offsets]);
    dispatches.push({ pipeline, bindGroups: groups as RecordedDispatch['bindGroups'], ...extra });
  };
  return {
    label: '',
    setPipeline(value: GPUComputePipeline) {
      pipeline = value;
    },
    setBindGroup(index: number, group: GPUBindGroup | null, offsets?: Iterable<number>) {
      bindGroups.set(index, [group, offsets ? [...offsets] : undefined]);
    },
    dispatchWorkgroups(x: number, y?: number, z?: number) {
      record({ workgroups: [x, y, z] });
    },
    dispatchWorkgroupsIndirect(buffer: GPUBuffer, offset: number) {
      record({ indirect: [buffer, offset] });
    },
    pushDebugGroup() {},
    popDebugGroup() {},
    insertDebugMarker() {},
    end() {
      for (let first = 0; first < dispatches.length; first += maxQueriesPerSet / 2) {
        const chunk = dispatches.slice(first, first + maxQueriesPerSet / 2);
        const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * chunk.length });
        chunk.forEach((dispatch, index) => {
          const pass = beginPass.call(encoder, {
            timestampWrites: {
              querySet,
              beginningOfPassWriteIndex: 2 * index,
              endOfPassWriteIndex: 2 * index + 1,
            },
          }) as GPUComputePassEncoder;
          pass.setPipeline(dispatch.pipeline);
          for (const [index, group, offsets] of dispatch.bindGroups) pass.setBindGroup(index, group, offsets);
          if (dispatch.workgroups) pass.dispatchWorkgroups(...dispatch.workgroups);
          else if (dispatch.indirect) pass.dispatchWorkgroupsIndirect(...dispatch.indirect);
          pass.end();
        });
        const byteLength = 2 * chunk.length * 8;
        const resolved = device.createBuffer({
          size: byteLength,
          usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
        });
        const readable = device.createBuffer({
          size: byteLength,
          usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        });
        encoder.resolveQuerySet(querySet, 0, 2 * chunk.length, resolved, 0);
        encoder.copyBufferToBuffer(resolved, 0, readable, 0, byteLength);
        const pending = encoderReads.get(encoder) ?? [];
        pending.push({
          buffers: [readable, resolved],
          querySet,
          families: chunk.map((dispatch) => pipelineFamilies.get(dispatch.pipeline) ?? 'unknown pipeline'),
        });
        encoderReads.set(encoder, pending);
      }
    },
  };
}

async function readTimes({ buffers, querySet, families }: PendingRead): Promise<void> {
  const [readable] = buffers;
  await readable.mapAsync(GPUMapMode.READ);
  const stamps = new BigUint64Array(readable.getMappedRange().slice(0));
  readable.unmap();
  families.forEach((family, index) => {
    const nanoseconds = stamps[2 * index + 1] - stamps[2 * index];
    const total = totals.get(family) ?? { dispatches: 0, milliseconds: 0 };
    total.dispatches++;
    total.milliseconds += Number(nanoseconds) / 1e6;
    totals.set(family, total);
  });
  for (const buffer of buffers) buffer.destroy();
  querySet.destroy();
}

/**
 * Installs the profiler (once per process; WebGPU's globals must be defined, and the WebGPU objects to
 * profile must be created after it).
 */
export function installGpuProfiler(): void {
  if (!installed) install();
  installed = true;
}

/** GPU time of every dispatch made while `action` runs, summed by kernel family. */
export async function profileGpu(action: () => Promise<void>): Promise<Map<string, KernelTime>> {
  if (!installed) throw new Error('installGpuProfiler() must run before the WebGPU objects are created.');
  totals = new Map();
  active = true;
  try {
    await action();
  } finally {
    active = false;
  }
  await Promise.all(reads.splice(0));
  return totals;
}
