// docs/architecture.md names folders and files as the layers; every one of them must exist, and every
// folder of src/ must appear in it, so the picture cannot drift from the tree.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const page = readFileSync(new URL('../../docs/architecture.md', import.meta.url), 'utf8');
const root = new URL('../../', import.meta.url);

describe('docs/architecture.md', () => {
  it('names only paths that exist', () => {
    const paths = [...page.matchAll(/(?<![\w/.-])((?:src|bench|shaders|test|demo)\/[\w./-]*)/g)].map(
      (match) => match[1].replace(/[.,]$/, ''),
    );
    expect(paths.length).toBeGreaterThan(20);
    const generated = new Set(['src/shaders.gen.ts']); // made by scripts/gen-shaders.mjs
    const missing = paths
      .filter((path) => !path.includes('*') && !generated.has(path))
      .filter((path) => !existsSync(new URL(path, root)));
    expect(missing).toEqual([]);
  });

  it('places every folder of src/ and bench/ in a layer', () => {
    for (const parent of ['src', 'bench']) {
      const folders = readdirSync(new URL(`${parent}/`, root), { withFileTypes: true })
        .filter(
          (entry) =>
            entry.isDirectory() && entry.name !== 'types' && entry.name !== 'results' && entry.name !== 'out',
        )
        .map((entry) => `${parent}/${entry.name}/`);
      expect(folders.filter((folder) => !page.includes(folder))).toEqual([]);
    }
  });
});
