import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// In your own app, `npm install webgpu-mlp` and drop the alias: here it points at this repository's source.
const repository = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: [{ find: /^webgpu-mlp$/, replacement: `${repository}src/index.ts` }] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  preview: { host: '127.0.0.1' },
});
