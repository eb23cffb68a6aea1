// TensorFlow.js as the reference users would pick instead: its webgpu backend (on the same Dawn adapter
// as ours), its wasm backend and its cpu backend, trained with a hand-written `optimizer.minimize` loop
// over batches sliced once before training (TF.js's fastest path: no tf.data, no model.fit callbacks).

import type * as TF from '@tensorflow/tfjs';
import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';
import type { BenchEngine, BenchEngineName, PreparedTraining, TransferCounts } from '../core/measure.js';
import type { BenchNetwork, SyntheticData } from '../core/networks.js';
import { gpuCallCounts } from './gpu-call-counter.js';
import type { MatmulEngine } from './matmul-engine.js';
import { provideNavigatorGpu } from './navigator.js';
import { packageVersions } from './versions.js';

type Tf = typeof TF;

const backendOf = { 'tfjs-webgpu': 'webgpu', 'tfjs-wasm': 'wasm', 'tfjs-cpu': 'cpu' } as const;
export type TfjsEngineName = keyof typeof backendOf;

let loaded: Promise<Tf> | undefined;

/** Loads TF.js and its webgpu and wasm backends once, with navigator.gpu set to our one Dawn instance. */
function loadTfjs(): Promise<Tf> {
  loaded ??= (async () => {
    // TF.js's webgpu backend looks for navigator.gpu when it registers.
    await provideNavigatorGpu();
    const module = (await import('@tensorflow/tfjs')) as Tf & { default?: Tf };
    const tf = module.default ?? module;
    await import('@tensorflow/tfjs-backend-webgpu');
    await import('@tensorflow/tfjs-backend-wasm');
    return tf;
  })();
  return loaded;
}

interface Layer {
  weights: TF.Variable;
  biases: TF.Variable;
}

function prepare(tf: Tf, network: BenchNetwork, data: SyntheticData, counts?: () => TransferCounts) {
  const { spec, batchSize } = network;
  const layers: Layer[] = [];
  let inputs = spec.inputSize;
  for (const layer of spec.layers) {
    const initial =
      spec.loss === 'squared-error'
        ? tf.randomUniform([inputs, layer.units], -0.05, 0.05)
        : tf.randomNormal([inputs, layer.units], 0, Math.sqrt(2 / inputs));
    layers.push({ weights: tf.variable(initial), biases: tf.variable(tf.zeros([layer.units])) });
    initial.dispose();
    inputs = layer.units;
  }
  const batches: { inputs: TF.Tensor2D; targets: TF.Tensor2D }[] = [];
  for (let first = 0; first < data.examples; first += batchSize) {
    const rows = Math.min(batchSize, data.examples - first);
    batches.push({
      inputs: tf.tensor2d(data.inputs.subarray(first * data.inputSize, (first + rows) * data.inputSize), [
        rows,
        data.inputSize,
      ]),
      targets: tf.tensor2d(data.targets.subarray(first * data.outputSize, (first + rows) * data.outputSize), [
        rows,
        data.outputSize,
      ]),
    });
  }
  const optimizer = tf.train.momentum(network.learningRate, network.momentum);
  const softmaxOutput = spec.loss === 'softmax-cross-entropy';

  /** Mean loss over the batch, as in src/model/spec.ts; softmax is folded into the loss (TF.js's way). */
  function loss(batch: (typeof batches)[number]): TF.Scalar {
    let activation: TF.Tensor2D = batch.inputs;
    layers.forEach(({ weights, biases }, index) => {
      const sum = tf.add(tf.matMul(activation, weights), biases) as TF.Tensor2D;
      const last = index === layers.length - 1;
      activation =
        last && softmaxOutput
          ? sum
          : spec.layers[index].activation === 'relu'
            ? tf.relu(sum)
            : tf.sigmoid(sum);
    });
    if (softmaxOutput) return tf.losses.softmaxCrossEntropy(batch.targets, activation) as TF.Scalar;
    return tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(batch.targets, activation)))), batch.inputs.shape[0]);
  }

  let position = 0;
  let epochLoss: TF.Tensor = tf.scalar(0);
  const training: PreparedTraining = {
    batch: batchSize,
    async train(steps) {
      for (let step = 0; step < steps; step++) {
        const cost = optimizer.minimize(() => loss(batches[position]), true) as TF.Scalar;
        const sum = tf.add(epochLoss, cost);
        epochLoss.dispose();
        cost.dispose();
        epochLoss = sum;
        position = (position + 1) % batches.length;
        if (position === 0) {
          // The end of an epoch: read its loss (one readback), as a training loop that reports progress does.
          await epochLoss.data();
          epochLoss.dispose();
          epochLoss = tf.scalar(0);
        }
      }
      // Finish the queued GPU work inside the timed region.
      if (position !== 0) await epochLoss.data();
    },
    counts,
    dispose() {
      for (const { weights, biases } of layers) {
        weights.dispose();
        biases.dispose();
      }
      for (const batch of batches) {
        batch.inputs.dispose();
        batch.targets.dispose();
      }
      epochLoss.dispose();
      optimizer.dispose();
    },
  };
  return training;
}

