// Versions of the packages a measurement used, for the results file.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The package's version, from its package.json (found from its entry point where its exports hide it). */
function packageVersion(name: string): string {
  let folder = dirname(require.resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === name) return manifest.version;
    } catch {
      // no package.json in this folder: look further up
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`No package.json of ${name} above ${require.resolve(name)}`);
    folder = parent;
  }
}

export function packageVersions(...names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, packageVersion(name)]));
}
