// What TypeScript knows about a shader's bindings and uniform layouts, read from the WGSL itself with
// wgsl_reflect: bind group layouts per entry point, and byte offsets of uniform struct members. No binding
// number or offset is written by hand anywhere in TypeScript.

import { ResourceType, type VariableInfo, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import type { KernelFamily } from './kernels.js';

export interface ReflectedBinding {
  name: string;
  binding: number;
  /** a buffer's binding type, or an rgba32float texture read with textureLoad, or written (storage) */
  type: GPUBufferBindingType | 'texture' | 'storage-texture';
}

/** Byte layout of a uniform struct: scalars, vectors and fixed arrays of them. */
export interface UniformLayout {
  size: number;
  members: Map<string, { offset: number; scalar: 'f32' | 'u32' | 'i32'; count: number; stride: number }>;
}

export interface KernelReflection {
  /** bindings each entry point uses, in binding order */
  entryBindings: Map<string, ReflectedBinding[]>;
  /** uniform layouts by binding name */
  uniforms: Map<string, UniformLayout>;
  reflect: WgslReflect;
}

const reflections = new WeakMap<KernelFamily, KernelReflection>();

function mismatch(kernel: KernelFamily, what: string): Error {
  return new Error(`shaders/${kernel.file}: ${what} (kernels.ts and the WGSL disagree)`);
}

function scalarOf(typeName: string): 'f32' | 'u32' | 'i32' | undefined {
  if (/^(f32|vec[234]f|vec[234]<f32>)$/.test(typeName)) return 'f32';
  if (/^(u32|vec[234]u|vec[234]<u32>)$/.test(typeName)) return 'u32';
  if (/^(i32|vec[234]i|vec[234]<i32>)$/.test(typeName)) return 'i32';
  return undefined;
}

function uniformLayout(kernel: KernelFamily, variable: VariableInfo): UniformLayout {
  const members: UniformLayout['members'] = new Map();
  for (const member of variable.members ?? []) {
    const type = member.type as {
      getTypeName(): string;
      format?: { getTypeName(): string };
      count?: number;
      stride?: number;
    };
    const elementName = type.format ? type.format.getTypeName() : type.getTypeName();
    const scalar = scalarOf(elementName);
    if (!scalar)
      throw mismatch(
        kernel,
        `uniform ${variable.name}.${member.name} has unsupported type ${type.getTypeName()}`,
      );
    // Scalars, vectors and arrays of 4-vectors are packed: value i lies at offset + 4·i.
    if (type.format && type.stride !== undefined && type.stride * (type.count ?? 0) !== member.size) {
      throw mismatch(kernel, `uniform ${variable.name}.${member.name}: arrays must be of 4-vectors`);
    }
    members.set(member.name, { offset: member.offset, scalar, count: member.size / 4, stride: 4 });
  }
  return { size: variable.size, members };
}

function bindingType(resource: ResourceType, access: string): ReflectedBinding['type'] {
  if (resource === ResourceType.Texture) return 'texture';
  if (resource === ResourceType.StorageTexture) return 'storage-texture';
  if (resource === ResourceType.Uniform) return 'uniform';
  return access === 'read' ? 'read-only-storage' : 'storage';
}

/** Reflects a kernel family once and checks it against its descriptor. */
export function reflectKernel(kernel: KernelFamily): KernelReflection {
  const cached = reflections.get(kernel);
  if (cached) return cached;
  const reflect = new WgslReflect(kernel.source);
  const declared = new Set<string>(kernel.bindings);
  for (const variable of [...reflect.uniforms, ...reflect.storage, ...reflect.textures]) {
    if (variable.group !== 0)
      throw mismatch(kernel, `binding "${variable.name}" is in group ${variable.group}; expected group 0`);
    if (!declared.has(variable.name))
      throw mismatch(kernel, `binding "${variable.name}" is not in the descriptor's bindings`);
    declared.delete(variable.name);
  }
  if (declared.size > 0)
    throw mismatch(kernel, `binding "${[...declared][0]}" is declared in kernels.ts but not in the shader`);
  const overrides = new Set(reflect.overrides.map((o) => o.name));
  for (const constant of kernel.constants) {
    if (!overrides.has(constant))
      throw mismatch(kernel, `override constant "${constant}" is not in the shader`);
  }
  const entryBindings = new Map<string, ReflectedBinding[]>();
  for (const entry of kernel.entryPoints) {
    const info = reflect.entry.compute.find((f) => f.name === entry);
    if (!info) throw mismatch(kernel, `entry point "${entry}" is not in the shader`);
    const bindings = info.resources
      .filter((r) => r.resourceType !== ResourceType.Sampler && r.resourceType !== ResourceType.Immediate)
      .map((r) => ({
        name: r.name,
        binding: r.binding,
        type: bindingType(r.resourceType, r.access),
      }))
      .sort((a, b) => a.binding - b.binding);
    entryBindings.set(entry, bindings);
  }
  const uniforms = new Map<string, UniformLayout>();
  for (const variable of reflect.uniforms) uniforms.set(variable.name, uniformLayout(kernel, variable));
  const reflection = { entryBindings, uniforms, reflect };
  reflections.set(kernel, reflection);
  return reflection;
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
    if (!layout.members.has(name)) throw mismatch(kernel, `uniform ${bindingName} has no member "${name}"`);
  }
  for (const [name, member] of layout.members) {
    const value = values[name];
    if (value === undefined) throw mismatch(kernel, `uniform ${bindingName}.${name} was not given a value`);
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > member.count)
      throw mismatch(
        kernel,
        `uniform ${bindingName}.${name} holds ${member.count} values, got ${list.length}`,
      );
    list.forEach((v, i) => {
      const offset = member.offset + i * member.stride;
      if (member.scalar === 'f32') view.setFloat32(offset, v, true);
      else if (member.scalar === 'u32') view.setUint32(offset, v, true);
      else view.setInt32(offset, v, true);
    });
  }
  return bytes;
}

/** Byte offset of a member of a storage struct (e.g. Order.examples), read from the shader. */
export function storageMemberOffset(kernel: KernelFamily, structName: string, member: string): number {
  const info = reflectKernel(kernel).reflect.getStructInfo(structName);
  const found = info?.members?.find((m) => m.name === member);
  if (!found) throw mismatch(kernel, `struct ${structName} has no member "${member}"`);
  return found.offset;
}
