// The Node platform's kernel-choice file (src/node-platform.ts): choices written by one process are read by
// the next; a damaged or oversized file is ignored, and the next choice replaces it.
import { copyFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelChoicesFile } from '../src/node-platform.js';
import { nodePlatform } from '../src/platform.js';

const saved = `${kernelChoicesFile}.test-saved`;
beforeAll(() => {
  if (existsSync(kernelChoicesFile)) copyFileSync(kernelChoicesFile, saved);
});
afterAll(() => {
  if (existsSync(saved)) {
    copyFileSync(saved, kernelChoicesFile);
    rmSync(saved);
  } else rmSync(kernelChoicesFile, { force: true });
});

describe('kernelChoices', () => {
  it("are kept, in the tests, in the file WEBGPU_MLP_KERNEL_CHOICES names, not in the machine's", () => {
    expect(process.env.WEBGPU_MLP_KERNEL_CHOICES).toBeTruthy();
    expect(kernelChoicesFile).toBe(process.env.WEBGPU_MLP_KERNEL_CHOICES);
    expect(kernelChoicesFile).not.toBe(join(tmpdir(), 'webgpu-mlp', 'kernel-choices.json'));
  });

  const store = () => {
    const platform = nodePlatform();
    if (!platform) throw new Error('src/node-platform.js did not provide the Node platform');
    return platform.kernelChoices;
  };

  it('keeps what is set, beside earlier keys, in one file', () => {
    rmSync(kernelChoicesFile, { force: true });
    expect(store().get('a')).toBeUndefined();
    store().set('a', 'direct');
    store().set('b', 'staged');
    expect([store().get('a'), store().get('b')]).toEqual(['direct', 'staged']);
    expect(existsSync(kernelChoicesFile)).toBe(true);
  });

  it('ignores a damaged or oversized file, and the next choice replaces it', () => {
    writeFileSync(kernelChoicesFile, '{"a": "dir');
    expect(store().get('a')).toBeUndefined();
    writeFileSync(kernelChoicesFile, JSON.stringify({ a: 'direct', padding: 'x'.repeat(70_000) }));
    expect(store().get('a')).toBeUndefined();
    store().set('c', 'direct');
    expect(store().get('c')).toBe('direct');
    expect(store().get('padding')).toBeUndefined();
  });
});
