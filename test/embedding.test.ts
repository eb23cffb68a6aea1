// Embedding at the GPU level (docs/embedding.md): data in the caller's GPUBuffers for fit, evaluate and
// predict; predictBuffer without a readback; the live parameter buffers read by the app's own shader; and
// an MlpError code for every misuse. On WebGPU in Node (Dawn).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine.js';
import { MlpError } from '../src/errors.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { rejection } from './helpers/errors.js';
import { testDevice } from './helpers/gpu.js';

const spec: NetworkSpec = {
  inputSize: 6,
  layers: [
    { units: 5, activation: 'tanh' },
    { units: 3, activation: 'softmax' },
  ],
  loss: 'softmax-cross-entropy',
  seed: 7,
};
const count = 37;
const inputs = Float32Array.from({ length: count * spec.inputSize }, (_, i) => Math.sin(i * 0.37));
const targets = Float32Array.from({ length: count * 3 }, (_, i) => (Math.floor(i / 3) % 3 === i % 3 ? 1 : 0));
const fitOptions = {
  epochs: 3,
  batchSize: 8,
  shuffle: true,
  optimizer: { kind: 'sgd', learningRate: 0.2, momentum: 0.5 },
} as const;

let device: GPUDevice;
let engine: Engine;

beforeAll(async () => {
  device = (await testDevice()).device;
  engine = await createEngine({ device });
  storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
});

afterAll(() => {
  engine.dispose();
  device.destroy();
});

/** Set once the WebGPU globals exist (Dawn installs them when the device is made). */
let storage: GPUBufferUsageFlags;

/** A buffer on `on` holding `values` (rounded up to whole 16 bytes, as a vec4 reader needs). */
function bufferOf(values: Float32Array, usage: GPUBufferUsageFlags = storage, on = device): GPUBuffer {
  const buffer = on.createBuffer({ size: Math.ceil(values.byteLength / 16) * 16, usage });
  on.queue.writeBuffer(buffer, 0, values);
  return buffer;
}

/** Reads a buffer back with the test's own staging buffer (not through the network). */
async function readBuffer(buffer: GPUBuffer, byteLength: number): Promise<Float32Array> {
  const staging = device.createBuffer({
    size: byteLength,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, byteLength);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const values = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return values;
}

/** Equal to 1e-6, element by element. */
function expectClose(got: Float32Array, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  const worst = got.reduce((most, value, i) => Math.max(most, Math.abs(value - expected[i])), 0);
  expect(worst).toBeLessThan(1e-6);
}

/** What `call` throws once WebGPU has reported an earlier call's error: tries for up to 5 s. */
async function nextCallFailure(call: () => void): Promise<MlpError> {
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    await device.queue.onSubmittedWorkDone();
    try {
      call();
    } catch (error) {
      expect(error).toBeInstanceOf(MlpError);
      return error as MlpError;
    }
  }
  throw new Error('expected an MlpError within 5 s, got none');
}

