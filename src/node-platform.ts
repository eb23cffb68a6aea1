// The Node half of src/platform.ts: WebGPU through the `webgpu` package (Dawn) and atomic file writes.
// Importing this module provides it.

import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { provideNodePlatform } from './platform.js';

const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

// Dawn wants one create() per process, and the object it returns must stay referenced for the life of
// the process: if it is garbage-collected, the process can exit silently mid-run.
const instances: GPU[] = [];
/**
 * Dawn zero-initialises workgroup memory by default, and on SwiftShader that makes compile time grow with
 * the workgroup arrays (a 8,000-float array: 4 s against 15 ms without). Every kernel writes its workgroup
 * memory before reading it (test/backends/webgpu/workgroup-init.test.ts runs each one on poisoned workgroup
 * memory), so the zeroing is dead work; docs/webgpu-design.md "Pipeline compilation".
 */
export const dawnFlags = ['enable-dawn-features=disable_workgroup_init'];
let found: Promise<GPU | null> | undefined;

async function findDawnAdapter(): Promise<GPU | null> {
  // Loaded on first use, so importing the package costs nothing for CPU-only users.
  const dawn = (await import('webgpu')) as Dawn;
  Object.assign(globalThis, dawn.globals);
  instances.push(dawn.create(dawnFlags));
  if (await instances[0].requestAdapter({ powerPreference: 'high-performance' })) return instances[0];
  if (process.env.VK_ICD_FILENAMES || !existsSync(swiftShaderIcd)) return null;
  // No hardware adapter: fall back to the SwiftShader driver that Debian's chromium ships.
  console.warn(`webgpu-mlp: no hardware WebGPU adapter; using SwiftShader (${swiftShaderIcd}).`);
  process.env.VK_ICD_FILENAMES = swiftShaderIcd;
  instances.push(dawn.create(dawnFlags));
  return (await instances[1].requestAdapter()) ? instances[1] : null;
}

provideNodePlatform({
  workgroupMemoryZeroed: false,
  webgpu() {
    found ??= findDawnAdapter();
    return found;
  },
  async writeFileAtomically(path, text) {
    const partial = `${path}.partial`;
    await writeFile(partial, text);
    await rename(partial, path);
  },
});
