// The kernel choices a browser keeps (IndexedDB, which pages and workers share), on fake-indexeddb's
// implementation of the IndexedDB API: kept across visits, and a failing database only means measuring again.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserChoices } from '../../../src/backends/webgpu/browser-choices.js';

afterEach(() => vi.unstubAllGlobals());

describe('browserChoices', () => {
  it('is undefined where there is no IndexedDB (Node)', () => {
    expect(browserChoices()).toBeUndefined();
  });

  it('keeps a choice for a later visit (a new store on the same database)', async () => {
    vi.stubGlobal('indexedDB', new IDBFactory());
    const visit = browserChoices();
    expect(await visit?.get('feed')).toBeUndefined();
    await visit?.set('feed', 'subgroup');
    await visit?.set('other', 'direct');
    const later = browserChoices();
    expect(await later?.get('feed')).toBe('subgroup');
    expect(await later?.get('other')).toBe('direct');
    await later?.set('feed', 'staged');
    expect(await browserChoices()?.get('feed')).toBe('staged');
  });

  it('answers "not kept" when the database cannot be opened, and drops what it cannot keep', async () => {
    const blocked = new IDBFactory();
    vi.spyOn(blocked, 'open').mockImplementation(() => {
      throw new DOMException('storage is blocked', 'SecurityError');
    });
    vi.stubGlobal('indexedDB', blocked);
    const store = browserChoices();
    await expect(store?.set('feed', 'direct')).resolves.toBeUndefined();
    expect(await store?.get('feed')).toBeUndefined();
  });
});
