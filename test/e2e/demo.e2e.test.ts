// The built demo in headless chromium on SwiftShader WebGPU, driven like a person would: train the
// default network, look at what it drew, compare the backends, save and reload the model, then train on
// PGM files picked through the file input. Screenshots of each state go to test-artifacts/e2e/.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';
import { canvasPixels, chooseFiles, epochRows, setField, trainAndWait } from './helpers/page.js';
import { writePgmFaces } from './helpers/pgm-files.js';

const trainColour: [number, number, number] = [47, 91, 211];

describe('demo page on WebGPU', () => {
  let demo: DemoBrowser;
  const downloads = mkdtempSync(join(tmpdir(), 'demo-downloads-'));

  beforeAll(async () => {
    demo = await launchDemoBrowser();
    const session = await demo.browser.target().createCDPSession();
    await session.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('loads without console errors, finds WebGPU and shows labelled synthetic faces', async () => {
    const { page } = demo;
    await page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.kind !== 'checking', {
      timeout: 30_000,
    });
    expect(await page.$eval('#backend-status', (element) => element.textContent)).toMatch(
      /^WebGPU · .*swiftshader/i,
    );
    expect(await page.$eval('#webgpu-notice', (element) => (element as HTMLElement).hidden)).toBe(true);
    const captions = await page.$$eval('#sample-grid figcaption', (elements) =>
      elements.map((e) => e.textContent),
    );
    expect(captions.length).toBe(24);
    expect(new Set(captions)).toEqual(new Set(['straight', 'left', 'right', 'up']));
    const sample = await canvasPixels(page, '#sample-grid canvas');
    expect([sample.width, sample.height]).toEqual([32, 30]);
    expect(sample.colours).toBeGreaterThan(8); // grey levels, quantised to 16
    expect(await page.$eval('#network-summary', (element) => element.textContent)).toContain('960 → 3 → 4');
    await demo.screenshot('01-loaded-webgpu');
    expect(demo.errors).toEqual([]);
  });

  it('trains the default 960-3-4 network on WebGPU and the loss falls', async () => {
    const { page } = demo;
    await setField(page, 'epochs', '6');
    const rows = await trainAndWait(page, 120_000);
    expect(await page.$eval('#training-status', (element) => element.textContent)).toMatch(
      /^Done on WebGPU: /,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.map((row) => row.epoch)).toEqual(rows.map((_, i) => i + 1));
    expect(rows[rows.length - 1].loss).toBeLessThan(rows[0].loss);
    await demo.screenshot('02-trained-webgpu');
    expect(demo.errors).toEqual([]);
  });

  it('draws the loss and accuracy curves, the hidden units and the confusion matrix', async () => {
    const { page } = demo;
    // uPlot draws the series on a canvas: the training curve's colour must be there.
    for (const chart of ['#loss-chart canvas', '#accuracy-chart canvas']) {
      const pixels = await canvasPixels(page, chart, trainColour, 30);
      expect(pixels.matching, chart).toBeGreaterThan(50);
    }
    const units = await page.$$('#unit-weights .unit');
    expect(units.length).toBe(3);
    for (let unit = 0; unit < 3; unit++) {
      const picture = await canvasPixels(page, `#unit-weights .unit:nth-child(${unit + 1}) canvas`);
      expect([picture.width, picture.height]).toEqual([32, 30]);
      expect(picture.colours, `hidden unit ${unit + 1}`).toBeGreaterThan(10);
      const outputs = await canvasPixels(
        page,
        `#unit-weights .unit:nth-child(${unit + 1}) .unit-outputs canvas`,
      );
      expect([outputs.width, outputs.height]).toEqual([1, 4]);
    }
    const confusion = await canvasPixels(page, '#confusion-matrix', [31, 122, 77], 120);
    expect(confusion.inked).toBeGreaterThan(10_000);
    expect(confusion.matching).toBeGreaterThan(1000);
    expect(await page.$eval('#test-summary', (element) => element.textContent)).toMatch(
      /^Test accuracy \d+\.\d% on \d+ images/,
    );
    const mistakes = await page.$$eval('#mistake-grid figure', (figures) => figures.length);
    const accuracy = await page.$eval('#test-summary', (element) =>
      Number(/(\d+\.\d)%/.exec(element.textContent ?? '')?.[1]),
    );
    expect(mistakes > 0 || accuracy === 100).toBe(true);
    await demo.screenshotElement('#units-panel', '03-hidden-units');
    await demo.screenshotElement('#results-panel', '04-test-results');
  });

  it('compares WebGPU with the CPU as two bars with the speed-up', async () => {
    const { page } = demo;
    await page.click('#compare-button');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#compare-bars .bar').length > 0 ||
        /rror|fail/i.test(document.getElementById('compare-status')?.textContent ?? ''),
      { timeout: 60_000 },
    );
    const bars = await page.$$eval('#compare-bars .bar-fill', (fills) =>
      fills.map((fill) => ({
        kind: fill.className,
        width: (fill as HTMLElement).getBoundingClientRect().width,
        text: fill.textContent,
      })),
    );
    expect(bars.map((bar) => bar.kind)).toEqual(['bar-fill webgpu', 'bar-fill cpu']);
    for (const bar of bars) expect(bar.text).toMatch(/examples\/s$/);
    expect(Math.max(...bars.map((bar) => bar.width))).toBeGreaterThan(100);
    expect(await page.$eval('#compare-bars .speedup', (element) => element.textContent)).toMatch(
      /(WebGPU|CPU) is \d+\.\d× faster/,
    );
    await demo.screenshotElement('#compare-panel', '05-compare');
    expect(demo.errors).toEqual([]);
  });

  it('downloads the model and its TF.js and ONNX exports, loads it back and classifies an image with it', async () => {
    const { page } = demo;
    await page.click('#download-model');
    const saved = join(downloads, 'webgpu-mlp-model.json');
    for (let wait = 0; wait < 50 && !existsSync(saved); wait++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(saved)).toBe(true);
    expect(readFileSync(saved).length).toBeGreaterThan(960 * 3 * 4);
    await page.click('#download-tfjs');
    await page.click('#download-onnx');
    const downloaded = (name: string) => join(downloads, name);
    for (let wait = 0; wait < 50; wait++) {
      if (
        ['model.json', 'weights.bin', 'webgpu-mlp-model.onnx'].every((name) => existsSync(downloaded(name)))
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const modelJson = JSON.parse(readFileSync(downloaded('model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(readFileSync(downloaded('weights.bin')).length).toBe(4 * (960 * 3 + 3 + 3 * 4 + 4));
    expect(readFileSync(downloaded('webgpu-mlp-model.onnx')).length).toBeGreaterThan(4 * 2899);

    await chooseFiles(page, '#load-model', saved);
    await page.waitForFunction(
      () => /^Loaded /.test(document.getElementById('model-status')?.textContent ?? ''),
      { timeout: 20_000 },
    );
    const faces = writePgmFaces(['tester']);
    await chooseFiles(page, '#classify-file', faces.images[5]);
    await page.waitForFunction(() => (document.getElementById('classify-result')?.textContent ?? '') !== '', {
      timeout: 20_000,
    });
    expect(await page.$eval('#classify-result', (element) => element.textContent)).toMatch(
      /^(straight|left|right|up) · outputs: (straight|left|right|up) 0\.\d\d, /,
    );
    expect((await canvasPixels(page, '#classify-image')).colours).toBeGreaterThan(5);
    await demo.screenshotElement('#model-panel', '06-model');
    expect(demo.errors).toEqual([]);
  });

  it('pauses, resumes and stops a long training run', async () => {
    const { page } = demo;
    await setField(page, 'epochs', '500');
    await page.click('#train-button');
    await page.waitForFunction(() => document.querySelectorAll('#epoch-rows tr').length >= 2, {
      timeout: 60_000,
    });
    await page.click('#pause-button');
    await page.waitForFunction(() => document.body.dataset.state === 'paused', { timeout: 10_000 });
    // The epoch under way when Pause was pressed may still finish; after that nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pausedAt = (await epochRows(page)).length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await epochRows(page)).length).toBe(pausedAt);
    expect(await page.$eval('#pause-button', (button) => button.textContent)).toBe('Resume');
    await demo.screenshot('07-paused');
    await page.click('#pause-button');
    await page.waitForFunction(
      (count) => document.querySelectorAll('#epoch-rows tr').length > count,
      { timeout: 60_000 },
      pausedAt,
    );
    await page.click('#stop-button');
    await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 60_000 });
    const epochs = (await epochRows(page)).length;
    expect(epochs).toBeGreaterThan(pausedAt);
    expect(epochs).toBeLessThan(500);
    expect(await page.$eval('#test-summary', (element) => element.textContent)).toContain(
      `stopped by you after epoch ${epochs}`,
    );
    expect(demo.errors).toEqual([]);
  });

  it('trains on PGM files picked through the file input, split by their .list files', async () => {
    const { page } = demo;
    const faces = writePgmFaces(['alice', 'bob', 'carol']);
    await page.click('input[name="source"][value="pgm"]');
    await chooseFiles(page, '#pgm-files', ...faces.images, ...faces.lists);
    await page.waitForFunction(
      (count) => (document.getElementById('data-summary')?.textContent ?? '').includes(`${count} images`),
      { timeout: 20_000 },
      faces.images.length,
    );
    const captions = await page.$$eval('#sample-grid figcaption', (elements) =>
      elements.map((e) => e.textContent),
    );
    expect(new Set(captions)).toEqual(new Set(['straight', 'left', 'right', 'up']));
    await setField(page, 'epochs', '15');
    await page.$eval('input[name="earlyStopping"]', (box) => ((box as HTMLInputElement).checked = false));
    await demo.screenshot('08-pgm-loaded');
    const rows = await trainAndWait(page, 60_000);
    const { train, validation, test } = faces.listCounts;
    expect(await page.$eval('#training-status', (element) => element.textContent)).toBe(
      `Done on WebGPU: ${train} training, ${validation} validation and ${test} test images.`,
    );
    expect(rows.length).toBe(15);
    expect(rows[rows.length - 1].loss).toBeLessThan(rows[0].loss);
    expect(await page.$eval('#test-summary', (element) => element.textContent)).toContain(
      `on ${test} images`,
    );
    expect(await page.$eval('#split-note', (element) => element.textContent)).toContain(
      `all_train (${train}), all_test1 for validation (${validation}), all_test2 for the test (${test})`,
    );
    await demo.screenshot('09-pgm-trained');
    expect(demo.errors).toEqual([]);
  });
});