describe('GPU data in', () => {
  it('fit on GPU buffers gives the same weights as fit on arrays (same seed, same order)', async () => {
    const onArrays = engine.createNetwork(spec);
    const onBuffers = engine.createNetwork(spec);
    const gpuInputs = bufferOf(inputs);
    const gpuTargets = bufferOf(targets);
    const arrayUploads = onArrays.stats().uploadBytes;
    const arrayHistory = await onArrays.fit({ inputs, targets }, fitOptions);
    const bufferUploads = onBuffers.stats().uploadBytes;
    const bufferHistory = await onBuffers.fit({ inputs: gpuInputs, targets: gpuTargets, count }, fitOptions);
    // The same uploads (orders, options) but the data set's: the buffers were used in place.
    expect(
      onArrays.stats().uploadBytes - arrayUploads - (onBuffers.stats().uploadBytes - bufferUploads),
    ).toBe(inputs.byteLength + targets.byteLength);
    expect(await onBuffers.getWeights()).toEqual(await onArrays.getWeights());
    expect(bufferHistory.epochs.map((e) => e.loss)).toEqual(arrayHistory.epochs.map((e) => e.loss));

    const fromArrays = await onArrays.evaluate({ inputs, targets });
    const fromBuffers = await onBuffers.evaluate({ inputs: gpuInputs, targets: gpuTargets, count });
    expect(fromBuffers).toEqual(fromArrays);
    // The caller's buffers survive the fit and the evaluation.
    expect(await readBuffer(gpuInputs, inputs.byteLength)).toEqual(inputs);
    onArrays.dispose();
    onBuffers.dispose();
    gpuInputs.destroy();
    gpuTargets.destroy();
  });

  it('validation may be GPU buffers too', async () => {
    const onArrays = engine.createNetwork(spec);
    const onBuffers = engine.createNetwork(spec);
    const held = { inputs: inputs.subarray(0, 10 * 6), targets: targets.subarray(0, 10 * 3) };
    const heldOnGpu = { inputs: bufferOf(held.inputs), targets: bufferOf(held.targets), count: 10 };
    const a = await onArrays.fit({ inputs, targets }, { ...fitOptions, validation: held });
    const b = await onBuffers.fit({ inputs, targets }, { ...fitOptions, validation: heldOnGpu });
    expect(b.epochs.map((e) => e.validationLoss)).toEqual(a.epochs.map((e) => e.validationLoss));
    onArrays.dispose();
    onBuffers.dispose();
  });

  it('predict on a GPU buffer equals predict on the array', async () => {
    const net = engine.createNetwork(spec);
    const expected = await net.predict(inputs);
    const gpuInputs = bufferOf(inputs, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    expect(await net.predict({ inputs: gpuInputs, count })).toEqual(expected);
    net.dispose();
  });
});

describe('predictBuffer', () => {
  it('equals predict to 1e-6 and reads nothing back, into a new buffer or the caller’s', async () => {
    const net = engine.createNetwork(spec);
    const expected = await net.predict(inputs);
    const gpuInputs = bufferOf(inputs);
    const readbacks = net.stats().readbacks;
    const created = net.predictBuffer(gpuInputs, count);
    const given = device.createBuffer({ size: count * 3 * 4 + 64, usage: storage });
    expect(net.predictBuffer(gpuInputs, count, { output: given })).toBe(given);
    expect(net.stats().readbacks).toBe(readbacks);
    for (const output of [created, given]) {
      const got = await readBuffer(output, count * 3 * 4);
      expectClose(got, expected);
    }
    created.destroy();
    given.destroy();
    net.dispose();
  });

  it('reads a buffer the app has just written in its own compute pass, in queue order', async () => {
    const net = engine.createNetwork(spec);
    const doubled = inputs.map((x) => 2 * x);
    const expected = await net.predict(doubled);
    const source = bufferOf(inputs);
    const written = device.createBuffer({ size: inputs.byteLength, usage: storage });
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read> source: array<f32>;
             @group(0) @binding(1) var<storage, read_write> written: array<f32>;
             @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
               if (id.x < arrayLength(&written)) { written[id.x] = 2.0 * source[id.x]; }
             }`,
    });
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: source } },
        { binding: 1, resource: { buffer: written } },
      ],
    });
    // The frame loop an app would run: its pass, then the prediction, several times over.
    const outputs: GPUBuffer[] = [];
    for (let frame = 0; frame < 3; frame++) {
      const encoder = device.createCommandEncoder();
      if (frame > 0) encoder.clearBuffer(written);
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(Math.ceil(inputs.length / 64));
      pass.end();
      device.queue.submit([encoder.finish()]);
      outputs.push(net.predictBuffer(written, count));
    }
    for (const output of outputs) {
      const got = await readBuffer(output, count * 3 * 4);
      expectClose(got, expected);
      output.destroy();
    }
    net.dispose();
  });
});

describe('parameterBuffers', () => {
  it('read by a test shader equal getWeights(); version moves with fit and setWeights only', async () => {
    const net = engine.createNetwork(spec);
    await net.fit({ inputs, targets }, fitOptions);
    const { version, layers } = net.parameterBuffers();
    const weights = await net.getWeights();
    const module = device.createShaderModule({
      code: `struct Layer { weightsOffset: u32, biasesOffset: u32, units: u32, inputs: u32 }
             @group(0) @binding(0) var<storage, read> parameters: array<f32>;
             @group(0) @binding(1) var<uniform> layer: Layer;
             @group(0) @binding(2) var<storage, read_write> copied: array<f32>;
             // copied = weights [units, inputs] row-major, then biases, read through the offsets given
             @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
               let weightCount = layer.units * layer.inputs;
               if (id.x < weightCount) { copied[id.x] = parameters[layer.weightsOffset / 4u + id.x]; }
               else if (id.x < weightCount + layer.units) {
                 copied[id.x] = parameters[layer.biasesOffset / 4u + id.x - weightCount];
               }
             }`,
    });
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
    for (const [l, layer] of layers.entries()) {
      const floats = layer.units * layer.inputs + layer.units;
      const uniform = device.createBuffer({
        size: 16,
        usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      });
      device.queue.writeBuffer(
        uniform,
        0,
        Uint32Array.of(layer.weightsOffset, layer.biasesOffset, layer.units, layer.inputs),
      );
      const copied = device.createBuffer({ size: floats * 4, usage: storage });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(
        0,
        device.createBindGroup({
          layout: pipeline.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: layer.buffer } },
            { binding: 1, resource: { buffer: uniform } },
            { binding: 2, resource: { buffer: copied } },
          ],
        }),
      );
      pass.dispatchWorkgroups(Math.ceil(floats / 64));
      pass.end();
      device.queue.submit([encoder.finish()]);
      const got = await readBuffer(copied, floats * 4);
      expect(got.subarray(0, layer.units * layer.inputs)).toEqual(weights[l].weights);
      expect(got.subarray(layer.units * layer.inputs)).toEqual(weights[l].biases);
    }
    expect(layers.map(({ units, inputs }) => [units, inputs])).toEqual([
      [5, 6],
      [3, 5],
    ]);

    await net.predict(inputs);
    await net.evaluate({ inputs, targets });
    expect(net.parameterBuffers().version).toBe(version);
    net.setWeights(weights);
    const afterSet = net.parameterBuffers().version;
    expect(afterSet).not.toBe(version);
    await net.fit({ inputs, targets }, { ...fitOptions, epochs: 1 });
    expect(net.parameterBuffers().version).not.toBe(afterSet);
    expect(net.parameterBuffers().layers[0].buffer).toBe(layers[0].buffer);
    net.dispose();
  });
});

describe('misuse: an MlpError code for each', () => {
  it("'wrong-backend': a GPUBuffer given to a CPU engine", async () => {
    const cpu = await createEngine({ backend: 'cpu' });
    const net = cpu.createNetwork(spec);
    const buffer = bufferOf(inputs);
    const data = { inputs: buffer, targets: bufferOf(targets), count };
    for (const use of [
      () => net.fit(data),
      () => net.evaluate(data),
      () => net.predict({ inputs: buffer, count }),
      () => net.predictBuffer(buffer, count),
      () => net.parameterBuffers(),
    ]) {
      const error = await rejection(use);
      expect(error.code).toBe('wrong-backend');
      expect(error.message).toContain('webgpu backend');
    }
    cpu.dispose();
  });

  it("'wrong-device': a buffer of another GPUDevice, for fit, evaluate, predict and predictBuffer", async () => {
    const other = (await testDevice()).device;
    const net = engine.createNetwork(spec);
    const foreign = {
      inputs: bufferOf(inputs, storage, other),
      targets: bufferOf(targets, storage, other),
      count,
    };
    for (const use of [
      () => net.fit(foreign),
      () => net.evaluate(foreign),
      () => net.fit({ inputs, targets }, { validation: foreign }),
      () => net.predict({ inputs: foreign.inputs, count }),
    ]) {
      expect((await rejection(use)).code).toBe('wrong-device');
    }
    // predictBuffer returns at once; WebGPU tells later, so the network's next call throws it.
    net.predictBuffer(foreign.inputs, count).destroy();
    const error = await nextCallFailure(() => net.predictBuffer(bufferOf(inputs), count).destroy());
    expect(error.code).toBe('wrong-device');
    expect(error.message).toContain('predictBuffer inputs');
    // The same for an output buffer of another device.
    net.predictBuffer(bufferOf(inputs), count, { output: foreign.targets });
    const outputError = await nextCallFailure(() => net.predictBuffer(bufferOf(inputs), count).destroy());
    expect(outputError.code).toBe('wrong-device');
    expect(outputError.message).toContain('predictBuffer output');
    // Once reported, the network (and the device) work on.
    const output = net.predictBuffer(bufferOf(inputs), count);
    expect(await readBuffer(output, 12)).toHaveLength(3);
    expect((await net.predict(inputs)).length).toBe(count * 3);
    net.dispose();
    other.destroy();
  });

  it("'buffer-usage' names the missing flag; 'buffer-size' the bytes needed", async () => {
    const net = engine.createNetwork(spec);
    const copyOnly = bufferOf(inputs, GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    const gpuTargets = bufferOf(targets);
    const usage = await rejection(() => net.fit({ inputs: copyOnly, targets: gpuTargets, count }));
    expect(usage.code).toBe('buffer-usage');
    expect(usage.message).toContain('GPUBufferUsage.STORAGE');
    const storageOnly = bufferOf(inputs, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST);
    const noCopy = await rejection(() => net.predictBuffer(storageOnly, count));
    expect(noCopy.code).toBe('buffer-usage');
    expect(noCopy.message).toContain('GPUBufferUsage.COPY_SRC');
    const readOnlyOutput = device.createBuffer({ size: 4096, usage: GPUBufferUsage.STORAGE });
    const output = await rejection(() =>
      net.predictBuffer(bufferOf(inputs), count, { output: readOnlyOutput }),
    );
    expect(output.code).toBe('buffer-usage');
    expect(output.message).toContain('GPUBufferUsage.COPY_DST');

    const small = bufferOf(inputs.subarray(0, 12 * 6));
    for (const use of [
      () => net.fit({ inputs: small, targets: gpuTargets, count }),
      () => net.predict({ inputs: small, count }),
      () => net.predictBuffer(small, count),
      () => net.predictBuffer(bufferOf(inputs), count, { output: bufferOf(new Float32Array(4)) }),
    ]) {
      const error = await rejection(use);
      expect(error.code).toBe('buffer-size');
      expect(error.message).toMatch(/needs \d+/);
    }
    net.dispose();
  });

  it("'invalid-data' / 'invalid-argument': no targets, a bad count, validationSplit of GPU data", async () => {
    const net = engine.createNetwork(spec);
    const gpuInputs = bufferOf(inputs);
    const gpuTargets = bufferOf(targets);
    expect((await rejection(() => net.fit({ inputs: gpuInputs, count }))).code).toBe('invalid-data');
    expect((await rejection(() => net.predictBuffer(gpuInputs, 0))).code).toBe('invalid-data');
    expect((await rejection(() => net.predictBuffer(gpuInputs, 2.5))).code).toBe('invalid-data');
    const split = await rejection(() =>
      net.fit({ inputs: gpuInputs, targets: gpuTargets, count }, { validationSplit: 0.2 }),
    );
    expect(split.code).toBe('invalid-argument');
    expect(split.message).toContain('validation');
    net.dispose();
  });
});

describe('SharedArrayBuffer-backed arrays', () => {
  it('fit, evaluate, predict and setWeights take them as they take plain arrays', async () => {
    const shared = (values: Float32Array) => {
      const copy = new Float32Array(new SharedArrayBuffer(values.byteLength));
      copy.set(values);
      return copy;
    };
    const plain = engine.createNetwork(spec);
    const onShared = engine.createNetwork(spec);
    await plain.fit({ inputs, targets }, fitOptions);
    await onShared.fit({ inputs: shared(inputs), targets: shared(targets) }, fitOptions);
    expect(await onShared.getWeights()).toEqual(await plain.getWeights());
    expect(await onShared.evaluate({ inputs: shared(inputs), targets: shared(targets) })).toEqual(
      await plain.evaluate({ inputs, targets }),
    );
    expect(await onShared.predict(shared(inputs))).toEqual(await plain.predict(inputs));
    const weights = (await plain.getWeights()).map(({ weights, biases }) => ({
      weights: shared(weights.map((w) => w / 2)),
      biases: shared(biases),
    }));
    onShared.setWeights(weights);
    expect((await onShared.getWeights())[0].weights).toEqual(weights[0].weights);
    plain.dispose();
    onShared.dispose();
  });
});
