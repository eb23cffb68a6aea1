// An app that embeds webgpu-mlp at the GPU level (docs/embedding.md), in a page: its own compute pass writes
// the training data into GPUBuffers, the network trains on them in place, predicts into a GPUBuffer that the
// app's next pass reads, and that pass also reads the live weights (parameterBuffers). What comes back to the
// CPU is only what the page checks and shows, with the error codes of misused buffers.
// test/e2e/embed-app.e2e.test.ts builds it with Vite and runs it.
import { createEngine, type LayerParams, type NetworkSpec } from 'webgpu-mlp';

const count = 64; // XOR's four cases, 16 times over
const spec: NetworkSpec = {
  inputSize: 2,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'binary-cross-entropy',
  init: { kind: 'xavier' },
  seed: 3,
};
const fitOptions = { epochs: 150, batchSize: 8, optimizer: { kind: 'adam', learningRate: 0.05 } } as const;

// The app's data pass: example i is XOR of the two low bits of i.
const makeDataWgsl = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> inputs: array<f32>;   // [count, 2]
@group(0) @binding(1) var<storage, read_write> targets: array<f32>;  // [count, 1]
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i >= arrayLength(&targets)) { return; }
  let a = i & 1u;
  let b = (i >> 1u) & 1u;
  inputs[2u * i] = f32(a);
  inputs[2u * i + 1u] = f32(b);
  targets[i] = f32(a ^ b);
}`;

// The app's next pass: counts the right predictions, and copies one layer's parameters (read through the
// offsets parameterBuffers() gives) to check them against getWeights().
const useOutputsWgsl = /* wgsl */ `
struct Layer { weightsOffset: u32, biasesOffset: u32, weights: u32, units: u32 }
@group(0) @binding(0) var<storage, read> predictions: array<f32>;  // [count, 1], from predictBuffer
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read> parameters: array<f32>;   // a layer's live parameter buffer
@group(0) @binding(3) var<uniform> layer: Layer;
@group(0) @binding(4) var<storage, read_write> correct: atomic<u32>;
@group(0) @binding(5) var<storage, read_write> copied: array<f32>;  // weights, then biases
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
  let i = id.x;
  if (i < arrayLength(&targets) && round(predictions[i]) == targets[i]) { atomicAdd(&correct, 1u); }
  if (i < layer.weights) { copied[i] = parameters[layer.weightsOffset / 4u + i]; }
  else if (i < layer.weights + layer.units) { copied[i] = parameters[layer.biasesOffset / 4u + i - layer.weights]; }
}`;

async function main(): Promise<Record<string, unknown>> {
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  const device = await adapter.requestDevice();
  const engine = await createEngine({ device });
  const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const inputs = device.createBuffer({ label: 'app inputs', size: count * 2 * 4, usage: storage });
  const targets = device.createBuffer({ label: 'app targets', size: count * 4, usage: storage });

  const run = (code: string, buffers: GPUBuffer[], invocations: number) => {
    const module = device.createShaderModule({ code });
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(
      0,
      device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      }),
    );
    pass.dispatchWorkgroups(Math.ceil(invocations / 64));
    pass.end();
    device.queue.submit([encoder.finish()]);
  };
  const readBack = async (buffer: GPUBuffer, size: number) => {
    const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const bytes = staging.getMappedRange().slice(0);
    staging.destroy();
    return bytes;
  };

  // GPU data in: the app's pass writes the examples; fit trains on them where they are.
  run(makeDataWgsl, [inputs, targets], count);
  const onGpu = engine.createNetwork(spec);
  await onGpu.fit({ inputs, targets, count }, fitOptions);

  // The same examples as arrays, the same seed and order: the same weights.
  const arrays = {
    inputs: Float32Array.from({ length: count * 2 }, (_, k) => (Math.floor(k / 2) >> (k % 2)) & 1), // a, b
    targets: Float32Array.from({ length: count }, (_, i) => (i & 1) ^ ((i >> 1) & 1)),
  };
  const onArrays = engine.createNetwork(spec);
  await onArrays.fit(arrays, fitOptions);
  const weights = await onGpu.getWeights();
  const same = (a: LayerParams[], b: LayerParams[]) =>
    a.every((layer, l) =>
      ['weights', 'biases'].every((part) => {
        const x = layer[part as keyof LayerParams];
        const y = b[l][part as keyof LayerParams];
        return x.length === y.length && Array.from(x).every((value, k) => value === y[k]);
      }),
    );
  const sameWeights = same(weights, await onArrays.getWeights());

  // GPU predictions out: nothing read back by the library.
  const readbacks = onGpu.stats().readbacks;
  const predictions = onGpu.predictBuffer(inputs, count);
  const predictBufferReadbacks = onGpu.stats().readbacks - readbacks;

  // The app's next pass reads the predictions and the live weights of the output layer.
  const { version, layers } = onGpu.parameterBuffers();
  const output = layers[layers.length - 1];
  const layerUniform = device.createBuffer({
    size: 16,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(
    layerUniform,
    0,
    Uint32Array.of(output.weightsOffset, output.biasesOffset, output.units * output.inputs, output.units),
  );
  const correct = device.createBuffer({ size: 4, usage: storage });
  const parameterCount = output.units * output.inputs + output.units;
  const copied = device.createBuffer({ size: parameterCount * 4, usage: storage });
  run(useOutputsWgsl, [predictions, targets, output.buffer, layerUniform, correct, copied], count);
  const correctCount = new Uint32Array(await readBack(correct, 4))[0];
  const copiedParameters = new Float32Array(await readBack(copied, parameterCount * 4));
  const outputWeights = weights[weights.length - 1];
  const parametersMatch =
    Array.from(outputWeights.weights).every((w, k) => w === copiedParameters[k]) &&
    Array.from(outputWeights.biases).every(
      (b, k) => b === copiedParameters[outputWeights.weights.length + k],
    );

  // predictBuffer's outputs against predict on the arrays.
  const fromBuffer = new Float32Array(await readBack(predictions, count * 4));
  const fromArrays = await onGpu.predict(arrays.inputs);
  const predictDifference = Math.max(...Array.from(fromBuffer, (p, i) => Math.abs(p - fromArrays[i])));

  // What the library says when a buffer is wrong: an MlpError whose `code` the app can branch on, before
  // anything is dispatched.
  const codeOf = async (use: () => unknown) => {
    try {
      await use();
      return 'no error';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  };
  const withoutStorage = device.createBuffer({ size: count * 2 * 4, usage: GPUBufferUsage.COPY_DST });
  const tooSmall = device.createBuffer({ size: 16, usage: storage });
  // An adapter makes one device, so the other device needs an adapter of its own.
  const otherAdapter = await navigator.gpu.requestAdapter();
  if (!otherAdapter) throw new Error('no second WebGPU adapter');
  const otherDevice = await otherAdapter.requestDevice();
  const elsewhere = otherDevice.createBuffer({ size: count * 2 * 4, usage: storage });
  const cpuEngine = await createEngine({ backend: 'cpu' });
  const misuse = {
    missingUsage: await codeOf(() => onGpu.fit({ inputs: withoutStorage, targets, count }, fitOptions)),
    tooSmall: await codeOf(() => onGpu.predictBuffer(tooSmall, count)),
    otherDevice: await codeOf(() => onGpu.predict({ inputs: elsewhere, count })),
    // predictBuffer returns at once: WebGPU tells later, and the network's next call throws it.
    otherDeviceLater: await codeOf(async () => {
      onGpu.predictBuffer(elsewhere, count).destroy();
      for (let call = 0; call < 100; call++) {
        await device.queue.onSubmittedWorkDone();
        onGpu.predictBuffer(inputs, count).destroy();
      }
    }),
    cpuEngine: await codeOf(() => cpuEngine.createNetwork(spec).fit({ inputs, targets, count }, fitOptions)),
  };
  cpuEngine.dispose();
  otherDevice.destroy();

  predictions.destroy();
  engine.dispose();
  device.destroy();
  return {
    misuse,
    adapter: engine.adapterDescription,
    sameWeights,
    predictBufferReadbacks,
    predictDifference,
    accuracy: correctCount / count,
    parametersMatch,
    version,
  };
}

const shown = document.getElementById('result') as HTMLElement;
main().then(
  (result) => {
    shown.textContent = JSON.stringify(result, null, 2);
    document.body.dataset.result = JSON.stringify(result);
  },
  (error: unknown) => {
    shown.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
    document.body.dataset.result = JSON.stringify({ error: String(error) });
  },
);
