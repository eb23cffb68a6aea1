// The package's version, for --version and the benchmark's records. package.json is found by looking up
// from this file, since it sits one folder higher in the built package (dist/src/cli) than in the source.

import { existsSync, readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (let folder = new URL('./', import.meta.url); ; folder = new URL('../', folder)) {
    const file = new URL('package.json', folder);
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (name === 'webgpu-mlp') return version;
    }
    if (folder.pathname === '/')
      throw new Error(`webgpu-mlp's package.json not found above ${import.meta.url}`);
  }
}
