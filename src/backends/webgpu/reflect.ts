// What TypeScript knows about a shader's bindings and uniform layouts, read from the WGSL itself with
// wgsl_reflect when the shaders are generated (scripts/reflect-shader.mjs; src/shaders.gen.ts carries it):
// bind group layouts per entry point, byte offsets of uniform and struct members. No binding number or
// offset is written by hand anywhere in TypeScript, and no WGSL is parsed at run time.

import type { ShaderReflection } from '../../shaders.gen.js';
import type { KernelFamily } from './kernels.js';

export type ReflectedBinding = ShaderReflection['entryPoints'][string]['bindings'][number];

/** Byte layout of a uniform struct: scalars, vectors and fixed arrays of them, value i at offset + 4·i. */
export type UniformLayout = ShaderReflection['uniforms'][string];

export interface KernelReflection {
  /** bindings each entry point uses, in binding order */
  entryBindings: Map<string, ReflectedBinding[]>;
  /** uniform layouts by binding name */
  uniforms: Map<string, UniformLayout>;
}

const reflections = new WeakMap<KernelFamily, KernelReflection>();

function mismatch(kernel: KernelFamily, what: string): Error {
  return new Error(`shaders/${kernel.file}: ${what} (kernels.ts and the WGSL disagree)`);
}

/** A kernel family's reflection, checked once against its descriptor. */
export function reflectKernel(kernel: KernelFamily): KernelReflection {
  const cached = reflections.get(kernel);
  if (cached) return cached;
  const { reflection } = kernel;
  const declared = new Set<string>(kernel.bindings);
  for (const variable of reflection.bindings) {
    if (variable.group !== 0)
      throw mismatch(kernel, `binding "${variable.name}" is in group ${variable.group}; expected group 0`);
    if (!declared.has(variable.name))
      throw mismatch(kernel, `binding "${variable.name}" is not in the descriptor's bindings`);
    declared.delete(variable.name);
  }
  if (declared.size > 0)
    throw mismatch(kernel, `binding "${[...declared][0]}" is declared in kernels.ts but not in the shader`);
  for (const constant of kernel.constants) {
    if (!reflection.overrides.includes(constant))
      throw mismatch(kernel, `override constant "${constant}" is not in the shader`);
  }
  const entryBindings = new Map<string, ReflectedBinding[]>();
  for (const entry of kernel.entryPoints) {
    const info = reflection.entryPoints[entry];
    if (!info) throw mismatch(kernel, `entry point "${entry}" is not in the shader`);
    entryBindings.set(entry, info.bindings);
  }
  const result = { entryBindings, uniforms: new Map(Object.entries(reflection.uniforms)) };
  reflections.set(kernel, result);
  return result;
}

/** Values of a uniform struct by member name; arrays of vectors as flat number arrays. */
export type UniformValues = Record<string, number | readonly number[]>;

/** The bytes of a uniform struct. Every member must be given, and no other: a mismatch names the member. */
export function encodeUniform(kernel: KernelFamily, bindingName: string, values: UniformValues): ArrayBuffer {
  const layout = reflectKernel(kernel).uniforms.get(bindingName);
  if (!layout) throw mismatch(kernel, `no uniform binding "${bindingName}"`);
  const bytes = new ArrayBuffer(layout.size);
  const view = new DataView(bytes);
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(layout.members, name))
      throw mismatch(kernel, `uniform ${bindingName} has no member "${name}"`);
  }
  for (const [name, member] of Object.entries(layout.members)) {
    const value = values[name];
    if (value === undefined) throw mismatch(kernel, `uniform ${bindingName}.${name} was not given a value`);
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > member.count)
      throw mismatch(
        kernel,
        `uniform ${bindingName}.${name} holds ${member.count} values, got ${list.length}`,
      );
    list.forEach((v, i) => {
      const offset = member.offset + i * 4;
      if (member.scalar === 'f32') view.setFloat32(offset, v, true);
      else if (member.scalar === 'u32') view.setUint32(offset, v, true);
      else view.setInt32(offset, v, true);
    });
  }
  return bytes;
}

/** Byte size and member offsets of a struct of the shader (e.g. loss.wgsl's Metrics), by member name. */
export function structLayout<const Member extends string>(
  kernel: KernelFamily,
  structName: string,
  members: readonly Member[],
): { size: number; offsets: Record<Member, number> } {
  const info = kernel.reflection.structs[structName];
  if (!info) throw mismatch(kernel, `no struct ${structName}`);
  const offsets = {} as Record<Member, number>;
  for (const member of members) {
    const offset = info.members[member];
    if (offset === undefined) throw mismatch(kernel, `struct ${structName} has no member "${member}"`);
    offsets[member] = offset;
  }
  return { size: info.size, offsets };
}

/** Byte offset of a member of a storage struct (e.g. Order.examples), read from the shader. */
export function storageMemberOffset(kernel: KernelFamily, structName: string, member: string): number {
  return structLayout(kernel, structName, [member]).offsets[member];
}

/** The workgroup size of an entry point whose `@workgroup_size` is written as numbers (no override). */
export function fixedWorkgroupSize(kernel: KernelFamily, entry: string): number {
  const size = kernel.reflection.entryPoints[entry]?.workgroupSize?.[0];
  if (size === undefined) throw mismatch(kernel, `entry point "${entry}" has no constant workgroup size`);
  return size;
}
