// When pipelines compile (docs/webgpu-design.md "Pipeline compilation"): createNetwork queues a task that
// starts, without awaiting, what a fit with the default options runs, unless a fit or ready() came first;
// Network.ready() compiles, with
// createComputePipelineAsync, everything the fit with the same options runs, so that fit compiles nothing;
// a second network of the same shape on the same engine compiles nothing at all; a pipeline that fails to
// compile is MlpError('gpu-error'), from the fit or ready() that needs it, never an unhandled rejection;
// an engine starts compiling the parameters' finiteness check, which every fit runs, when it is created.
// The fused kernels are among what ready() compiles: per-example.wgsl at batch size 1, mini-batch.wgsl at
// batch size > 1 on a CPU adapter (the batched matmul.wgsl on a GPU).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { matmulKernel } from '../../../src/backends/webgpu/kernels.js';
import { compiledKernels, kernelPipeline } from '../../../src/backends/webgpu/pipelines.js';
import { createEngine } from '../../../src/engine.js';
import { MlpError } from '../../../src/errors.js';
import { Network } from '../../../src/network.js';
import type { FitOptions } from '../../../src/train/options.js';
import { testDevice } from '../../helpers/gpu.js';

afterEach(() => vi.restoreAllMocks());

/**
 * Counts pipeline creations on every device, by kind; `files` collects the shader file of each, `labels`
 * each pipeline's label (file, entry point, constants).
 */
function countPipelines(files: Set<string> = new Set(), labels: string[] = []) {
  const counts = { async: 0, sync: 0 };
  const prototype = GPUDevice.prototype;
  const createAsync = prototype.createComputePipelineAsync;
  const create = prototype.createComputePipeline;
  vi.spyOn(prototype, 'createComputePipelineAsync').mockImplementation(function (this: GPUDevice, d) {
    counts.async++;
    files.add(String(d.label).split(' ')[0]);
    labels.push(String(d.label));
    return createAsync.call(this, d);
  });
  vi.spyOn(prototype, 'createComputePipeline').mockImplementation(function (this: GPUDevice, d) {
    counts.sync++;
    return create.call(this, d);
  });
  return counts;
}

const spec = {
  inputSize: 12,
  layers: [
    { units: 5, activation: 'sigmoid' as const },
    { units: 3, activation: 'softmax' as const },
  ],
  loss: 'softmax-cross-entropy' as const,
};
const count = 20;
const data = {
  inputs: Float32Array.from({ length: count * spec.inputSize }, (_, i) => Math.sin(i)),
  targets: Float32Array.from({ length: count * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)),
};

