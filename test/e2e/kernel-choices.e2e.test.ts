// The kernel choices the library measures for an adapter (matmul-feed.ts, per-example-workgroup.ts) are kept in
// the browser's IndexedDB, which the demo's training worker shares with its page: measured on the first
// visit only, not on every page load (about 2 s of a page's start on SwiftShader).
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
    const kept = new Map(await demo.page.evaluate(keptChoices));
    const keyOf = (what: string) =>
      [...kept.keys()].find((key) => key.startsWith(`webgpu-mlp ${what} `)) ?? '';
    const feedKey = keyOf('matmul feed');
    const sizeKey = keyOf('per-example workgroup size');
    expect(kept.size).toBe(2);
    expect(feedKey).toMatch(/swiftshader/i);
    expect(sizeKey).toMatch(/swiftshader.* 4,8,16$/i);
    // Each value is the kernels' version (a hash of their source), then the choice.
    const [feedVersion, feed] = String(kept.get(feedKey)).split(' ');
    const [sizeVersion, size] = String(kept.get(sizeKey)).split(' ');
    expect(feedVersion).toMatch(/^[0-9a-f]+$/);
    expect(['direct', 'subgroup', 'texels']).toContain(feed);
    expect(sizeVersion).toMatch(/^[0-9a-f]+$/);
    expect(['4', '8', '16']).toContain(size);

    // Kept choices are taken without measuring: a measurement would write its own answer back over the
    // other candidates kept here (on SwiftShader direct, slower than subgroup and texels with the same
    // bits, and 4 invocations, the rule's size, which another must beat by 20%).
    const otherFeed = `${feedVersion} ${feed === 'direct' ? 'subgroup' : 'direct'}`;
    const otherSize = `${sizeVersion} ${size === '4' ? '8' : '4'}`;
    await demo.page.evaluate(keepChoice, feedKey, otherFeed);
    await demo.page.evaluate(keepChoice, sizeKey, otherSize);
    await loadDemo();
    expect(new Map(await demo.page.evaluate(keptChoices))).toEqual(
      new Map([
        [feedKey, otherFeed],
        [sizeKey, otherSize],
      ]),
    );
    expect(demo.errors).toEqual([]);
  });
});
