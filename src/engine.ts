// The entry point: an Engine holds one backend (CPU, or WebGPU on a device) and makes networks on it.

import type { Backend, BackendKind } from './backends/backend.js';
import { CpuBackend } from './backends/cpu/cpu-backend.js';
import { WebGpuBackend } from './backends/webgpu/webgpu-backend.js';
import { MlpError } from './errors.js';
import { initParams } from './model/init.js';
import type { NetworkSpec } from './model/spec.js';
import { validateSpec } from './model/validate.js';
import { Network, type NetworkOwner } from './network.js';
import { nodePlatform } from './platform.js';

export interface EngineOptions {
  /** 'auto' (default): WebGPU on a hardware adapter, else the CPU (see createBackend). */
  backend?: 'cpu' | 'webgpu' | 'auto';
  /** Your own GPUDevice for the webgpu backend; the engine never destroys a device it did not create. */
  device?: GPUDevice;
  /**
   * No notices on stderr (which backend 'auto' chose, the SwiftShader fallback): for apps that embed the
   * engine and say it their own way. The environment variable WEBGPU_MLP_QUIET=1 does the same.
   */
  quiet?: boolean;
}

/** One line on stderr, unless the app asked for quiet. */
function notice(options: EngineOptions, message: string): void {
  const quietByEnvironment = typeof process !== 'undefined' && Boolean(process.env?.WEBGPU_MLP_QUIET);
  if (!options.quiet && !quietByEnvironment) console.warn(`webgpu-mlp: ${message}`);
}

const backendChoices = ['cpu', 'webgpu', 'auto'] as const;

/**
 * Makes the backend an engine runs on. This is the one place that knows the backends.
 * 'webgpu' without an adapter is MlpError('no-adapter') saying what to install; 'auto' then warns once and
 * takes the CPU. 'auto' also passes over SwiftShader, the CPU emulation of a GPU that machines without one
 * fall back to: it trains slower than the CPU backend (Mitchell's faces network: minutes against seconds on
 * two cores). A device you pass is always used (and never destroyed).
 */
async function createBackend(
  choice: (typeof backendChoices)[number],
  options: EngineOptions,
): Promise<Backend> {
  if (choice === 'cpu') return new CpuBackend();
  if (options.device) return WebGpuBackend.create(options.device);
  if (choice === 'webgpu') {
    const gpu = await WebGpuBackend.create();
    const fallback = nodePlatform()?.swiftShaderFallback();
    if (fallback) {
      notice(
        options,
        `no GPU driver found; WebGPU runs on SwiftShader (${fallback}), a CPU emulation of a GPU.`,
      );
    }
    return gpu;
  }
  let gpu: WebGpuBackend;
  try {
    gpu = await WebGpuBackend.acquire();
  } catch (error) {
    if (!(error instanceof MlpError) || error.code !== 'no-adapter') throw error;
    notice(options, `backend 'auto' uses the CPU. ${error.message}`);
    return new CpuBackend();
  }
  if (!/swiftshader/i.test(gpu.adapterDescription)) {
    await gpu.chooseKernels();
    return gpu;
  }
  // Before any kernel choice is measured: on SwiftShader that takes about 2 s the first time.
  gpu.dispose();
  notice(
    options,
    "backend 'auto' uses the CPU: the only WebGPU adapter is SwiftShader, a CPU emulation of a " +
      "GPU that trains slower than the CPU backend (ask for backend 'webgpu' to use it anyway).",
  );
  return new CpuBackend();
}

export class Engine implements NetworkOwner {
  private readonly networks = new Set<Network>();
  private disposed = false;

  /** Made by createEngine(). */
  constructor(private readonly backendImpl: Backend) {}

  /** Which backend the engine's networks compute on. */
  get backend(): BackendKind {
    return this.backendImpl.kind;
  }

  /** e.g. "cpu (float64 accumulation)" or "google swiftshader" */
  get adapterDescription(): string {
    return this.backendImpl.adapterDescription;
  }

  /** A new network with weights initialised from spec.init and spec.seed (see README, Initialisation). */
  createNetwork(spec: NetworkSpec): Network {
    this.checkAlive();
    const validated = validateSpec(spec);
    const network = new Network(
      validated,
      this.backendImpl.createNetwork(validated, initParams(validated)),
      this,
    );
    this.networks.add(network);
    return network;
  }

  /** Networks made by this engine and not yet disposed. */
  get networkCount(): number {
    return this.networks.size;
  }

  /** @internal Network.dispose() calls this. */
  forget(network: Network): void {
    this.networks.delete(network);
  }

  /** Disposes every network the engine made, then the backend. A device you passed in is not destroyed. */
  dispose(): void {
    if (this.disposed) return;
    for (const network of [...this.networks]) network.dispose();
    this.backendImpl.dispose();
    this.disposed = true;
  }

  private checkAlive(): void {
    if (this.disposed) throw new MlpError('disposed', 'this engine was disposed; call createEngine() again');
  }
}

/** An engine on the chosen backend: `await createEngine({ backend: 'cpu' })`. */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const choice = options.backend ?? 'auto';
  if (!backendChoices.includes(choice)) {
    throw new MlpError(
      'invalid-argument',
      `backend: ${JSON.stringify(choice)} is not one of ${backendChoices.join(', ')}`,
    );
  }
  return new Engine(await createBackend(choice, options));
}
