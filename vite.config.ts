import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

// One file serves the demo (Vite, rooted in demo/) and the unit tests (vitest, rooted here).
export default defineConfig({
  root: `${here}demo`,
  base: './',
  resolve: {
    alias: [
      { find: /^webgpu-mlp$/, replacement: `${here}src/index.ts` },
      { find: /^webgpu-mlp\/bench$/, replacement: `${here}src/bench/index.ts` },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The demo, and the page that checks WebGPU against CPU inside the browser (test/e2e/parity.e2e.test.ts).
    rolldownOptions: { input: { demo: `${here}demo/index.html`, parity: `${here}demo/parity.html` } },
  },
  worker: { format: 'es' },
  preview: { host: '127.0.0.1' },
  server: { host: '127.0.0.1' },
  test: {
    root: here,
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Dawn is a native addon: one process per test file, one create() per process (see test/helpers/gpu.ts).
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    globalSetup: ['test/global-setup.ts'],
    // Tests run in Node: provide what src/node-entry.ts provides to users (WebGPU through Dawn, files).
    setupFiles: ['src/node-platform.ts'],
  },
});
