// Compute pipelines, cached per device (a WeakMap, so a dropped device takes its cache with it) by
// (family, entry point, override constants). Bind group layouts come from reflect.ts, never from 'auto'.
// A pipeline is compiled with createComputePipelineAsync as soon as it is asked for, off the caller's
// thread where the implementation allows; whoever needs it compiled awaits compiledKernels() (the backend's
// prepare(), which fit awaits before its first step). Dispatching a kernel still compiling compiles it at
// once, synchronously, so callers that never prepare still work (docs/webgpu-design.md "Pipeline
// compilation").

import { MlpError } from '../../errors.js';
import type { KernelFamily } from './kernels.js';
import { type ReflectedBinding, reflectKernel } from './reflect.js';

export interface Kernel {
  family: KernelFamily;
  entryPoint: string;
  /** set when the asynchronous compilation ends (or by pipelineOf, which does not wait for it) */
  pipeline: GPUComputePipeline | undefined;
  descriptor: GPUComputePipelineDescriptor;
  /** the asynchronous compilation: settles, never rejects, with its failure if it failed */
  compilation: Promise<MlpError | undefined>;
  layout: GPUBindGroupLayout;
  bindings: ReflectedBinding[];
}

/** Per device and kernel family: the shader module, a bind group layout per entry point, the pipelines. */
interface FamilyCache {
  module: GPUShaderModule;
  layouts: Map<string, GPUBindGroupLayout>;
  /** by `${entryPoint}:${constants as JSON}` */
  kernels: Map<string, Kernel>;
}

const caches = new WeakMap<GPUDevice, Map<KernelFamily, FamilyCache>>();

function cacheOf(device: GPUDevice, family: KernelFamily): FamilyCache {
  let families = caches.get(device);
  if (!families) {
    families = new Map();
    caches.set(device, families);
  }
  let cache = families.get(family);
  if (!cache) {
    const module = device.createShaderModule({ label: family.file, code: family.source });
    cache = { module, layouts: new Map(), kernels: new Map() };
    families.set(family, cache);
  }
  return cache;
}

/**
 * The kernel of `entryPoint` with `constants`, made once per device; its pipeline starts compiling now
 * (see compiledKernels, pipelineOf).
 */
export function kernelPipeline<Entry extends string>(
  device: GPUDevice,
  family: KernelFamily<Entry>,
  entryPoint: Entry,
  constants: Record<string, number | boolean> = {},
): Kernel {
  const cache = cacheOf(device, family);
  const key = `${entryPoint}:${JSON.stringify(constants)}`;
  const cached = cache.kernels.get(key);
  if (cached) return cached;
  for (const name of Object.keys(constants)) {
    if (!family.constants.includes(name)) {
      throw new Error(
        `shaders/${family.file}: no override constant "${name}" (kernels.ts lists ${family.constants.join(', ')})`,
      );
    }
  }
  const bindings = reflectKernel(family).entryBindings.get(entryPoint);
  if (!bindings) throw new Error(`shaders/${family.file}: no entry point "${entryPoint}"`);
  let layout = cache.layouts.get(entryPoint);
  if (!layout) {
    layout = device.createBindGroupLayout({
      label: `${family.file} ${entryPoint}`,
      entries: bindings.map(({ name, binding, type }): GPUBindGroupLayoutEntry => {
        const visibility = GPUShaderStage.COMPUTE;
        if (type === 'texture') return { binding, visibility, texture: { sampleType: 'unfilterable-float' } };
        if (type === 'storage-texture') {
          return { binding, visibility, storageTexture: { access: 'write-only', format: 'rgba32float' } };
        }
        return {
          binding,
          visibility,
          buffer: { type, hasDynamicOffset: family.dynamicOffsets.includes(name) },
        };
      }),
    });
    cache.layouts.set(entryPoint, layout);
  }
  const descriptor: GPUComputePipelineDescriptor = {
    label: `${family.file} ${key}`,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: {
      module: cache.module,
      entryPoint,
      constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, Number(v)])),
    },
  };
  const kernel: Kernel = {
    family,
    entryPoint,
    pipeline: undefined,
    descriptor,
    compilation: device.createComputePipelineAsync(descriptor).then(
      (pipeline) => {
        kernel.pipeline ??= pipeline;
        return undefined;
      },
      (error: Error) =>
        new MlpError(
          'gpu-error',
          `shaders/${family.file} ${entryPoint}: the pipeline did not compile (constants ${JSON.stringify(constants)}): ${error.message}`,
          { cause: error },
        ),
    ),
    layout,
    bindings,
  };
  cache.kernels.set(key, kernel);
  return kernel;
}

/** Resolves when every kernel has compiled; rejects with the first failure, MlpError('gpu-error'). */
export async function compiledKernels(kernels: Iterable<Kernel>): Promise<void> {
  const failures = await Promise.all([...kernels].map((kernel) => kernel.compilation));
  const failure = failures.find((error) => error !== undefined);
  if (failure) throw failure;
}

