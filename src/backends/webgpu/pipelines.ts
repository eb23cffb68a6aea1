// Compute pipelines, cached per device (a WeakMap, so a dropped device takes its cache with it) by
// (family, entry point, override constants). Bind group layouts come from reflect.ts, never from 'auto'.

import type { KernelFamily } from './kernels.js';
import { type ReflectedBinding, reflectKernel } from './reflect.js';

export interface Kernel {
  family: KernelFamily;
  entryPoint: string;
  pipeline: GPUComputePipeline;
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

/** The pipeline of `entryPoint` with `constants`, made once per device. */
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
      entries: bindings.map(({ name, binding, type }) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type, hasDynamicOffset: family.dynamicOffsets.includes(name) },
      })),
    });
    cache.layouts.set(entryPoint, layout);
  }
  const pipeline = device.createComputePipeline({
    label: `${family.file} ${key}`,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: {
      module: cache.module,
      entryPoint,
      constants: Object.fromEntries(Object.entries(constants).map(([k, v]) => [k, Number(v)])),
    },
  });
  const kernel = { family, entryPoint, pipeline, layout, bindings };
  cache.kernels.set(key, kernel);
  return kernel;
}

/** A pipeline with its bind group: what the scheduler dispatches. */
export interface BoundKernel {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
}

/**
 * Binds buffers by binding name. Every binding the entry point uses must be given; names it does not use
 * are ignored (one resource table serves several entry points). A missing one names shader and binding.
 */
export function bindKernel(
  device: GPUDevice,
  kernel: Kernel,
  resources: Partial<Record<string, GPUBuffer>>,
): BoundKernel {
  const entries = kernel.bindings.map(({ name, binding }) => {
    const buffer = resources[name];
    if (!buffer) {
      throw new Error(
        `shaders/${kernel.family.file} ${kernel.entryPoint}: binding "${name}" (@binding(${binding})) was given no buffer`,
      );
    }
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
  };
}
