// What TypeScript needs to know about a kernel's WGSL, read with wgsl_reflect when the shaders are generated
// (scripts/gen-shaders.mjs), so that no WGSL is parsed at run time: a cold wgsl_reflect took ~0.65 s to read
// every kernel family, most of a fresh process's first epoch before the compile itself (webgpu-design.md).
// src/backends/webgpu/reflect.ts checks kernels.ts's descriptors against this and encodes uniforms with it.
import { ResourceType, WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

function scalarOf(typeName) {
  if (/^(f32|vec[234]f|vec[234]<f32>)$/.test(typeName)) return 'f32';
  if (/^(u32|vec[234]u|vec[234]<u32>)$/.test(typeName)) return 'u32';
  if (/^(i32|vec[234]i|vec[234]<i32>)$/.test(typeName)) return 'i32';
  return undefined;
}

// Scalars, vectors and arrays of unpadded elements (WGSL's uniform rules leave 4-vectors): value i of a
// member lies at its offset + 4·i.
function uniformLayout(file, variable) {
  const members = {};
  for (const member of variable.members ?? []) {
    const type = member.type;
    const scalar = scalarOf(type.format ? type.format.getTypeName() : type.getTypeName());
    const where = `shaders/${file}: uniform ${variable.name}.${member.name}`;
    if (!scalar) throw new Error(`${where} has unsupported type ${type.getTypeName()}`);
    if (type.format && type.stride !== type.format.size)
      throw new Error(`${where}: arrays in uniforms must have no padding (arrays of 4-vectors)`);
    members[member.name] = { offset: member.offset, scalar, count: member.size / 4 };
  }
  return { size: variable.size, members };
}

function bindingType(resource, access) {
  if (resource === ResourceType.Texture) return 'texture';
  if (resource === ResourceType.StorageTexture) return 'storage-texture';
  if (resource === ResourceType.Uniform) return 'uniform';
  return access === 'read' ? 'read-only-storage' : 'storage';
}

/** The reflection of one kernel's source (its libraries, then its file), as plain data for src/shaders.gen.ts. */
export function reflectShader(file, source) {
  const reflect = new WgslReflect(source);
  const entryPoints = {};
  for (const entry of reflect.entry.compute) {
    const size = entry.attributes.find((a) => a.name === 'workgroup_size')?.value ?? '';
    entryPoints[entry.name] = {
      // only where it is written as numbers: wgsl_reflect gives an override constant's default
      workgroupSize: /^[\d\s,iu]+$/.test(size) ? entry.workgroupSize : null,
      bindings: entry.resources
        .filter((r) => r.resourceType !== ResourceType.Sampler && r.resourceType !== ResourceType.Immediate)
        .map((r) => ({ name: r.name, binding: r.binding, type: bindingType(r.resourceType, r.access) }))
        .sort((a, b) => a.binding - b.binding),
    };
  }
  return {
    bindings: [...reflect.uniforms, ...reflect.storage, ...reflect.textures].map(
      ({ name, group, binding }) => ({ name, group, binding }),
    ),
    overrides: reflect.overrides.map((o) => o.name),
    entryPoints,
    uniforms: Object.fromEntries(reflect.uniforms.map((v) => [v.name, uniformLayout(file, v)])),
    structs: Object.fromEntries(
      reflect.structs.map((s) => [
        s.name,
        { size: s.size, members: Object.fromEntries(s.members.map((m) => [m.name, m.offset])) },
      ]),
    ),
  };
}
