// The Node half of src/platform.ts: WebGPU through the `webgpu` package (Dawn) and checkpoint files.
// Importing this module provides it.

import { existsSync } from 'node:fs';
import { prepareCheckpointPath, writeCheckpointFile } from './node-checkpoints.js';
import { provideNodePlatform } from './platform.js';

const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

// Dawn wants one create() per process, and the object it returns must stay referenced for the life of
// the process: if it is garbage-collected, the process can exit silently mid-run.
const instances: GPU[] = [];
let found: Promise<GPU | null> | undefined;

async function findDawnAdapter(): Promise<GPU | null> {
  // Loaded on first use, so importing the package costs nothing for CPU-only users.
  const dawn = (await import('webgpu')) as Dawn;
  Object.assign(globalThis, dawn.globals);
  instances.push(dawn.create([]));
  if (await instances[0].requestAdapter({ powerPreference: 'high-performance' })) return instances[0];
  if (process.env.VK_ICD_FILENAMES || !existsSync(swiftShaderIcd)) return null;
  // No hardware adapter: fall back to the SwiftShader driver that Debian's chromium ships.
  console.warn(`webgpu-mlp: no hardware WebGPU adapter; using SwiftShader (${swiftShaderIcd}).`);
  process.env.VK_ICD_FILENAMES = swiftShaderIcd;
  instances.push(dawn.create([]));
  return (await instances[1].requestAdapter()) ? instances[1] : null;
}

provideNodePlatform({
  webgpu() {
    found ??= findDawnAdapter();
    return found;
  },
  prepareCheckpointPath,
  writeCheckpointFile,
});
