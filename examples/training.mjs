// examples/training.mjs — run with `npm run build && node examples/training.mjs` in this repository.
// (.ci/run runs it; test/docs/pages.test.ts keeps it in docs/training.md.)
import { createEngine, Network } from 'webgpu-mlp';

const engine = await createEngine({ backend: 'cpu' }); // or 'webgpu' / 'auto': same options, same results
const net = engine.createNetwork({
  inputSize: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
  init: { kind: 'uniform', scale: 1 },
  seed: 5,
});
const xor = { inputs: Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1), targets: Float32Array.of(0, 1, 1, 0) };
const history = await net.fit(xor, {
  epochs: 200,
  batchSize: 4, // full batch; 1 = per-example SGD (the default)
  optimizer: { kind: 'adam', learningRate: 0.1 },
  onEpochEnd: ({ epoch, loss }) => {
    if (epoch % 50 === 0) console.log(`epoch ${epoch}: loss ${loss.toFixed(4)}`);
  },
});
console.log(history.epochs.at(-1)); // { epoch: 200, loss, accuracy: 1, learningRate, examplesPerSecond }
console.log(await net.evaluate(xor)); // { loss, accuracy, count: 4, confusion: [[2, 0], [0, 2]] }

const saved = JSON.stringify(await net.save()); // weights, epoch, optimizer and its state
const loaded = Network.load(saved, engine);
await loaded.fit(xor, { epochs: 10 }); // continues with the saved optimizer (Adam) and its state
const { modelJson, weightsBin } = await net.exportTfjs(); // model.json + weights.bin for TensorFlow.js
const onnx = await net.exportOnnx(); // bytes of an .onnx file
console.log(modelJson.format, weightsBin.byteLength, onnx.byteLength);
engine.dispose();
