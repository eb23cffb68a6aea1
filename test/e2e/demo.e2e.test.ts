// The built demo in headless chromium on SwiftShader WebGPU, driven like a person would: train the
// default network, look at what it drew, compare the backends, save and reload the model, then train on
// PGM files picked through the file input. Screenshots of each state go to test-artifacts/e2e/.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';
import {
  type BenchTableRow,
  type CompareResult,
  canvasPixels,
  chooseFiles,
  compareAndWait,
  epochRows,
  setField,
  trainAndWait,
} from './helpers/page.js';
import { writePgmFaces } from './helpers/pgm-files.js';

const trainColour: [number, number, number] = [47, 91, 211];

/** Examples/s median and max from a table cell such as "1,234 (1,100–1,300)". */
function examplesPerSec(row: BenchTableRow): { median: number; max: number } {
  const [median, , max] = row.examples
    .replaceAll(',', '')
    .split(/[ (–)]+/)
    .map(Number);
  return { median, max };
}

/**
 * The bars as drawn, by pixels: each engine's bar (in its colour) is as long, within antialiasing, as its
 * median examples/s in the table, on a track where the fastest timed run of all spans the whole width.
 */
function expectBarsMatchTable({ rows, barPixels, trackPixels }: CompareResult): void {
  const fastest = Math.max(...rows.map((row) => examplesPerSec(row).max));
  for (const row of rows) {
    const expected = (trackPixels * examplesPerSec(row).median) / fastest;
    const drawn = barPixels[row.engine === 'WebGPU' ? 'webgpu' : 'cpu'];
    expect(
      Math.abs(drawn - expected),
      `${row.engine}: ${drawn} pixels drawn, ${expected} expected`,
    ).toBeLessThan(3 + 0.02 * expected);
  }
  expect(Math.max(...Object.values(barPixels))).toBeGreaterThan(trackPixels / 3);
}

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

  it('trains the default 960-3-4 network on WebGPU, saying while it prepares the GPU, and the loss falls', async () => {
    const { page } = demo;
    await setField(page, 'epochs', '6');
    // Every text the status line shows, however briefly.
    await page.evaluate(() => {
      const status = document.getElementById('training-status') as HTMLElement;
      const texts: string[] = [];
      (window as { statusTexts?: string[] }).statusTexts = texts;
      new MutationObserver(() => texts.push(status.textContent ?? '')).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    const rows = await trainAndWait(page, 120_000);
    expect(await page.$eval('#training-status', (element) => element.textContent)).toMatch(
      /^Done on WebGPU: /,
    );
    const texts = await page.evaluate(() => (window as { statusTexts?: string[] }).statusTexts ?? []);
    expect(texts.some((text) => /^Preparing the GPU… \d+ s/.test(text))).toBe(true);
    // Back to the training line once the programs are compiled, before the run ends.
    const prepared = texts.map((text) => text.startsWith('Preparing the GPU')).lastIndexOf(true);
    expect(texts.slice(prepared + 1).some((text) => text.startsWith('Training on WebGPU'))).toBe(true);
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

  it('runs the benchmark on the form’s network: WebGPU and CPU bars, the table and the speed-up', async () => {
    const { page } = demo;
    const result = await compareAndWait(page, 'form');
    expect(result.rows.map((row) => row.engine)).toEqual(['WebGPU', 'CPU']);
    expectBarsMatchTable(result);
    expect(await page.$eval('#compare-bars .speedup', (element) => element.textContent)).toMatch(
      /(WebGPU|CPU) is \d+\.\d× faster/,
    );
    expect(await page.$eval('#compare-status', (element) => element.textContent)).toMatch(
      /^The 960-3-4 network above, batch size 1, on its \d+ training examples: examples\/s, median \(min–max\) of 3 timed runs/,
    );
    await demo.screenshotElement('#compare-panel', '05-compare');
    expect(demo.errors).toEqual([]);
  });

  it('runs the benchmark’s own faces-b32 network, as npm run bench does', async () => {
    const { page } = demo;
    const result = await compareAndWait(page, 'faces-b32');
    expect(result.rows.map((row) => [row.engine, row.batch])).toEqual([
      ['WebGPU', '32'],
      ['CPU', '32'],
    ]);
    expectBarsMatchTable(result);
    // Transfers counted over one whole epoch on the GPU; the CPU has none.
    const [gpu, cpu] = result.rows;
    expect(gpu.readbacks).toBe('1.00');
    expect(Number(gpu.dispatches)).toBeGreaterThan(0);
    expect([cpu.dispatches, cpu.readbacks]).toEqual(['–', '–']);
    expect(await page.$eval('#compare-status', (element) => element.textContent)).toMatch(
      /^faces-b32 \(960-3-4 sigmoid, squared error, SGD η 0\.3 α 0\.3, batch 32\) on 256 synthetic examples/,
    );
    await demo.screenshotElement('#compare-panel', '05b-compare-faces-b32');
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
  it('takes a folder dropped onto the page and trains on the list set you choose', async () => {
    const { page } = demo;
    const faces = writePgmFaces(['dave', 'erin', 'frank']);
    const dropped = [...faces.images, ...faces.lists].map((path) => ({
      name: basename(path),
      base64: readFileSync(path).toString('base64'),
    }));
    await page.click('input[name="source"][value="synthetic"]');
    // A drop as the browser delivers it: dragenter shows the overlay, drop hands over the files.
    const overlay = await page.evaluate((files) => {
      const transfer = new DataTransfer();
      for (const { name, base64 } of files) {
        transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
      }
      const target = document.querySelector('main') ?? document.body;
      target.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true }));
      const shown = document.getElementById('drop-overlay')?.hidden === false;
      target.dispatchEvent(
        new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
      return { shown, hiddenAfterDrop: document.getElementById('drop-overlay')?.hidden };
    }, dropped);
    expect(overlay).toEqual({ shown: true, hiddenAfterDrop: true });
    await page.waitForFunction(
      (count) =>
        (document.getElementById('data-summary')?.textContent ?? '').startsWith(
          `Dropped images: ${count} images`,
        ),
      { timeout: 20_000 },
      faces.images.length,
    );
    expect(
      await page.$eval('input[name="source"][value="pgm"]', (radio) => (radio as HTMLInputElement).checked),
    ).toBe(true);

    // Two complete list sets: the page offers both (all first, as Mitchell's pose lists) and a random split.
    expect(await page.$eval('#list-set-field', (field) => (field as HTMLElement).hidden)).toBe(false);
    const options = await page.$$eval('#list-set option', (elements) =>
      elements.map((element) => [(element as HTMLOptionElement).value, element.textContent]),
    );
    const all = faces.listCounts;
    const even = faces.straightEvenCounts;
    expect(options).toEqual([
      ['all', `all: ${all.train} train, ${all.validation} validation, ${all.test} test`],
      ['straighteven', `straighteven: ${even.train} train, ${even.validation} validation, ${even.test} test`],
      ['', 'random split (⅓ test, then the validation split)'],
    ]);
    expect(await page.$eval('#list-set', (select) => (select as HTMLSelectElement).value)).toBe('all');

    await page.select('#list-set', 'straighteven');
    await page.waitForFunction(
      () => (document.getElementById('split-note')?.textContent ?? '').includes('straighteven_train'),
      { timeout: 20_000 },
    );
    expect(await page.$eval('#split-note', (element) => element.textContent)).toBe(
      `Mitchell's lists: straighteven_train (${even.train}), straighteven_test1 for validation (${even.validation}), straighteven_test2 for the test (${even.test}).`,
    );
    await setField(page, 'task', 'expression');
    await setField(page, 'epochs', '3');
    const rows = await trainAndWait(page, 60_000);
    expect(rows.length).toBe(3);
    expect(await page.$eval('#training-status', (element) => element.textContent)).toBe(
      `Done on WebGPU: ${even.train} training, ${even.validation} validation and ${even.test} test images.`,
    );
    await demo.screenshot('13-pgm-dropped');

    await page.select('#list-set', '');
    await page.waitForFunction(
      () => (document.getElementById('split-note')?.textContent ?? '').startsWith('Random split'),
      { timeout: 20_000 },
    );
    expect(demo.errors).toEqual([]);
  });
});
