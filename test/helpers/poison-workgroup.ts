// Rewrites a WGSL file so that every entry point first fills every workgroup variable with garbage (NaN
// floats, 0x7fc00000 integers), then meets a barrier, before its own first statement. A kernel that reads
// workgroup memory before writing it then computes with the garbage, as it could on a device where Dawn's
// zero-initialisation is off (SwiftShader happens to hand out zeroed memory, so it would not show there).

/** The garbage: a quiet NaN's bits, which is also a large count where an atomic<u32> expected 0. */
const poisonBits = '0x7fc00000u';

interface WorkgroupVariable {
  name: string;
  /** e.g. "array<vec4f, leftTileVectors>", "atomic<u32>" */
  type: string;
}

function workgroupVariables(source: string): WorkgroupVariable[] {
  return [...source.matchAll(/var<workgroup>\s+(\w+)\s*:\s*([^;]+);/g)].map(([, name, type]) => ({
    name,
    type: type.trim(),
  }));
}

/** The statement that fills one element (`target`) of WGSL type `type` with garbage. */
function fill(target: string, type: string): string {
  if (type === 'atomic<u32>' || type === 'atomic<i32>') {
    const value = type === 'atomic<u32>' ? 'poisonWord' : 'bitcast<i32>(poisonWord)';
    return `atomicStore(&${target}, ${value});`;
  }
  const value: Record<string, string> = {
    f32: 'bitcast<f32>(poisonWord)',
    u32: 'poisonWord',
    i32: 'bitcast<i32>(poisonWord)',
    vec4f: 'vec4f(bitcast<f32>(poisonWord))',
    vec4u: 'vec4u(poisonWord)',
  };
  if (!(type in value)) throw new Error(`poison-workgroup: no garbage for workgroup type ${type}`);
  return `${target} = ${value[type]};`;
}

function fillVariable({ name, type }: WorkgroupVariable): string {
  const array = /^array<\s*([\w<>]+)\s*,\s*(.+)>$/.exec(type);
  if (!array) return `  ${fill(name, type)}`;
  const [, element, length] = array;
  return `  for (var i = 0u; i < u32(${length}); i++) { ${fill(`${name}[i]`, element)} }`;
}

/**
 * The poisoned source and the number of entry points it poisoned (every `@compute` one: callers check the
 * count, so an entry point the pattern missed fails the test instead of going unpoisoned).
 */
export function poisonWorkgroupMemory(source: string): { source: string; entryPoints: number } {
  const variables = workgroupVariables(source);
  if (variables.length === 0) return { source, entryPoints: 0 };
  let entryPoints = 0;
  // The body of each compute entry point opens at the first `{` after its `fn name(` (attributes of the
  // parameters hold parentheses but never braces).
  const poisoned = source.replace(/(@compute[\s\S]*?\bfn\s+\w+\s*\([^{]*\{)/g, (head) => {
    entryPoints++;
    return `${head}\n  poisonWorkgroup();`;
  });
  // Every invocation writes the same garbage to every element, so the races between them are harmless.
  const poisonFunction = [
    // A private variable, not a constant: a NaN constant would be a shader-creation error.
    `var<private> poisonWord: u32 = ${poisonBits};`,
    'fn poisonWorkgroup() {',
    ...variables.map(fillVariable),
    '  workgroupBarrier();',
    '}',
  ].join('\n');
  return { source: `${poisoned}\n${poisonFunction}\n`, entryPoints };
}