describe('pipeline compilation', () => {
  const validation = {
    inputs: data.inputs.slice(0, 7 * spec.inputSize),
    targets: data.targets.slice(0, 7 * 3),
  };
  for (const [name, options] of [
    ['batch size 1', { epochs: 1, batchSize: 1 }],
    ['batch size 4, adam', { epochs: 1, batchSize: 4, optimizer: { kind: 'adam' } }],
    ['validation examples', { epochs: 1, batchSize: 1, validation }],
    ['validationSplit', { epochs: 1, batchSize: 4, validationSplit: 0.25 }],
  ] satisfies [string, FitOptions][]) {
    it(`ready(${name}) compiles asynchronously what fit then runs; a second network compiles nothing`, async () => {
      const engine = await createEngine({ backend: 'webgpu' });
      try {
        const files = new Set<string>();
        const counts = countPipelines(files);
        const first = engine.createNetwork(spec);
        await first.ready(options, count);
        expect(counts.async).toBeGreaterThan(0);
        const probe = (await testDevice()).device;
        const { adapterInfo } = probe;
        probe.destroy();
        const cpuAdapter = adapterInfo.isFallbackAdapter || adapterInfo.architecture === 'swiftshader';
        const trainer =
          options.batchSize === 1 ? 'per-example.wgsl' : cpuAdapter ? 'mini-batch.wgsl' : 'matmul.wgsl';
        expect(files).toContain(trainer);
        expect(counts.sync).toBe(0);
        const compiled = counts.async;
        await first.fit(data, options);
        expect(counts, 'fit after ready compiles nothing more').toEqual({ async: compiled, sync: 0 });
        const second = engine.createNetwork(spec);
        await second.ready(options, count);
        await second.fit(data, options);
        expect(counts, 'a second network of the same shape compiles nothing').toEqual({
          async: compiled,
          sync: 0,
        });
      } finally {
        engine.dispose();
      }
    });
  }

  it('creating an engine starts compiling the finiteness check every fit runs; a fit does not compile it again', async () => {
    (await testDevice()).device.destroy(); // WebGPU's globals, to spy on before the engine exists
    const labels: string[] = [];
    countPipelines(new Set(), labels);
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const checks = () => labels.filter((label) => label.startsWith('finite.wgsl check')).length;
      expect(checks(), 'finite.wgsl compiling once the engine exists').toBe(1);
      await engine.createNetwork(spec).fit(data, { epochs: 1, batchSize: 4 });
      expect(labels.length, 'the fit compiled its step kernels').toBeGreaterThan(1);
      expect(checks()).toBe(1);
    } finally {
      engine.dispose();
    }
  });

  /** Lets the task createNetwork queued run. */
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('createNetwork starts compiling what fit with the default options runs; that fit compiles nothing more', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const files = new Set<string>();
      const counts = countPipelines(files);
      const net = engine.createNetwork(spec);
      const before = net.stats();
      await nextTask();
      expect(counts.async, 'pipelines compiling after the task createNetwork queued').toBeGreaterThan(0);
      expect(net.stats(), 'no upload, no buffer left: the task may come at any time').toEqual(before);
      expect(files).toContain('per-example.wgsl');
      const started = counts.async;
      await net.fit(data, { epochs: 1 });
      expect(counts).toEqual({ async: started, sync: 0 });
    } finally {
      engine.dispose();
    }
  });

  it('a fit called right after createNetwork compiles only what it runs', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const files = new Set<string>();
      countPipelines(files);
      await engine.createNetwork(spec).fit(data, { epochs: 1, batchSize: 4 });
      await nextTask();
      expect(files).not.toContain('per-example.wgsl');
    } finally {
      engine.dispose();
    }
  });

  it('a network loaded with its optimizer starts compiling for that optimizer', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const trained = engine.createNetwork(spec);
      await trained.fit(data, { epochs: 1, optimizer: { kind: 'adam' } });
      const saved = await trained.save();
      const labels: string[] = [];
      const createAsync = GPUDevice.prototype.createComputePipelineAsync;
      const engine2 = await createEngine({ backend: 'webgpu' });
      vi.spyOn(GPUDevice.prototype, 'createComputePipelineAsync').mockImplementation(function (
        this: GPUDevice,
        d,
      ) {
        labels.push(String(d.label));
        return createAsync.call(this, d);
      });
      try {
        Network.load(saved, engine2);
        await nextTask();
        const fused = labels.filter((label) => label.startsWith('per-example.wgsl'));
        expect(fused).toHaveLength(1);
        expect(fused[0]).toContain('"optimizer":1');
      } finally {
        engine2.dispose();
      }
    } finally {
      engine.dispose();
    }
  });

  it('a background compilation that fails rejects nothing on its own; ready() and fit report it', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      vi.spyOn(GPUDevice.prototype, 'createComputePipelineAsync').mockImplementation(() =>
        Promise.reject(new Error('no pipeline today')),
      );
      const net = engine.createNetwork(spec);
      await new Promise((resolve) => setTimeout(resolve, 20)); // an unhandled rejection would fail the test
      expect(GPUDevice.prototype.createComputePipelineAsync).toHaveBeenCalled();
      for (const call of [() => net.ready(), () => net.fit(data, { epochs: 1 })]) {
        const error = await call().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(MlpError);
        expect((error as MlpError).code).toBe('gpu-error');
        expect((error as MlpError).message).toMatch(/no pipeline today/);
      }
      engine.createNetwork(spec).dispose();
    } finally {
      engine.dispose();
    }
  });

  it('the evaluation of validation examples compiles only what it runs: no gradient or predict kernels', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const labels: string[] = [];
      countPipelines(new Set(), labels);
      const net = engine.createNetwork(spec);
      await net.fit(data, { epochs: 1, batchSize: 1, validation });
      const evaluation = labels.filter((label) => label.startsWith('loss.wgsl'));
      expect(evaluation.map((label) => label.split(':')[0])).toEqual(['loss.wgsl evaluate']);
      expect(labels.filter((label) => /weightGradient|hiddenDelta/.test(label))).toEqual([]);
      await net.predict(validation.inputs);
      expect(labels.filter((label) => label.startsWith('loss.wgsl predict'))).toHaveLength(1);
    } finally {
      engine.dispose();
    }
  });

  it('fit without ready compiles asynchronously before its first step, never synchronously', async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    try {
      const counts = countPipelines();
      await engine.createNetwork(spec).fit(data, { epochs: 1, batchSize: 4, validationSplit: 0.25 });
      expect(counts.async).toBeGreaterThan(0);
      expect(counts.sync).toBe(0);
    } finally {
      engine.dispose();
    }
  });

  it('a pipeline that does not compile rejects with MlpError gpu-error naming the shader', async () => {
    const { device } = await testDevice();
    // A workgroup of 0 × 8 invocations is a pipeline-creation error.
    const kernel = kernelPipeline(device, matmulKernel, 'forward', { workgroupRows: 0 });
    const error = await compiledKernels([kernel]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('gpu-error');
    expect((error as MlpError).message).toMatch(/shaders\/matmul\.wgsl forward/);
    device.destroy();
  });
});
