// examples/embed-app (Vite + TypeScript), built with its own Vite config and run in headless chromium on
// SwiftShader WebGPU: the GPU-in/GPU-out round trip in a page. The page reports what it checked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';

const configFile = fileURLToPath(new URL('../../examples/embed-app/vite.config.ts', import.meta.url));

describe('examples/embed-app in chromium', () => {
  let server: PreviewServer;
  let demo: DemoBrowser;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'embed-app-'));
    await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({
      configFile,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    demo = await launchDemoBrowser();
  });
  afterAll(async () => {
    await demo?.close();
    await server?.close();
  });

  it('trains on its own GPU buffers, predicts into one with no readback, reads the live weights, and names misuse', async () => {
    const { page } = demo;
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite preview did not report a local address');
    await page.goto(url, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.body.dataset.result !== undefined, { timeout: 180_000 });
    const result = JSON.parse(await page.$eval('body', (body) => body.dataset.result ?? '{}'));
    await demo.screenshot('embed-app');
    expect(result.error).toBeUndefined();
    expect(result.adapter).toMatch(/swiftshader/i);
    expect(result.sameWeights).toBe(true);
    expect(result.predictBufferReadbacks).toBe(0);
    expect(result.predictDifference).toBeLessThan(1e-6);
    expect(result.parametersMatch).toBe(true);
    expect(result.accuracy).toBe(1);
    // The misuse codes test/embedding.test.ts checks in Node, here in a browser's WebGPU.
    expect(result.misuse).toEqual({
      missingUsage: 'buffer-usage',
      tooSmall: 'buffer-size',
      otherDevice: 'wrong-device',
      otherDeviceLater: 'wrong-device',
      cpuEngine: 'wrong-backend',
    });
    expect(demo.errors).toEqual([]);
  });
});
