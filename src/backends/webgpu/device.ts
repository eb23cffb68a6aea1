// Where a GPUDevice comes from: the caller's (never destroyed by us), navigator.gpu in a browser or
// worker, or the `webgpu` package (Dawn) in Node.

const swiftShaderIcd = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface AcquiredDevice {
  device: GPUDevice;
  /** e.g. "google swiftshader" */
  adapterDescription: string;
  /** true when we created the device and so must destroy it */
  owned: boolean;
}

// Dawn wants one create() per process, and the object it returns must stay referenced for the life of
// the process: if it is garbage-collected, the process can exit silently mid-run.
const nodeInstances: GPU[] = [];

async function nodeGpu(): Promise<GPU | undefined> {
  if (nodeInstances.length > 0) return nodeInstances[nodeInstances.length - 1];
  // A variable specifier keeps bundlers from trying to pack the native addon into browser builds.
  const packageName = 'webgpu';
  const dawn = (await import(/* @vite-ignore */ packageName)) as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  nodeInstances.push(gpu);
  return gpu;
}

async function nodeAdapter(): Promise<GPUAdapter | null> {
  const gpu = await nodeGpu();
  const adapter = (await gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
  if (adapter || process.env.VK_ICD_FILENAMES) return adapter;
  const { existsSync } = await import('node:fs');
  if (!existsSync(swiftShaderIcd)) return null;
  // No hardware adapter: fall back to the SwiftShader driver that Debian's chromium ships.
  console.warn(`webgpu-mlp: no hardware WebGPU adapter; using SwiftShader (${swiftShaderIcd}).`);
  process.env.VK_ICD_FILENAMES = swiftShaderIcd;
  const dawn = (await import(/* @vite-ignore */ 'webgpu')) as { create(flags: string[]): GPU };
  const fallback = dawn.create([]);
  nodeInstances.push(fallback);
  return fallback.requestAdapter();
}

/**
 * The WebGPU entry point that acquireDevice uses: navigator.gpu, or in Node the one Dawn instance of this
 * process. Other WebGPU code in the same process (the benchmark's TF.js) must use it rather than create
 * another Dawn instance.
 */
export async function webgpuEntryPoint(): Promise<GPU | null> {
  if (typeof navigator !== 'undefined' && navigator.gpu) return navigator.gpu;
  if (!isNode() || !(await nodeAdapter())) return null;
  return nodeInstances[nodeInstances.length - 1];
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

export const noAdapterHelp =
  'No WebGPU adapter. In a browser, use a recent Chrome or Edge (chrome://gpu shows WebGPU status). ' +
  'In Node, install the `webgpu` package; on Debian without a GPU also run ' +
  '`apt-get install chromium libvulkan1` and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.';

/** Finds an adapter and creates a device with the adapter's own limits, or returns null when there is none. */
export async function acquireDevice(): Promise<AcquiredDevice | null> {
  const adapter =
    typeof navigator !== 'undefined' && navigator.gpu
      ? await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' })
      : isNode()
        ? await nodeAdapter()
        : null;
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
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query')
    ? ['timestamp-query']
    : [];
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const info = adapter.info;
  const adapterDescription = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
  return { device, adapterDescription: adapterDescription || 'unknown adapter', owned: true };
}
