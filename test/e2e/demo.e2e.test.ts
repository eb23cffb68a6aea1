// The built demo in headless chromium on SwiftShader.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';

describe('demo page', () => {
  let demo: DemoBrowser;
  beforeAll(async () => {
    demo = await launchDemoBrowser();
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('loads without console errors', async () => {
    await demo.page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
    await demo.screenshot('01-loaded');
    expect(demo.errors).toEqual([]);
  });
});
