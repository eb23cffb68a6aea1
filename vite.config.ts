import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));
const trainingWorker = 'training-worker';

// The tests measure kernel choices (src/node-platform.ts) on a loaded machine and on made-up adapters: they
// keep them in a file of their own, never in the machine's, which users and the benchmark read.
export const testKernelChoices = {
  WEBGPU_MLP_KERNEL_CHOICES: join(tmpdir(), 'webgpu-mlp-tests', 'kernel-choices.json'),
};

// One file serves the demo (Vite, rooted in demo/) and the unit tests (vitest, rooted here).
export default defineConfig(({ command }) => ({
  root: `${here}demo`,
  base: './',
  define: {
    // Where demo/worker/client.ts finds the training worker, relative to its own code: built, the worker's
    // entry chunk beside the page's (below); under the dev server, the source module beside client.ts.
    __TRAINING_WORKER__: JSON.stringify(
      command === 'build' ? `./${trainingWorker}.js` : `./${trainingWorker}.ts`,
    ),
  },
  resolve: {
    alias: [
      { find: /^webgpu-mlp$/, replacement: `${here}src/index.ts` },
      { find: /^webgpu-mlp\/bench$/, replacement: `${here}bench/core/index.ts` },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // The demo, the page that checks WebGPU against CPU inside the browser (test/e2e/parity.e2e.test.ts),
      // and the demo's training worker: an entry of the same build rather than a worker bundle of its own, so
      // the page and the worker load one shared copy of the library. demo/worker/client.ts starts it by this
      // fixed name (__TRAINING_WORKER__).
      input: {
        demo: `${here}demo/index.html`,
        parity: `${here}demo/parity.html`,
        [trainingWorker]: `${here}demo/worker/training-worker.ts`,
      },
      output: {
        entryFileNames: (chunk) =>
          chunk.name === trainingWorker ? `assets/${trainingWorker}.js` : 'assets/[name]-[hash].js',
      },
    },
  },
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
    env: testKernelChoices,
  },
}));
