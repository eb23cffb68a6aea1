// examples/embedding.mjs — the GPU round trip: data in GPUBuffers, predictions into a GPUBuffer. Run with
// `npm run build && node examples/embedding.mjs` (.ci/run runs it; test/docs/pages.test.ts keeps it
// in the README and docs/embedding.md).
import { create, globals } from 'webgpu'; // in a browser: navigator.gpu instead of these lines
import { createEngine } from 'webgpu-mlp';

Object.assign(globalThis, globals); // GPUBufferUsage and the other WebGPU constants, in Node
const gpu = create([]); // keep `gpu` referenced while the device lives: Dawn aborts if it is collected
const device = await (await gpu.requestAdapter()).requestDevice();
const engine = await createEngine({ device }); // your device: the engine never destroys it
const net = engine.createNetwork({
  inputSize: 2,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binary-cross-entropy',
  init: { kind: 'xavier' },
});
// The round trip (the README shows from here to the blank line):
const gpuArray = (values) => {
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const buffer = device.createBuffer({ size: values.byteLength, usage });
  device.queue.writeBuffer(buffer, 0, values); // in your app: written by your own shaders
  return buffer;
};
const inputs = gpuArray(new Float32Array([0, 0, 0, 1, 1, 0, 1, 1])); // 4 examples × 2, row-major
const targets = gpuArray(new Float32Array([0, 1, 1, 0]));
await net.fit({ inputs, targets, count: 4 }, { epochs: 300, optimizer: { kind: 'adam', learningRate: 0.1 } });
const readbacks = net.stats().readbacks;
const outputs = net.predictBuffer(inputs, 4); // a new GPUBuffer (4 × 1 floats), yours: bind it in your pass
const { version, layers } = net.parameterBuffers(); // the live weights: read-only, valid until dispose()
console.log(net.stats().readbacks - readbacks, version, layers.length); // 0 readbacks, version, 2 layers
const xor = Array.from(await net.predict({ inputs, count: 4 }), Math.round); // predict reads GPU data too
console.log(xor); // [0, 1, 1, 0]

if (xor.join() !== '0,1,1,0') throw new Error(`XOR not learnt: ${xor}`);
outputs.destroy();
engine.dispose();
device.destroy();
