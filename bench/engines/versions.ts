// Versions of the packages a measurement used, for the results file.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function packageVersions(...names: string[]): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    versions[name] = (require(`${name}/package.json`) as { version: string }).version;
  }
  return versions;
}
