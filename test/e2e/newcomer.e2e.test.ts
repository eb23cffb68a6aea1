// The demo as a newcomer meets it, on a laptop (1280×800) and a phone (390×844): Train within reach
// wherever the page is scrolled, problems in the form said in words beside the field and gone once fixed,
// settings suggested for the task and batch size (never over the user's own), progress and ETA final after
// Stop and early stopping, a warning when a split holds one class, and tables that fit their panels.
// Screenshots of each state go to test-artifacts/e2e/newcomer-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { artifactDir, type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';
import { chooseFiles, compareAndWait, epochRows, trainAndWait } from './helpers/page.js';
import { writePgmFaces } from './helpers/pgm-files.js';

type Page = DemoBrowser['page'];

/** Replaces a field's text as a person does: select it all, type over it, leave the field. */
async function typeInto(page: Page, name: string, text: string): Promise<void> {
  await page.click(`#setup-form [name="${name}"]`, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
  await page.keyboard.press('Tab');
}

const fieldValue = (page: Page, name: string) =>
  page.$eval(`#setup-form [name="${name}"]`, (field) => (field as HTMLInputElement).value);

const fieldError = (page: Page, name: string) =>
  page.evaluate(
    (field) => document.querySelector(`.field-error[data-for="${field}"]`)?.textContent ?? null,
    name,
  );

/** Whether the Train button lies wholly inside the window as it is scrolled now. */
const trainInView = (page: Page) =>
  page.$eval('#train-button', (button) => {
    const box = button.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  });

async function viewportShot(page: Page, name: string): Promise<void> {
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
  await page.screenshot({ path: `${artifactDir}newcomer-${name}.png` as `${string}.png` });
}

async function openDemo(demo: DemoBrowser): Promise<void> {
  await demo.page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
  await demo.page.waitForFunction(
    () => document.getElementById('backend-status')?.dataset.kind !== 'checking',
    { timeout: 30_000 },
  );
}

for (const [label, width, height] of [
  ['laptop', 1280, 800],
  ['phone', 390, 844],
] as const) {
  describe(`the demo on a ${label} (${width}×${height})`, () => {
    let demo: DemoBrowser;
    beforeAll(async () => {
      demo = await launchDemoBrowser({ width, height });
      await openDemo(demo);
    });
    afterAll(async () => {
      await demo?.close();
    });

    it('keeps Train on screen at the top, middle and bottom of the page', async () => {
      const { page } = demo;
      const scrollHeight = await page.evaluate(() => document.documentElement.scrollHeight);
      expect(scrollHeight).toBeGreaterThan(height); // there is a page to scroll
      for (const [where, y] of [
        ['top', 0],
        ['middle', scrollHeight / 2],
        ['bottom', scrollHeight],
      ] as const) {
        await page.evaluate((to) => window.scrollTo(0, to), y);
        expect(await trainInView(page), `Train at the ${where}`).toBe(true);
        if (where !== 'bottom') await viewportShot(page, `${label}-01-train-at-${where}`);
      }
      // the bar does not cover the page's last panel: scrolled to the end, the compare button is visible too
      const compareVisible = await page.$eval('#compare-button', (button) => {
        const box = button.getBoundingClientRect();
        const bar = (document.querySelector('.action-bar') as HTMLElement).getBoundingClientRect();
        return box.bottom <= bar.top;
      });
      expect(compareVisible).toBe(true);
      await viewportShot(page, `${label}-01-train-at-bottom`);
      await page.evaluate(() => window.scrollTo(0, 0));
    });

    it('says what is wrong with a setting beside it, refuses learning rate 0, and clears the message when fixed', async () => {
      const { page } = demo;
      await typeInto(page, 'learningRate', '0');
      expect(await fieldError(page, 'learningRate')).toBe(
        'The learning rate must be a number above 0, such as 0.3.',
      );
      await typeInto(page, 'hidden', '3,,2');
      await page.click('#train-button');
      expect(await page.evaluate(() => document.body.dataset.state)).toBe('idle');
      expect(await page.$eval('#epoch-rows', (rows) => rows.children.length)).toBe(0);
      expect(await fieldError(page, 'hidden')).toMatch(
        /^Write the units of each hidden layer as whole numbers/,
      );
      expect(await page.$eval('#action-status', (element) => element.textContent)).toBe(
        'Fix the settings marked in red first.',
      );
      // the message sits in the field's own label, next to it
      expect(
        await page.$eval('.field-error[data-for="learningRate"]', (message) =>
          message.closest('label')?.contains(document.querySelector('[name="learningRate"]')),
        ),
      ).toBe(true);
      await page.$eval('#setup-panel', (panel) => panel.scrollIntoView());
      await viewportShot(page, `${label}-02-form-problems`);
      await typeInto(page, 'learningRate', '0.3');
      await typeInto(page, 'hidden', '3');
      expect(await fieldError(page, 'learningRate')).toBeNull();
      expect(await fieldError(page, 'hidden')).toBeNull();
      expect(await page.$$eval('[aria-invalid="true"]', (fields) => fields.length)).toBe(0);
    });

    if (label === 'laptop') {
      it('suggests settings that learn for the task and batch size, never over the user’s own', async () => {
        const { page } = demo;
        await openDemo(demo); // a fresh form: the tests above typed into its fields
        await page.select('#setup-form [name="task"]', 'person');
        expect(await fieldValue(page, 'hidden')).toBe('20');
        expect(await page.$eval('#suggestion-note', (note) => note.textContent)).toBe(
          'Suggested for the person task at batch size 1: 20 hidden units, learning rate 0.3.',
        );
        await typeInto(page, 'hidden', '5');
        await page.select('#setup-form [name="task"]', 'pose');
        expect(await fieldValue(page, 'hidden')).toBe('5');
        expect(await page.$eval('#suggestion-note', (note) => note.textContent)).toBe(
          'Suggested for the pose task at batch size 1: 3 hidden units, learning rate 0.3 (your hidden units kept).',
        );
        await typeInto(page, 'hidden', '3');
        await typeInto(page, 'batchSize', '32');
        expect(await fieldValue(page, 'learningRate')).toBe('3');
        await page.$eval('#suggestion-note', (note) => note.scrollIntoView({ block: 'center' }));
        await viewportShot(page, `${label}-03-suggested`);
        // the suggestion learns: batch 32 at η 3 on the CPU, twice chance (25%) and more in 60 epochs
        await page.click('input[name="backend"][value="cpu"]');
        await typeInto(page, 'epochs', '60');
        await page.$eval('input[name="earlyStopping"]', (box) => ((box as HTMLInputElement).checked = false));
        const rows = await trainAndWait(page, 120_000);
        expect(rows.at(-1)?.accuracy).toBeGreaterThan(0.5);
        await typeInto(page, 'batchSize', '1');
        expect(await fieldValue(page, 'learningRate')).toBe('0.3');
      });
    }

    it('shows progress and ETA as final after Stop and after early stopping', async () => {
      const { page } = demo;
      await page.click('input[name="backend"][value="cpu"]');
      await typeInto(page, 'epochs', '500');
      await page.$eval('input[name="earlyStopping"]', (box) => ((box as HTMLInputElement).checked = false));
      await page.click('#train-button');
      await page.waitForFunction(() => document.querySelectorAll('#epoch-rows tr').length >= 2, {
        timeout: 60_000,
      });
      await page.click('#stop-button');
      await page.waitForFunction(() => document.body.dataset.state === 'done', { timeout: 60_000 });
      const stopped = await page.evaluate(() => ({
        progress: (document.getElementById('training-progress') as HTMLProgressElement).value,
        eta: document.getElementById('stat-eta')?.textContent,
        bar: document.getElementById('action-status')?.textContent,
      }));
      expect(stopped.progress).toBe(1);
      expect(stopped.eta).toBe('stopped');
      expect(stopped.bar).toMatch(/^Test accuracy \d+\.\d% \(stopped by you after epoch \d+\)$/);
      await page.$eval('#training-panel', (panel) => panel.scrollIntoView());
      await viewportShot(page, `${label}-04-stopped`);

      await typeInto(page, 'epochs', '300');
      await page.click('input[name="earlyStopping"]');
      await typeInto(page, 'patience', '1');
      await trainAndWait(page, 120_000);
      const early = await page.evaluate(() => ({
        progress: (document.getElementById('training-progress') as HTMLProgressElement).value,
        eta: document.getElementById('stat-eta')?.textContent,
        summary: document.getElementById('test-summary')?.textContent,
      }));
      expect(early.summary).toContain('early stopping after epoch');
      expect(early.progress).toBe(1);
      expect(early.eta).toBe('stopped early');
      expect((await epochRows(page)).length).toBeLessThan(300);
    });

    it('fits the epoch and compare tables in their panels, with a hint where they scroll', async () => {
      const { page } = demo;
      await page.$eval('.epoch-table', (details) => ((details as HTMLDetailsElement).open = true));
      await page.$eval('.epoch-table', (details) => details.scrollIntoView());
      const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
      expect(await pageWidth()).toBeLessThanOrEqual(width);
      const epochTable = await page.evaluate(() => {
        const frame = document.getElementById('epoch-table-frame') as HTMLElement;
        return {
          overflows: frame.scrollWidth > frame.clientWidth + 1,
          hintShown: !(document.getElementById('epoch-table-hint') as HTMLElement).hidden,
        };
      });
      expect(epochTable.hintShown).toBe(epochTable.overflows);
      if (label === 'phone') expect(epochTable.overflows).toBe(true);
      await viewportShot(page, `${label}-05-epoch-table`);

      const compare = await compareAndWait(page, 'faces-b1');
      expect(compare.rows.length).toBe(2);
      await page.$eval('#compare-panel', (panel) => panel.scrollIntoView());
      expect(await pageWidth()).toBeLessThanOrEqual(width);
      const compareTable = await page.evaluate(() => {
        const frame = document.querySelector('#compare-bars .table-scroll') as HTMLElement;
        const panel = document.getElementById('compare-panel') as HTMLElement;
        return {
          inPanel: frame.getBoundingClientRect().right <= panel.getBoundingClientRect().right,
          overflows: frame.scrollWidth > frame.clientWidth + 1,
          hintShown: !(document.querySelector('#compare-bars .scroll-hint') as HTMLElement).hidden,
        };
      });
      expect(compareTable.inPanel).toBe(true);
      expect(compareTable.hintShown).toBe(compareTable.overflows);
      await viewportShot(page, `${label}-06-compare-table`);
      expect(demo.errors).toEqual([]);
    });
  });
}

describe('a split that holds one class for the task', () => {
  let demo: DemoBrowser;
  beforeAll(async () => {
    demo = await launchDemoBrowser({ width: 1280, height: 800 });
    await openDemo(demo);
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('is named in a warning for pose and expression on the straight-only lists, and not on the all_* lists', async () => {
    const { page } = demo;
    const faces = writePgmFaces(['gina', 'hugo', 'ines']);
    await page.click('input[name="source"][value="pgm"]');
    await chooseFiles(page, '#pgm-files', ...faces.images, ...faces.lists);
    await page.waitForFunction(
      () => (document.getElementById('list-set') as HTMLSelectElement).options.length > 2,
      {
        timeout: 20_000,
      },
    );
    const warning = () =>
      page.$eval('#split-warning', (element) =>
        (element as HTMLElement).hidden ? null : element.textContent,
      );
    expect(await warning()).toBeNull(); // all_*: every pose in every split
    await page.select('#list-set', 'straighteven');
    await page.waitForFunction(() => !(document.getElementById('split-warning') as HTMLElement).hidden, {
      timeout: 20_000,
    });
    expect(await warning()).toBe(
      "The train, validation and test splits each hold one class only for the pose task ('straight'), so accuracy there says nothing about telling the classes apart. Choose another split or task.",
    );
    await page.$eval('#data-panel', (panel) => panel.scrollIntoView());
    await viewportShot(page, 'laptop-07-one-class-warning');
    await page.select('#setup-form [name="task"]', 'expression');
    await page.waitForFunction(
      () => (document.getElementById('split-warning')?.textContent ?? '').includes('expression task'),
      { timeout: 20_000 },
    );
    expect(await warning()).toBe(
      "The validation and test splits each hold one class only for the expression task ('sad', 'angry'), so accuracy there says nothing about telling the classes apart. Choose another split or task.",
    );
    // (the test's all_* lists split the expressions by class too: back to pose for the all_* lists)
    await page.select('#setup-form [name="task"]', 'pose');
    await page.waitForFunction(
      () => (document.getElementById('split-warning')?.textContent ?? '').includes('pose task'),
      { timeout: 20_000 },
    );
    await page.select('#list-set', 'all');
    await page.waitForFunction(() => (document.getElementById('split-warning') as HTMLElement).hidden, {
      timeout: 20_000,
    });
    expect(demo.errors).toEqual([]);
  });
});
