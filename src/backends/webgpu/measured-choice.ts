// Kernel choices that depend on the adapter, decided by a short measurement at first use and kept: in this
// process for every later device of the adapter, and in a ChoiceStore for later processes (Node: a file in
// the temp folder, node-platform.ts; a browser: IndexedDB, browser-choices.ts). matmul-feed.ts (how the
// products are fed) and per-example-workgroup.ts (the per-example kernel's workgroup size) measure through it.

import { type ChoiceStore, nodePlatform } from '../../platform.js';
import { browserChoices } from './browser-choices.js';

/** Where choices are kept for later processes: the Node platform's file, else the browser's IndexedDB. */
export function defaultChoiceStore(): ChoiceStore | undefined {
  return nodePlatform()?.kernelChoices ?? browserChoices();
}

const measuredByKey = new Map<string, Promise<string>>();

/**
 * The choice `what` among `candidates` for `device`'s adapter: kept in this process or in `store` under a
 * key of the adapter and the candidates, with a hash of `source` beside the choice (a changed kernel is
 * measured again, and its choice replaces the old one, so a store holds one choice per adapter and set of
 * candidates however often the library changes), else `measure()`d once and kept. A measurement that
 * fails (a lost device) is not the adapter's answer: the next device measures again.
 */
export function measuredChoice<Choice extends string>(
  what: string,
  device: GPUDevice,
  candidates: readonly Choice[],
  source: string,
  store: ChoiceStore | undefined,
  measure: () => Promise<Choice>,
): Promise<Choice> {
  const key = `webgpu-mlp ${what} ${adapterKey(device)} ${candidates.join(',')}`;
  const version = hash(source);
  const inProcess = `${key} ${version}`;
  let measured = measuredByKey.get(inProcess);
  if (!measured) {
    measured = keptOrMeasured(key, version, candidates, store, measure);
    measuredByKey.set(inProcess, measured);
    measured.catch(() => measuredByKey.delete(inProcess));
  }
  return measured as Promise<Choice>;
}

/** The store keeps `${version} ${choice}` under `key`. */
async function keptOrMeasured<Choice extends string>(
  key: string,
  version: string,
  candidates: readonly Choice[],
  store: ChoiceStore | undefined,
  measure: () => Promise<Choice>,
): Promise<Choice> {
  const stored = await store?.get(key);
  const kept = candidates.find((candidate) => stored === `${version} ${candidate}`);
  if (kept) return kept;
  const choice = await measure();
  await store?.set(key, `${version} ${choice}`);
  return choice;
}

/** FNV-1a of a text, in hex. */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 0x01000193);
  return (value >>> 0).toString(16);
}

function adapterKey(device: GPUDevice): string {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const { vendor, architecture, device: id, description, isFallbackAdapter } = info ?? {};
  return JSON.stringify([vendor, architecture, id, description, isFallbackAdapter]);
}
