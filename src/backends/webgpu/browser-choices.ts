// Kernel choices kept in a browser for later visits (matmul-feed.ts): IndexedDB, which a page and its
// workers share (localStorage is a page's only, and the demo trains in a worker). It is a cache, so any
// failure (storage blocked, a private window, a full quota) only means measuring again.

import type { ChoiceStore } from '../../platform.js';

const databaseName = 'webgpu-mlp';
const tableName = 'kernel-choices';

function settled<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function openDatabase(): Promise<IDBDatabase> {
  const request = indexedDB.open(databaseName, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(tableName);
  return settled(request);
}

/** The browser's IndexedDB as a ChoiceStore, or undefined where there is none (Node). */
export function browserChoices(): ChoiceStore | undefined {
  if (typeof indexedDB === 'undefined') return undefined;
  let database: Promise<IDBDatabase> | undefined;
  const table = async (mode: IDBTransactionMode) => {
    database ??= openDatabase();
    return (await database).transaction(tableName, mode).objectStore(tableName);
  };
  return {
    async get(key) {
      try {
        const value: unknown = await settled((await table('readonly')).get(key));
        return typeof value === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      try {
        await settled((await table('readwrite')).put(value, key));
      } catch {
        // the next visit measures again
      }
    },
  };
}
