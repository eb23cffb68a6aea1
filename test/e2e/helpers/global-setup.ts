// Runs once before the browser tests: builds the demo exactly as `npm run demo:build` does and serves the
// built files (not the dev server) on 127.0.0.1 at a free port. Test files read the address with
// inject('demoUrl').
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    demoUrl: string;
  }
}

const configFile = fileURLToPath(new URL('../../../vite.config.ts', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await build({ configFile, logLevel: 'warn' });
  const server: PreviewServer = await preview({
    configFile,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a local address');
  project.provide('demoUrl', url);
  return () => server.close();
}
