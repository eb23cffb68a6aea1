// Both exports loaded by their real consumers: @tensorflow/tfjs (pure JS, from memory) and
// onnxruntime-web (WebAssembly, in Node). Their predictions must agree with ours to 1e-5.

import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { Activation, Loss } from '../../src/model/spec.js';
import type { Network } from '../../src/network.js';

const networks: { name: string; hidden: Activation[]; output: Activation; loss: Loss }[] = [
  { name: 'sigmoid → sigmoid', hidden: ['sigmoid'], output: 'sigmoid', loss: 'squared-error' },
  {
    name: 'tanh, relu → softmax',
    hidden: ['tanh', 'relu'],
    output: 'softmax',
    loss: 'softmax-cross-entropy',
  },
  { name: 'leaky-relu → linear', hidden: ['leaky-relu'], output: 'linear', loss: 'squared-error' },
];
const inputSize = 6;
const count = 16;
const inputs = Float32Array.from({ length: count * inputSize }, (_, k) => Math.sin(k * 1.7) * 2);

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'cpu' });
  ort.env.wasm.numThreads = 1;
  await tf.setBackend('cpu');
});
afterAll(() => engine.dispose());

/** A network with large enough random weights that every unit's nonlinearity matters. */
function makeNetwork({ hidden, output, loss }: (typeof networks)[number]): Network {
  return engine.createNetwork({
    inputSize,
    layers: [...hidden.map((activation) => ({ units: 5, activation })), { units: 3, activation: output }],
    loss,
    init: { kind: 'normal', variance: 2 },
    seed: 4,
  });
}

function expectClose(got: ArrayLike<number>, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) expect(Math.abs(got[k] - expected[k])).toBeLessThan(1e-5);
}

describe.each(networks)('$name', (network) => {
  it('TF.js Layers export loads in @tensorflow/tfjs and predicts the same to 1e-5', async () => {
    const net = makeNetwork(network);
    const expected = await net.predict(inputs);
    const { modelJson, weightsBin } = await net.exportTfjs();
    // Through JSON text and a bare ArrayBuffer, as the files would travel.
    const parsed = JSON.parse(JSON.stringify(modelJson)) as typeof modelJson;
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: parsed.modelTopology,
        weightSpecs: parsed.weightsManifest[0].weights,
        weightData: weightsBin.slice().buffer,
      }),
    );
    const prediction = model.predict(tf.tensor2d(inputs, [count, inputSize])) as tf.Tensor;
    expectClose(await prediction.data(), expected);
    prediction.dispose();
    model.dispose();
    net.dispose();
  });

  it('ONNX export loads in onnxruntime-web and predicts the same to 1e-5', async () => {
    const net = makeNetwork(network);
    const expected = await net.predict(inputs);
    const session = await ort.InferenceSession.create(await net.exportOnnx());
    const result = await session.run({ input: new ort.Tensor('float32', inputs, [count, inputSize]) });
    expect(result.output.dims).toEqual([count, 3]);
    expectClose(result.output.data as Float32Array, expected);
    await session.release();
    net.dispose();
  });
});
