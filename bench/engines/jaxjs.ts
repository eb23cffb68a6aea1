// jax-js (@jax-js/jax) as a reference engine: JAX's model in JavaScript, which traces array code, fuses it
// and generates its Wasm and WebGPU kernels at run time for each shape (docs/benchmarks.md says how). Each
// step is one jitted function of forward pass, gradient (valueAndGrad) and the momentum update, the way
// jax-js's own training examples are written; every step waits for the new parameters (blockUntilReady),
// as jax-js's documentation advises for iterative code (so that pending work does not pile up) and its
// MNIST example does.
//
// In Node, jax-js's webgpu device needs navigator.gpu and navigator.userAgent: provideNavigatorGpu gives it
// our one Dawn instance, so it makes its own device on the same adapter as ours and TF.js's.

import type * as JaxModule from '@jax-js/jax';
import { Random } from '../../src/model/random.js';
import type { BenchEngine, BenchEngineName, PreparedTraining } from '../core/measure.js';
import type { BenchNetwork, SyntheticData } from '../core/networks.js';
import { gpuCallCounts } from './gpu-call-counter.js';
import type { MatmulEngine } from './matmul-engine.js';
import { provideNavigatorGpu } from './navigator.js';
import { packageVersions } from './versions.js';

type Jax = typeof JaxModule;
type JaxArray = JaxModule.Array;
type JaxDevice = 'wasm' | 'webgpu';
/** One dense layer: x·w + b, w of shape [inputs, units]. A type alias, as jax-js's JsTree needs. */
type Layer = { w: JaxArray; b: JaxArray };

export type JaxjsEngineName = Extract<BenchEngineName, `jaxjs-${string}`>;

let loaded: Promise<Jax> | undefined;
const started = new Map<JaxDevice, Promise<void>>();

/** Loads jax-js once, then starts `device` once (its Wasm module, or its WebGPU device on our adapter). */
async function loadJax(device: JaxDevice): Promise<Jax> {
  loaded ??= (async () => {
    await provideNavigatorGpu();
    return import('@jax-js/jax');
  })();
  const jax = await loaded;
  if (!started.has(device)) {
    started.set(
      device,
      jax.init(device).then((devices) => {
        if (!devices.includes(device)) throw new Error(`jax-js could not start its ${device} device.`);
      }),
    );
  }
  await started.get(device);
  return jax;
}

/** Initial weights as the TF.js engine draws them: uniform ±0.05 for sigmoid nets, He normal for ReLU. */
function initialWeights(network: BenchNetwork, inputs: number, units: number, random: Random): Float32Array {
  const values = new Float32Array(inputs * units);
  const scale = Math.sqrt(2 / inputs);
  for (let i = 0; i < values.length; i++) {
    values[i] = network.spec.loss === 'squared-error' ? random.uniform(-0.05, 0.05) : random.normal() * scale;
  }
  return values;
}

/** A prepared training that also keeps each finished epoch's mean loss (as read at the epoch's end). */
export type JaxjsTraining = PreparedTraining & { epochLosses: number[] };

