import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { testKernelChoices } from './vite.config.js';

const here = fileURLToPath(new URL('.', import.meta.url));

// Browser end-to-end tests: build the demo, serve it on 127.0.0.1, drive Debian's chromium with puppeteer.
export default defineConfig({
  test: {
    root: here,
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    // Builds the demo once and serves it on 127.0.0.1 for every test file.
    globalSetup: ['test/e2e/helpers/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    env: testKernelChoices,
  },
});
