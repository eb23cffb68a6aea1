// Where a GPUDevice comes from: the caller's (never destroyed by us), navigator.gpu in a browser or
// worker, or the `webgpu` package (Dawn) in Node, through src/platform.ts.

import { nodePlatform } from '../../platform.js';

export interface AcquiredDevice {
  device: GPUDevice;
  /** e.g. "google swiftshader" */
  adapterDescription: string;
  /** true when we created the device and so must destroy it */
  owned: boolean;
  /** whether the implementation zero-initialises workgroup memory (per-example.ts perExampleDevice) */
  workgroupMemoryZeroed: boolean;
}

/**
 * The WebGPU entry point that acquireDevice uses: navigator.gpu, or in Node the one Dawn instance of this
 * process. Other WebGPU code in the same process (the benchmark's TF.js) must use it rather than create
 * another Dawn instance.
 */
export async function webgpuEntryPoint(): Promise<GPU | null> {
  return navigatorGpu() ?? (await nodePlatform()?.webgpu()) ?? null;
}

/** A browser's (or worker's) WebGPU, or what a program put at navigator.gpu in Node. */
function navigatorGpu(): GPU | undefined {
  return typeof navigator !== 'undefined' && navigator.gpu ? navigator.gpu : undefined;
}

export const noAdapterHelp =
  'No WebGPU adapter. In a browser, use a recent Chrome or Edge (chrome://gpu shows WebGPU status). ' +
  'In Node, install the `webgpu` package; on Debian without a GPU also run ' +
  '`apt-get install chromium libvulkan1` and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.';

/** Finds an adapter and creates a device with the adapter's own limits, or returns null when there is none. */
export async function acquireDevice(): Promise<AcquiredDevice | null> {
  const gpu = await webgpuEntryPoint();
  // Only the Node platform's own Dawn instance is known not to zero it, however it is reached.
  const platform = nodePlatform();
  const workgroupMemoryZeroed = gpu && platform?.isOwnEntryPoint(gpu) ? platform.workgroupMemoryZeroed : true;
  const adapter = (await gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  if (!adapter) return null;
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxStorageBuffersPerShaderStage',
  ] as const) {
    requiredLimits[name] = adapter.limits[name];
  }
  // timestamp-query for profiling; subgroups for matmul.wgsl's subgroup feed (matmul-feed.ts)
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((feature) =>
    adapter.features.has(feature),
  );
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  const adapterDescription = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return {
    device,
    adapterDescription: adapterDescription || 'unknown adapter',
    owned: true,
    workgroupMemoryZeroed,
  };
}