export async function tfjsEngine(name: TfjsEngineName): Promise<BenchEngine> {
  const tf = await loadTfjs();
  const backend = backendOf[name];
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js could not start its ${backend} backend.`);
  await tf.ready();
  const counts = name === 'tfjs-webgpu' ? gpuCallCounts() : undefined;
  const adapter =
    name === 'tfjs-webgpu'
      ? await describeTfjsAdapter(tf)
      : name === 'tfjs-wasm'
        ? `wasm (${await describeWasm(tf)})`
        : 'cpu (JavaScript)';
  return {
    name: name as BenchEngineName,
    adapter,
    versions: packageVersions(
      '@tensorflow/tfjs',
      ...(name === 'tfjs-webgpu' ? ['@tensorflow/tfjs-backend-webgpu', 'webgpu'] : []),
      ...(name === 'tfjs-wasm' ? ['@tensorflow/tfjs-backend-wasm'] : []),
    ),
    unsupported: () => undefined,
    async prepare(network, data) {
      await tf.setBackend(backend);
      const training = prepare(tf, network, data, counts);
      return {
        ...training,
        async train(steps) {
          // Engines alternate: make this one's backend current again (its tensors live there).
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
          await training.train(steps);
        },
      };
    },
    dispose() {},
  };
}

async function describeTfjsAdapter(tf: Tf): Promise<string> {
  const backend = tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } };
  const gpu = await webgpuEntryPoint();
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  const info = adapter?.info ?? backend.adapterInfo;
  return [info?.vendor, info?.architecture, (info as GPUAdapterInfo | undefined)?.description]
    .filter(Boolean)
    .join(' ');
}

async function describeWasm(tf: Tf): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  return [simd ? 'SIMD' : 'no SIMD', threads ? 'threads' : 'one thread'].join(', ');
}

/** tf.matMul on TF.js's webgpu backend, for the matmul microbenchmark. */
export async function tfjsMatmul(): Promise<MatmulEngine> {
  const tf = await loadTfjs();
  return {
    name: 'tfjs-webgpu',
    async prepare(size, a, b) {
      await tf.setBackend('webgpu');
      const left = tf.tensor2d(a, [size, size]);
      const right = tf.tensor2d(b, [size, size]);
      return {
        async multiply(count) {
          if (tf.getBackend() !== 'webgpu') await tf.setBackend('webgpu');
          let product: TF.Tensor | undefined;
          for (let i = 0; i < count; i++) {
            product?.dispose();
            product = tf.matMul(left, right);
          }
          await product?.data();
          product?.dispose();
        },
        dispose() {
          left.dispose();
          right.dispose();
        },
      };
    },
  };
}
