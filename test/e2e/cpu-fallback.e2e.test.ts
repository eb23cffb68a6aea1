// The demo where WebGPU is switched off: chromium without the WebGPU flags grants no adapter, as on a
// machine whose GPU is blocked. The page must say so clearly and still train, on the CPU backend.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';
import { canvasPixels, chooseFiles, compareAndWait, setField, trainAndWait } from './helpers/page.js';

describe('demo page without WebGPU', () => {
  let demo: DemoBrowser;
  beforeAll(async () => {
    demo = await launchDemoBrowser({ webgpu: false, width: 1024, height: 900 });
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('says WebGPU is unavailable, offers only the CPU, and trains on it', async () => {
    const { page } = demo;
    await page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.kind !== 'checking', {
      timeout: 30_000,
    });
    expect(await page.$eval('#backend-status', (element) => element.textContent)).toBe('CPU only: no WebGPU');
    const notice = await page.$eval('#webgpu-notice', (element) => ({
      hidden: (element as HTMLElement).hidden,
      text: element.textContent ?? '',
    }));
    expect(notice.hidden).toBe(false);
    expect(notice.text).toMatch(
      /^WebGPU is not available in this browser, so everything runs on the CPU backend/,
    );
    const backends = await page.$$eval('input[name="backend"]', (radios) =>
      radios.map((radio) => ({
        value: (radio as HTMLInputElement).value,
        disabled: (radio as HTMLInputElement).disabled,
        checked: (radio as HTMLInputElement).checked,
      })),
    );
    expect(backends).toEqual([
      { value: 'webgpu', disabled: true, checked: false },
      { value: 'cpu', disabled: false, checked: true },
    ]);
    await demo.screenshot('10-no-webgpu-loaded');

    await setField(page, 'epochs', '5');
    const rows = await trainAndWait(page, 60_000);
    expect(await page.$eval('#training-status', (element) => element.textContent)).toMatch(/^Done on CPU: /);
    expect(rows.length).toBe(5);
    expect(rows[4].loss).toBeLessThan(rows[0].loss);
    expect((await canvasPixels(page, '#confusion-matrix')).inked).toBeGreaterThan(10_000);
    await demo.screenshot('11-no-webgpu-trained');

    const compared = await compareAndWait(page, 'form');
    expect(compared.rows.map((row) => row.engine)).toEqual(['CPU']);
    expect(compared.barPixels.webgpu).toBe(0);
    expect(compared.barPixels.cpu).toBeGreaterThan(compared.trackPixels / 3);
    expect(await page.$eval('#compare-status', (element) => element.textContent)).toContain(
      'WebGPU is not available here, so only the CPU was timed.',
    );
    // The failed adapter request is the expected outcome here, not an error of the page.
    expect(demo.errors).toEqual([]);
  });

  it('trains on a CSV picked through the file input', async () => {
    const { page } = demo;
    // Three classes of points around three centres, with a header row and the label in the last column.
    const rows = ['x,y,z,kind'];
    for (let i = 0; i < 90; i++) {
      const kind = ['a', 'b', 'c'][i % 3];
      const centre = [0, 4, 8][i % 3];
      const jitter = (k: number) => (((i * 7919 + k * 104729) % 100) / 100 - 0.5).toFixed(3);
      rows.push(`${centre + Number(jitter(1))},${10 - centre + Number(jitter(2))},${jitter(3)},${kind}`);
    }
    const csv = join(mkdtempSync(join(tmpdir(), 'demo-csv-')), 'points.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    await page.click('input[name="source"][value="csv"]');
    await chooseFiles(page, '#csv-file', csv);
    await page.waitForFunction(
      () => (document.getElementById('data-summary')?.textContent ?? '').startsWith('points.csv'),
      {
        timeout: 20_000,
      },
    );
    expect(await page.$eval('#data-summary', (element) => element.textContent)).toContain(
      '90 rows × 3 features',
    );
    expect(await page.$$eval('.sample-table th', (cells) => cells.map((cell) => cell.textContent))).toEqual([
      'x',
      'y',
      'z',
      'label',
    ]);
    await setField(page, 'hidden', '4');
    await setField(page, 'loss', 'softmax-cross-entropy');
    await setField(page, 'batchSize', '10');
    await setField(page, 'epochs', '30');
    const epochs = await trainAndWait(page, 60_000);
    expect(epochs[epochs.length - 1].loss).toBeLessThan(epochs[0].loss);
    expect(await page.$eval('#test-summary', (element) => element.textContent)).toMatch(
      /^Test accuracy \d+\.\d% on 30 images/,
    );
    await demo.screenshot('12-no-webgpu-csv');
    expect(demo.errors).toEqual([]);
  });
});