/**
 * The kernel's pipeline, compiled synchronously now if its asynchronous compilation has not ended (a
 * caller that did not await compiledKernels; a failure then surfaces as the device's uncaptured error).
 */
export function pipelineOf(device: GPUDevice, kernel: Kernel): GPUComputePipeline {
  kernel.pipeline ??= device.createComputePipeline(kernel.descriptor);
  return kernel.pipeline;
}

/**
 * A texture a kernel reads with textureLoad, written by its fill before each dispatch of a kernel bound to
 * it (recordDispatch records the fill first), so it is never stale whatever wrote its source since: the
 * texels feed's copy of a product's B (matmul-feed.ts rightMirror, shaders/matmul-right-texels.wgsl).
 */
export class TexelMirror {
  readonly view: GPUTextureView;
  /**
   * How the texture is written: by a kernel bound to it as a storage texture (with its workgroups), or
   * where the source's rows are the texture's rows already, by a copy of `size` texels from `source`,
   * whose rows lie `bytesPerRow` apart.
   */
  fill:
    | { bound: BoundKernel; groups: [number, number] }
    | { source: GPUBuffer; bytesPerRow: number; size: [number, number] }
    | undefined;

  constructor(
    readonly texture: GPUTexture,
    private readonly release: () => void,
  ) {
    this.view = texture.createView();
  }

  destroy(): void {
    this.release();
  }
}

/** A pipeline with its bind group: what the scheduler dispatches. */
export interface BoundKernel {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  /** the texel mirrors it reads: their fills are dispatched before each of its dispatches */
  mirrors?: readonly TexelMirror[];
}

/** A command encoder with its compute pass, begun when a dispatch needs it and ended before a copy. */
export interface PassRecording {
  readonly encoder: GPUCommandEncoder;
  pass(): GPUComputePassEncoder;
  endPass(): void;
}

/** A PassRecording on `encoder`. */
export function passRecording(encoder: GPUCommandEncoder): PassRecording {
  let open: GPUComputePassEncoder | undefined;
  return {
    encoder,
    pass: () => {
      open ??= encoder.beginComputePass();
      return open;
    },
    endPass: () => {
      open?.end();
      open = undefined;
    },
  };
}

/**
 * Records a dispatch of `bound`, after the fills of the texel mirrors it reads; returns the dispatches
 * recorded.
 */
export function recordDispatch(
  device: GPUDevice,
  recording: PassRecording,
  { kernel, bindGroup, mirrors }: BoundKernel,
  [x, y = 1]: [number, number?],
  dynamicOffsets?: number[],
): number {
  let dispatches = 1;
  for (const { fill, texture } of mirrors ?? []) {
    if (fill && 'bound' in fill) {
      dispatches += recordDispatch(device, recording, fill.bound, fill.groups);
    } else if (fill) {
      recording.endPass();
      recording.encoder.copyBufferToTexture(
        { buffer: fill.source, bytesPerRow: fill.bytesPerRow },
        { texture },
        fill.size,
      );
    }
  }
  const pass = recording.pass();
  pass.setPipeline(pipelineOf(device, kernel));
  pass.setBindGroup(0, bindGroup, dynamicOffsets);
  pass.dispatchWorkgroups(x, y);
  return dispatches;
}

/**
 * Binds buffers, and texel mirrors to texture bindings, by binding name. Every binding the entry point uses
 * must be given; names it does not use are ignored (one resource table serves several entry points). A
 * missing one names shader and binding.
 */
export function bindKernel(
  device: GPUDevice,
  kernel: Kernel,
  resources: Partial<Record<string, GPUBuffer | TexelMirror>>,
): BoundKernel {
  const mirrors: TexelMirror[] = [];
  const entries = kernel.bindings.map(({ name, binding, type }) => {
    const given = resources[name];
    const texture = type === 'texture' || type === 'storage-texture';
    if (!given || texture !== given instanceof TexelMirror) {
      throw new Error(
        `shaders/${kernel.family.file} ${kernel.entryPoint}: binding "${name}" (@binding(${binding})) was given no ${texture ? 'texel mirror' : 'buffer'}`,
      );
    }
    if (given instanceof TexelMirror) {
      if (type === 'texture') mirrors.push(given);
      return { binding, resource: given.view };
    }
    const buffer = given;
    // A dynamically offset binding sees one struct of the buffer at a time.
    const size = kernel.family.dynamicOffsets.includes(name)
      ? reflectKernel(kernel.family).uniforms.get(name)?.size
      : undefined;
    return { binding, resource: size === undefined ? { buffer } : { buffer, size } };
  });
  for (const name of Object.keys(resources)) {
    if (!kernel.family.bindings.includes(name)) {
      throw new Error(
        `shaders/${kernel.family.file}: no binding "${name}" (kernels.ts lists ${kernel.family.bindings.join(', ')})`,
      );
    }
  }
  return {
    kernel,
    bindGroup: device.createBindGroup({ label: kernel.entryPoint, layout: kernel.layout, entries }),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}
