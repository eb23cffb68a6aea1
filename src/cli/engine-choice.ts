// Which engine the command line trains on. `--backend auto` means the fastest backend here: WebGPU on a real
// GPU, else the CPU. SwiftShader, the CPU emulation of a GPU that machines without one fall back to, trains
// Mitchell's per-example network far slower than the CPU backend (on a 2-core machine, 100 epochs of the
// faces took 1.8 s on the CPU and minutes on SwiftShader), so 'auto' passes it over; `--backend webgpu`
// still takes it.

import { createEngine, type Engine } from '../engine.js';
import { MlpError } from '../errors.js';

export type BackendChoice = 'webgpu' | 'cpu' | 'auto';

export async function cliEngine(choice: BackendChoice): Promise<Engine> {
  if (choice !== 'auto') return createEngine({ backend: choice });
  let gpu: Engine;
  try {
    gpu = await createEngine({ backend: 'webgpu' });
  } catch (error) {
    if (!(error instanceof MlpError) || error.code !== 'no-adapter') throw error;
    process.stderr.write(`webgpu-mlp: backend 'auto' uses the CPU. ${error.message}\n`);
    return createEngine({ backend: 'cpu' });
  }
  if (!/swiftshader/i.test(gpu.adapterDescription)) return gpu;
  gpu.dispose();
  process.stderr.write(
    "webgpu-mlp: backend 'auto' uses the CPU: the only WebGPU adapter is SwiftShader, a CPU emulation of a GPU " +
      'that is slower than the CPU backend (add --backend webgpu to use it anyway)\n',
  );
  return createEngine({ backend: 'cpu' });
}
