// What only Node can do, kept out of the browser build: src/node-platform.ts provides it when the package is
// imported in Node (package.json's "node" export condition, and `webgpu-mlp/node`), so a browser bundle of
// `webgpu-mlp` holds no Node module, native addon or file system code.

export interface NodePlatform {
  /** The WebGPU entry point of the `webgpu` package (Dawn), one per process; null when it has no adapter. */
  webgpu(): Promise<GPU | null>;
  /** Whether that Dawn instance zero-initialises workgroup memory (node-platform.ts turns it off). */
  readonly workgroupMemoryZeroed: boolean;
  /**
   * Whether `gpu` is that Dawn instance (made with this platform's flags), also where it is reached through
   * `navigator.gpu` (the benchmark sets it for its reference engines); never makes one.
   */
  isOwnEntryPoint(gpu: GPU): boolean;
  /**
   * Whether a pending WebGPU promise keeps the main thread busy: the `webgpu` package polls Dawn on every
   * turn of the event loop while one is pending, so readbacks poll instead (backends/webgpu/readback-wait.ts).
   */
  readonly pendingPromisesSpin: boolean;
  /** The SwiftShader driver webgpu() pointed Dawn at because the system has no GPU driver, or null. */
  swiftShaderFallback(): string | null;
  /** Checks a checkpoint file's folder can be written and removes a crashed run's temporary files. */
  prepareCheckpointPath(path: string): Promise<void>;
  /** Writes a checkpoint whole or not at all, keeping the one it replaces (see src/node-checkpoints.ts). */
  writeCheckpointFile(path: string, text: string): Promise<void>;
  /** Kernel choices measured on this machine, kept for later processes (matmul-feed.ts). */
  readonly kernelChoices: ChoiceStore;
}

/**
 * Small strings by key that outlive the process: a cache, so losing them only costs a measurement. Node's
 * file answers at once, a browser's IndexedDB (backends/webgpu/browser-choices.ts) through promises.
 */
export interface ChoiceStore {
  get(key: string): string | undefined | Promise<string | undefined>;
  set(key: string, value: string): void | Promise<void>;
}

let provided: NodePlatform | undefined;

export function provideNodePlatform(platform: NodePlatform): void {
  provided = platform;
}

/** The Node platform, or undefined in a browser (or when Node code imported a browser-only entry). */
export function nodePlatform(): NodePlatform | undefined {
  return provided;
}
