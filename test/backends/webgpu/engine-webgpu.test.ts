// How createEngine picks the WebGPU backend: its own device, the caller's device, and the fallbacks when
// there is no adapter (acquireDevice mocked to find none).

import { afterEach, describe, expect, it, vi } from 'vitest';
import * as deviceModule from '../../../src/backends/webgpu/device.js';
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { createEngine } from '../../../src/engine.js';
import { testDevice } from '../../helpers/gpu.js';

afterEach(() => vi.restoreAllMocks());

describe('createEngine with WebGPU', () => {
  it("'webgpu' runs on a device of its own and names the adapter", async () => {
    const engine = await createEngine({ backend: 'webgpu' });
    expect(engine.backend).toBe('webgpu');
    expect(engine.adapterDescription).toMatch(/\w/);
    engine.dispose();
  });

  it("'auto' takes the device the caller gives, which survives dispose()", async () => {
    const { device } = await testDevice();
    const engine = await createEngine({ device });
    expect(engine.backend).toBe('webgpu');
    const net = engine.createNetwork({
      inputSize: 2,
      layers: [{ units: 1, activation: 'sigmoid' }],
      loss: 'squared-error',
    });
    expect(net.stats().liveBuffers).toBeGreaterThan(0);
    engine.dispose();
    const buffer = device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE });
    buffer.destroy();
    device.destroy();
  });

  it("'auto' takes a hardware adapter, and passes over SwiftShader for the CPU with one warning, measuring nothing", async () => {
    const { device, adapterDescription } = await testDevice();
    device.destroy();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const measure = vi.spyOn(WebGpuBackend.prototype, 'chooseKernels');
    const engine = await createEngine({ backend: 'auto' });
    if (/swiftshader/i.test(adapterDescription)) {
      expect(engine.backend).toBe('cpu');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toContain("ask for backend 'webgpu' to use it anyway");
      // the kernel choices are measured only for an adapter 'auto' keeps (about 2 s on SwiftShader)
      expect(measure).not.toHaveBeenCalled();
    } else {
      expect(engine.backend).toBe('webgpu');
      expect(warn).not.toHaveBeenCalled();
      expect(measure).toHaveBeenCalledTimes(1);
    }
    engine.dispose();
  });

  it("without an adapter, 'auto' warns once and uses the CPU; 'webgpu' throws MlpError 'no-adapter' saying what to install", async () => {
    vi.spyOn(deviceModule, 'acquireDevice').mockResolvedValue(null);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const engine = await createEngine({ backend: 'auto' });
    expect(engine.backend).toBe('cpu');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('VK_ICD_FILENAMES');
    engine.dispose();
    await expect(createEngine({ backend: 'webgpu' })).rejects.toMatchObject({
      name: 'MlpError',
      code: 'no-adapter',
      message: expect.stringContaining('install the `webgpu` package'),
    });
  });
});
