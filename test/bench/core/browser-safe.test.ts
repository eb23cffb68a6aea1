// `webgpu-mlp/bench` runs in the demo's worker, so nothing it reaches may import a Node module statically.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every module specifier of `import … from` and `export … from` in a TypeScript file. */
function staticImports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((match) => match[1]);
}

describe('webgpu-mlp/bench', () => {
  it('reaches no Node module through its static imports', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (path: string) => {
      if (seen.has(path)) return;
      seen.add(path);
      for (const specifier of staticImports(path)) {
        if (specifier.startsWith('.')) visit(resolve(dirname(path), specifier.replace(/\.js$/, '.ts')));
        else bare.add(specifier);
      }
    };
    visit(resolve(root, 'bench/core/index.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(seen).toContain(resolve(root, 'bench/core/our-engines.ts'));
    expect([...bare].filter((specifier) => specifier.startsWith('node:'))).toEqual([]);
    // No package either: the shaders' reflection is generated with them (scripts/gen-shaders.mjs).
    expect([...bare]).toEqual([]);
  });
});
