// What the demo tests do on the page: fill the setup form, train and wait, read canvas pixels.
import type { ElementHandle, Page } from 'puppeteer';

/** Picks files through an <input type="file">, as a person choosing them in the dialog would. */
export async function chooseFiles(page: Page, selector: string, ...paths: string[]): Promise<void> {
  const input = (await page.$(selector)) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error(`no ${selector} on the page`);
  await input.uploadFile(...paths);
}

export async function setField(page: Page, name: string, value: string): Promise<void> {
  await page.evaluate(
    (fieldName, fieldValue) => {
      const form = document.getElementById('setup-form') as HTMLFormElement;
      const field = form.elements.namedItem(fieldName) as HTMLInputElement | RadioNodeList;
      field.value = fieldValue;
      form.dispatchEvent(new Event('input', { bubbles: true }));
      form.dispatchEvent(new Event('change', { bubbles: true }));
    },
    name,
    value,
  );
}

export interface EpochRow {
  epoch: number;
  loss: number;
  accuracy: number;
}

/** Presses Train and waits for the page to finish; returns the epoch table. Throws with the page's status on failure. */
export async function trainAndWait(page: Page, timeoutMs: number): Promise<EpochRow[]> {
  await page.waitForFunction(() => !(document.getElementById('train-button') as HTMLButtonElement).disabled, {
    timeout: 30_000,
  });
  // Every state the page passes through from here on, however briefly.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as { seenStates?: string[] }).seenStates = seen;
    new MutationObserver(() => seen.push(document.body.dataset.state ?? '')).observe(document.body, {
      attributes: true,
      attributeFilter: ['data-state'],
    });
  });
  await page.click('#train-button');
  await page.waitForFunction(
    () => {
      const seen = (window as { seenStates?: string[] }).seenStates ?? [];
      return seen.includes('done') || seen.includes('error');
    },
    { timeout: timeoutMs },
  );
  const seen = await page.evaluate(() => (window as { seenStates?: string[] }).seenStates ?? []);
  const state = await page.evaluate(() => document.body.dataset.state);
  if (state !== 'done' || !seen.includes('training')) {
    const status = await page.$eval('#training-status', (element) => element.textContent);
    throw new Error(`training went through ${seen.join(' → ')}: ${status}`);
  }
  return epochRows(page);
}

export function epochRows(page: Page): Promise<EpochRow[]> {
  return page.$$eval('#epoch-rows tr', (rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')].map((cell) => cell.textContent ?? '');
      return { epoch: Number(cells[0]), loss: Number(cells[1]), accuracy: Number.parseFloat(cells[2]) / 100 };
    }),
  );
}

export interface CanvasPixels {
  width: number;
  height: number;
  /** pixels that are neither transparent nor near-white */
  inked: number;
  /** distinct colours, quantised to 4 bits per channel */
  colours: number;
  /** pixels within `tolerance` of `colour` per channel, when asked */
  matching: number;
}

/** Reads back what a canvas shows: proof that something was drawn, not only that the element exists. */
export function canvasPixels(
  page: Page,
  selector: string,
  colour: [number, number, number] = [0, 0, 0],
  tolerance = -1,
): Promise<CanvasPixels> {
  return page.$eval(
    selector,
    (element, [r, g, b], within) => {
      const canvas = element as HTMLCanvasElement;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d context');
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let inked = 0;
      let matching = 0;
      const colours = new Set<number>();
      for (let i = 0; i < data.length; i += 4) {
        const [pr, pg, pb, pa] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (pa > 0 && !(pr > 240 && pg > 240 && pb > 240)) inked++;
        colours.add(((pr >> 4) << 8) | ((pg >> 4) << 4) | (pb >> 4));
        if (
          pa > 200 &&
          Math.abs(pr - r) <= within &&
          Math.abs(pg - g) <= within &&
          Math.abs(pb - b) <= within
        ) {
          matching++;
        }
      }
      return { width: canvas.width, height: canvas.height, inked, colours: colours.size, matching };
    },
    colour,
    tolerance,
  );
}

export interface BenchTableRow {
  engine: string;
  batch: string;
  /** "median (min–max)" */
  examples: string;
  dispatches: string;
  readbacks: string;
}

export interface CompareResult {
  rows: BenchTableRow[];
  /** the longest run of each engine's bar colour along any pixel row of the chart, in CSS pixels */
  barPixels: { webgpu: number; cpu: number };
  /** the chart's track for the bars (its width less the engine names and the figures), in CSS pixels */
  trackPixels: number;
}

/** Picks a network in the compare panel, runs the comparison and reads the table and the drawn bars. */
export async function compareAndWait(page: Page, network: string): Promise<CompareResult> {
  await page.waitForFunction(
    () => !(document.getElementById('compare-button') as HTMLButtonElement).disabled,
    {
      timeout: 30_000,
    },
  );
  await page.select('#compare-network', network);
  await page.evaluate(() => document.getElementById('compare-bars')?.replaceChildren());
  await page.click('#compare-button');
  await page.waitForFunction(
    () =>
      document.querySelector('#compare-bars canvas') !== null ||
      /rror|fail/i.test(document.getElementById('compare-status')?.textContent ?? ''),
    { timeout: 180_000 },
  );
  const rows = await page.$$eval('#compare-bars tbody tr', (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      return {
        engine: cells[0],
        batch: cells[1],
        examples: cells[2],
        dispatches: cells[4],
        readbacks: cells[5],
      };
    }),
  );
  if (rows.length === 0) {
    throw new Error(
      `no comparison: ${await page.$eval('#compare-status', (element) => element.textContent)}`,
    );
  }
  const barPixels = await page.$eval('#compare-bars canvas', (element) => {
    const canvas = element as HTMLCanvasElement;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
    const scale = canvas.width / canvas.getBoundingClientRect().width;
    const colours = { webgpu: [31, 122, 77], cpu: [122, 133, 153] };
    const longest = { webgpu: 0, cpu: 0 };
    for (const [engine, [r, g, b]] of Object.entries(colours) as ['webgpu' | 'cpu', number[]][]) {
      for (let y = 0; y < height; y++) {
        let run = 0;
        for (let x = 0; x < width; x++) {
          const i = 4 * (y * width + x);
          const same =
            data[i + 3] > 200 &&
            Math.abs(data[i] - r) <= 8 &&
            Math.abs(data[i + 1] - g) <= 8 &&
            Math.abs(data[i + 2] - b) <= 8;
          run = same ? run + 1 : 0;
          longest[engine] = Math.max(longest[engine], run / scale);
        }
      }
    }
    return longest;
  });
  const trackPixels = await page.$eval('#compare-bars canvas', (canvas) =>
    Number((canvas as HTMLCanvasElement).dataset.trackWidth),
  );
  return { rows, barPixels, trackPixels };
}
