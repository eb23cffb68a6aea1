// Issue 3 in the browser: whole networks on the webgpu backend of headless chromium (SwiftShader) against
// the cpu backend in the same page: outputs, gradients and the weights after 20 training steps.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';

interface ParityResult {
  name: string;
  loss: string;
  forward: number;
  gradients: number;
  training: number;
}

describe('WebGPU against CPU in chromium', () => {
  let demo: DemoBrowser;
  beforeAll(async () => {
    demo = await launchDemoBrowser({ width: 1100, height: 700 });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('agrees to a relative error below 1e-4 for several activation × loss pairs', async () => {
    const { page } = demo;
    await page.goto(new URL('parity.html', inject('demoUrl')).href);
    await page.waitForFunction(() => (window as { parity?: unknown }).parity !== undefined, {
      timeout: 90_000,
    });
    const parity = (await page.evaluate(() => (window as { parity?: unknown }).parity)) as
      | { adapter: string; results: ParityResult[] }
      | { error: string };
    await demo.screenshot('20-parity');
    if ('error' in parity) throw new Error(`the parity page failed: ${parity.error}`);
    expect(parity.adapter).toMatch(/swiftshader/i);
    expect(parity.results.length).toBe(5);
    expect(new Set(parity.results.map((result) => result.loss))).toEqual(
      new Set(['squared-error', 'softmax-cross-entropy', 'binary-cross-entropy']),
    );
    for (const result of parity.results) {
      for (const key of ['forward', 'gradients', 'training'] as const) {
        expect(result[key], `${result.name} ${result.loss} ${key}`).toBeLessThan(1e-4);
      }
    }
    expect(demo.errors).toEqual([]);
  });
});
