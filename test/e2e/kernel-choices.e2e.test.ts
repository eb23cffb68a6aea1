// The kernel choice the library measures for an adapter (matmul-feed.ts) is kept in the browser's IndexedDB,
// which the demo's training worker shares with its page: measured on the first visit only, not on every
// page load (about 1 s of a page's start on SwiftShader, 3 s when staged was measured too).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoBrowser, launchDemoBrowser } from './helpers/browser.js';

/** Every kept kernel choice of the page's origin, as [key, value]. */
function keptChoices(): Promise<[string, unknown][]> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open('webgpu-mlp');
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const database = opening.result;
      if (!database.objectStoreNames.contains('kernel-choices')) return resolve([]);
      const table = database.transaction('kernel-choices').objectStore('kernel-choices');
      const keys = table.getAllKeys();
      const values = table.getAll();
      values.onsuccess = () => resolve(keys.result.map((key, i) => [String(key), values.result[i]]));
      values.onerror = () => reject(values.error);
    };
  });
}

function keepChoice(key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open('webgpu-mlp');
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const transaction = opening.result.transaction('kernel-choices', 'readwrite');
      transaction.objectStore('kernel-choices').put(value, key);
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
    };
  });
}

describe('kernel choices in a browser', () => {
  let demo: DemoBrowser;
  beforeAll(async () => {
    demo = await launchDemoBrowser();
  });
  afterAll(async () => {
    await demo?.close();
  });

  const loadDemo = async () => {
    await demo.page.goto(inject('demoUrl'), { waitUntil: 'networkidle0' });
    // The status appears once the worker's engine exists, its matmul feed chosen.
    await demo.page.waitForFunction(
      () => document.getElementById('backend-status')?.dataset.kind !== 'checking',
      { timeout: 60_000 },
    );
    expect(await demo.page.$eval('#backend-status', (element) => element.textContent)).toMatch(/^WebGPU/);
  };

  it("are measured by the demo's worker on the first visit and kept in IndexedDB for the next", async () => {
    await loadDemo();
    const kept = await demo.page.evaluate(keptChoices);
    expect(kept).toHaveLength(1);
    const [[key, measured]] = kept;
    expect(key).toMatch(/^webgpu-mlp matmul feed .*swiftshader/i);
    expect(['direct', 'subgroup']).toContain(measured);

    // A kept choice is taken without measuring: a measurement would write its own answer back over the
    // other feed kept here (on SwiftShader subgroup, 1.2× direct's speed with the same bits).
    const other = measured === 'subgroup' ? 'direct' : 'subgroup';
    await demo.page.evaluate(keepChoice, key, other);
    await loadDemo();
    expect(await demo.page.evaluate(keptChoices)).toEqual([[key, other]]);
    expect(demo.errors).toEqual([]);
  });
});
