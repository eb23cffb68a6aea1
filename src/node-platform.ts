// The Node half of src/platform.ts: WebGPU through the `webgpu` package (Dawn) and checkpoint files.
// Importing this module provides it.

import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareCheckpointPath, writeCheckpointFile } from './node-checkpoints.js';
import { type ChoiceStore, provideNodePlatform } from './platform.js';

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
/** The SwiftShader driver Dawn was pointed at because the system offered no GPU, or null. */
let fallbackDriver: string | null = null;

/**
 * Whether the Vulkan loader will find a driver: one named by its environment variables, or a manifest in
 * its folders on Linux. Elsewhere Dawn uses Metal or Direct3D, so this is only asked on Linux.
 */
function vulkanDriverInstalled(): boolean {
  const env = process.env;
  if (env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES || env.VK_ADD_DRIVER_FILES) return true;
  const home = env.HOME ? [env.XDG_DATA_HOME || `${env.HOME}/.local/share`] : [];
  const folders = [
    ...(env.XDG_CONFIG_DIRS || '/etc/xdg').split(':'),
    '/etc',
    ...home,
    ...(env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':'),
    '/usr/share',
  ];
  return folders.some((folder) => {
    try {
      return readdirSync(`${folder}/vulkan/icd.d`).some((name) => name.endsWith('.json'));
    } catch {
      return false;
    }
  });
}

function useSwiftShader(): void {
  process.env.VK_ICD_FILENAMES = swiftShaderIcd;
  fallbackDriver = swiftShaderIcd;
}

async function findDawnAdapter(): Promise<GPU | null> {
  // Loaded on first use, so importing the package costs nothing for CPU-only users.
  const dawn = (await import('webgpu')) as Dawn;
  Object.assign(globalThis, dawn.globals);
  // Without any Vulkan driver, Dawn's first instance would print the loader's "Found no drivers" warnings
  // (with paths from Dawn's build machine) before our own notice: point it at SwiftShader before it starts.
  const swiftShaderPresent = existsSync(swiftShaderIcd);
  if (process.platform === 'linux' && swiftShaderPresent && !vulkanDriverInstalled()) useSwiftShader();
  instances.push(dawn.create(dawnFlags));
  if (await instances[0].requestAdapter({ powerPreference: 'high-performance' })) return instances[0];
  if (process.env.VK_ICD_FILENAMES || !swiftShaderPresent) return null;
  // A driver that offers no adapter: fall back to the SwiftShader driver that Debian's chromium ships.
  useSwiftShader();
  instances.push(dawn.create(dawnFlags));
  return (await instances[1].requestAdapter()) ? instances[1] : null;
}

/**
 * Where kernel choices measured on this machine are kept (docs/webgpu-kernels.md): delete it to measure
 * again. WEBGPU_MLP_KERNEL_CHOICES names another file (the tests keep theirs apart from the machine's).
 */
export const kernelChoicesFile =
  process.env.WEBGPU_MLP_KERNEL_CHOICES || join(tmpdir(), 'webgpu-mlp', 'kernel-choices.json');
/** A kernel-choice file larger than this is not ours: it is ignored (and replaced at the next choice). */
const maxChoicesBytes = 64 * 1024;

function readChoices(): Record<string, unknown> {
  try {
    if (statSync(kernelChoicesFile).size > maxChoicesBytes) return {};
    const parsed: unknown = JSON.parse(readFileSync(kernelChoicesFile, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const kernelChoices: ChoiceStore = {
  get(key) {
    const value = readChoices()[key];
    return typeof value === 'string' ? value : undefined;
  },
  set(key, value) {
    // Written whole through a rename, so a reader in another process never sees half a file. A cache: a
    // failure (a read-only temp folder) only costs the next process a measurement.
    const partial = `${kernelChoicesFile}.${process.pid}.partial`;
    try {
      mkdirSync(dirname(kernelChoicesFile), { recursive: true });
      writeFileSync(partial, JSON.stringify({ ...readChoices(), [key]: value }));
      renameSync(partial, kernelChoicesFile);
    } catch {
      // nothing kept
    }
  },
};

provideNodePlatform({
  kernelChoices,
  workgroupMemoryZeroed: false,
  pendingPromisesSpin: true,
  webgpu() {
    found ??= findDawnAdapter();
    return found;
  },
  isOwnEntryPoint(gpu) {
    return instances.includes(gpu);
  },
  swiftShaderFallback() {
    return fallbackDriver;
  },
  prepareCheckpointPath,
  writeCheckpointFile,
});
