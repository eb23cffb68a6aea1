// examples/library.mjs — run with `npm run build && node examples/library.mjs` in this repository, or in an
// app that installed the package. (.ci/run runs it; test/docs/pages.test.ts keeps it in the README.)
import { createEngine } from 'webgpu-mlp';

const engine = await createEngine({ backend: 'cpu' }); // 'cpu' | 'webgpu' | 'auto' (default); optional device: GPUDevice
const net = engine.createNetwork({
  inputSize: 2,
  layers: [
    { units: 2, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ], // hidden layers, then output
  loss: 'binary-cross-entropy',
  init: { kind: 'xavier' }, // default { kind: 'uniform', scale: 0.05 }
  seed: 1, // default 1
});
const inputs = Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1); // 4 examples × 2 inputs, row-major
const targets = Float32Array.of(0, 1, 1, 0); // 4 examples × 1 output
console.log(await net.predict(inputs)); // Float32Array, 4 × 1
const gradients = await net.gradients(inputs, targets); // ∂(mean loss)/∂(weights, biases)
console.log(gradients[1].weights);
const layers = await net.getWeights(); // [{ weights: units×inputs row-major, biases }] per layer
layers[1].biases[0] = 0.5;
net.setWeights(layers);
net.dispose();
engine.dispose();