function prepare(jax: Jax, device: JaxDevice, network: BenchNetwork, data: SyntheticData): JaxjsTraining {
  const { numpy: np, nn } = jax;
  const { spec, batchSize, learningRate, momentum } = network;
  const random = new Random(spec.seed ?? 1);
  let layers: Layer[] = [];
  let velocity: Layer[] = [];
  let inputs = spec.inputSize;
  for (const layer of spec.layers) {
    const shape = [inputs, layer.units];
    const w = np.array(initialWeights(network, inputs, layer.units, random), { shape, device });
    layers.push({ w, b: np.zeros([layer.units], { device }) });
    velocity.push({ w: np.zeros(shape, { device }), b: np.zeros([layer.units], { device }) });
    inputs = layer.units;
  }
  const batches: { inputs: JaxArray; targets: JaxArray }[] = [];
  for (let first = 0; first < data.examples; first += batchSize) {
    const rows = Math.min(batchSize, data.examples - first);
    const slice = (values: Float32Array, width: number) =>
      np.array(values.slice(first * width, (first + rows) * width), { shape: [rows, width], device });
    batches.push({
      inputs: slice(data.inputs, data.inputSize),
      targets: slice(data.targets, data.outputSize),
    });
  }
  const softmaxOutput = spec.loss === 'softmax-cross-entropy';

  /** Mean loss over the batch, as in src/model/spec.ts; softmax is folded into the loss. Owns its arguments. */
  function loss(params: Layer[], x: JaxArray, y: JaxArray): JaxArray {
    const rows = y.shape[0];
    let activation = x;
    params.forEach(({ w, b }, index) => {
      const sum = np.matmul(activation, w).add(b);
      const last = index === params.length - 1;
      activation =
        last && softmaxOutput
          ? sum
          : spec.layers[index].activation === 'relu'
            ? nn.relu(sum)
            : nn.sigmoid(sum);
    });
    if (softmaxOutput) return np.sum(y.mul(nn.logSoftmax(activation, -1))).mul(-1 / rows);
    return np.sum(np.square(y.sub(activation))).mul(0.5 / rows);
  }

  // SGD with classic momentum, as ours: v ← α·v − η·g; w ← w + v.
  const step = jax.jit((params: Layer[], moving: Layer[], x: JaxArray, y: JaxArray) => {
    const [value, gradients] = jax.valueAndGrad(loss)(jax.tree.ref(params), x, y);
    const nextVelocity = moving.map((v, index) => ({
      w: v.w.mul(momentum).sub(gradients[index].w.mul(learningRate)),
      b: v.b.mul(momentum).sub(gradients[index].b.mul(learningRate)),
    }));
    const nextParams = params.map((p, index) => ({
      w: p.w.add(nextVelocity[index].w.ref),
      b: p.b.add(nextVelocity[index].b.ref),
    }));
    return [nextParams, nextVelocity, value] as [Layer[], Layer[], JaxArray];
  });

  let position = 0;
  let epochLoss: JaxArray = np.zeros([], { device });
  const epochLosses: number[] = [];
  return {
    batch: batchSize,
    epochLosses,
    async train(steps) {
      for (let taken = 0; taken < steps; taken++) {
        const batch = batches[position];
        const [nextParams, nextVelocity, value] = step(layers, velocity, batch.inputs.ref, batch.targets.ref);
        layers = nextParams;
        velocity = nextVelocity;
        epochLoss = epochLoss.add(value);
        // The next step needs the parameters: wait for them, as jax-js's MNIST example does every step.
        await jax.blockUntilReady(layers);
        position = (position + 1) % batches.length;
        if (position === 0) {
          // The end of an epoch: read its loss, as a training loop that reports progress does.
          const [sum] = await epochLoss.data();
          epochLosses.push(sum / batches.length);
          epochLoss = np.zeros([], { device });
        }
      }
    },
    dispose() {
      step.dispose();
      jax.tree.dispose([layers, velocity, epochLoss, batches]);
    },
  };
}

export interface JaxjsEngine extends BenchEngine {
  prepare(network: BenchNetwork, data: SyntheticData): Promise<JaxjsTraining>;
}

/** jax-js training on its Wasm or WebGPU device. */
export async function jaxjsEngine(name: JaxjsEngineName): Promise<JaxjsEngine> {
  const device: JaxDevice = name === 'jaxjs-webgpu' ? 'webgpu' : 'wasm';
  const jax = await loadJax(device);
  // Its Wasm device runs on workers where there are SharedArrayBuffer and Worker: Node 20 has no Worker.
  const threads = typeof Worker === 'undefined' ? 'one thread' : 'workers';
  const adapter = device === 'webgpu' ? describeAdapter(jax.getWebGPUDevice()) : `wasm (${threads})`;
  // Its WebGPU calls are counted the way TF.js's are: it has no counters of its own.
  const counts = device === 'webgpu' ? gpuCallCounts() : undefined;
  return {
    name,
    adapter,
    versions: packageVersions('@jax-js/jax', ...(device === 'webgpu' ? ['webgpu'] : [])),
    unsupported: () => undefined,
    async prepare(network, data) {
      return { ...prepare(jax, device, network, data), counts };
    },
    dispose() {},
  };
}

function describeAdapter(device: GPUDevice): string {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  return info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') : 'webgpu';
}

/**
 * np.matmul on jax-js's WebGPU device, for the matmul microbenchmark. jax-js arrays are lazy, so each
 * product is waited for (blockUntilReady): a product never waited for nor read might never be computed.
 */
export async function jaxjsMatmul(): Promise<MatmulEngine> {
  const jax = await loadJax('webgpu');
  const { numpy: np } = jax;
  return {
    name: 'jaxjs-webgpu',
    async prepare(size, a, b) {
      const left = np.array(a, { shape: [size, size], device: 'webgpu' });
      const right = np.array(b, { shape: [size, size], device: 'webgpu' });
      return {
        async multiply(count) {
          for (let i = 0; i < count; i++) {
            const product = np.matmul(left.ref, right.ref);
            await product.blockUntilReady();
            product.dispose();
          }
        },
        dispose() {
          left.dispose();
          right.dispose();
        },
      };
    },
  };
}
