// `train` compiles for the fit it runs as soon as the network exists (Network.ready with the fit's options),
// not first for a fit with the default options: the device compiles one program at a time, so on
// SwiftShader that default compile made a --batch 32 run wait about 0.2 s longer (docs/training.md).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, expect, it, vi } from 'vitest';
import { webgpuEntryPoint } from '../../src/backends/webgpu/device.js';
import { registerTrain } from '../../src/cli/train-command.js';
import { Network } from '../../src/network.js';

afterEach(() => vi.restoreAllMocks());

it("compiles the programs of the run's own fit, before the fit, and none for the default options", async () => {
  // the webgpu package's globals (GPUDevice), which the engine would load
  if (!(await webgpuEntryPoint())) throw new Error('This test needs WebGPU.');
  const work = mkdtempSync(join(tmpdir(), 'train-ready-'));
  const labels: string[] = [];
  const createAsync = GPUDevice.prototype.createComputePipelineAsync;
  vi.spyOn(GPUDevice.prototype, 'createComputePipelineAsync').mockImplementation(function (
    this: GPUDevice,
    d,
  ) {
    labels.push(String(d.label));
    return createAsync.call(this, d);
  });
  const calls: string[] = [];
  const { ready, fit } = Network.prototype;
  const readySpy = vi.spyOn(Network.prototype, 'ready').mockImplementation(function (this: Network, ...args) {
    calls.push('ready');
    return ready.apply(this, args);
  });
  vi.spyOn(Network.prototype, 'fit').mockImplementation(function (this: Network, ...args) {
    calls.push('fit');
    return fit.apply(this, args);
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const program = new Command().exitOverride();
    registerTrain(program);
    const out = join(work, 'run');
    await program.parseAsync(
      ['train', '--backend', 'webgpu', '--batch', '32', '--epochs', '1', '--out', out],
      {
        from: 'user',
      },
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  expect(calls).toEqual(['ready', 'fit']);
  expect(readySpy.mock.calls[0][0]).toMatchObject({ batchSize: 32 });
  // the batch-32 step kernel once, and not the per-example kernel a fit with the defaults (batch 1) runs
  expect(labels.filter((label) => label.startsWith('mini-batch.wgsl'))).toHaveLength(1);
  expect(labels.filter((label) => label.startsWith('per-example.wgsl'))).toEqual([]);
}, 60_000);
