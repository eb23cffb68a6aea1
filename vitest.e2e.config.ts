import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = fileURLToPath(new URL('.', import.meta.url));

// Browser end-to-end tests: build the demo, serve it on 127.0.0.1, drive Debian's chromium with puppeteer.
export default defineConfig({
  test: {
    root: here,
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
