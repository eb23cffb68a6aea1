// Bindings and uniform layouts come from the WGSL: a descriptor that disagrees with its shader fails,
// naming the shader and the binding.

import { describe, expect, it } from 'vitest';
import { reflectShader } from '../../../scripts/reflect-shader.mjs';
import {
  finiteKernel,
  type KernelFamily,
  lossKernel,
  matmulKernel,
  matmulTexelsKernel,
} from '../../../src/backends/webgpu/kernels.js';
import { encodeStepOptions } from '../../../src/backends/webgpu/network-buffers.js';
import { bindKernel, kernelPipeline } from '../../../src/backends/webgpu/pipelines.js';
import { encodeUniform, reflectKernel } from '../../../src/backends/webgpu/reflect.js';
import { testDevice } from '../../helpers/gpu.js';

describe('reflectKernel', () => {
  it('gives each entry point only the bindings it uses, typed from the WGSL', () => {
    const { entryBindings } = reflectKernel(matmulKernel);
    const gradient = entryBindings.get('weightGradient')?.map((b) => `${b.name}:${b.type}`);
    expect(gradient).toEqual([
      'shape:uniform',
      'left:read-only-storage',
      'right:read-only-storage',
      'gradient:storage',
      'options:uniform',
      'order:read-only-storage',
    ]);
    // the fused update writes the parameters and slots of update.wgsl, and reads adam's t from control
    expect(entryBindings.get('weightUpdate')?.map((b) => `${b.name}:${b.type}`)).toEqual([
      'shape:uniform',
      'left:read-only-storage',
      'right:read-only-storage',
      'options:uniform',
      'control:read-only-storage',
      'order:read-only-storage',
      'parameters:storage',
      'slot0:storage',
      'slot1:storage',
    ]);
  });

  it('throws naming the shader and binding when the descriptor lacks a binding of the shader', () => {
    const renamed: KernelFamily = {
      ...matmulKernel,
      bindings: matmulKernel.bindings.filter((b) => b !== 'zBelow'),
    };
    expect(() => reflectKernel(renamed)).toThrow(
      'shaders/matmul.wgsl: binding "zBelow" is not in the descriptor',
    );
  });

  it('throws when the descriptor names a binding the shader does not have', () => {
    const extra: KernelFamily = { ...lossKernel, bindings: [...lossKernel.bindings, 'momentum'] };
    expect(() => reflectKernel(extra)).toThrow(
      'shaders/loss.wgsl: binding "momentum" is declared in kernels.ts but not in the shader',
    );
  });

  it('throws for an override constant or entry point the shader lacks', () => {
    expect(() => reflectKernel({ ...matmulKernel, constants: ['nesterov', 'amsgrad'] })).toThrow(
      'override constant "amsgrad"',
    );
    expect(() => reflectKernel({ ...matmulKernel, entryPoints: ['forward', 'rmsprop'] })).toThrow(
      'entry point "rmsprop"',
    );
  });
});

describe('reflectShader (scripts/reflect-shader.mjs, run when the shaders are generated)', () => {
  it('is what the generated kernel families carry, so nothing is parsed at run time', () => {
    for (const kernel of [matmulTexelsKernel, lossKernel, finiteKernel]) {
      expect(kernel.reflection).toEqual(reflectShader(kernel.file, kernel.source));
    }
  });

  it('gives a workgroup size only where it is written as numbers', () => {
    const reflection = reflectShader(
      'sizes.wgsl',
      `override size: u32 = 64u;
       @group(0) @binding(0) var<storage, read_write> values: array<f32>;
       @compute @workgroup_size(size) fn byOverride() { values[0] = 1.0; }
       @compute @workgroup_size(32, 2) fn byNumbers() { values[1] = 1.0; }`,
    );
    expect(reflection.entryPoints.byOverride.workgroupSize).toBeNull();
    expect(reflection.entryPoints.byNumbers.workgroupSize).toEqual([32, 2, 1]);
  });

  it('refuses uniform members it cannot encode, naming the shader and the member', () => {
    const uniform = (member: string) =>
      `struct Shape { ${member} }
       @group(0) @binding(0) var<uniform> shape: Shape;
       @compute @workgroup_size(1) fn main() { let s = shape; }`;
    expect(() => reflectShader('odd.wgsl', uniform('m: mat2x2f,'))).toThrow(
      'shaders/odd.wgsl: uniform shape.m has unsupported type',
    );
    expect(() => reflectShader('odd.wgsl', uniform('sizes: array<vec3f, 4>,'))).toThrow(
      'shaders/odd.wgsl: uniform shape.sizes: arrays in uniforms must have no padding',
    );
  });
});

describe('encodeUniform', () => {
  it('places members at the offsets the WGSL gives (arrays of vec4 after 16-byte alignment)', () => {
    const bytes = new DataView(encodeStepOptions({ batchSize: 7, learningRate: 0.5, dropout: [0.5, 0.25] }));
    const layout = reflectKernel(matmulKernel).uniforms.get('options');
    const offset = (name: string) => layout?.members[name]?.offset ?? -1;
    expect(bytes.getFloat32(offset('learningRate'), true)).toBe(0.5);
    expect(bytes.getUint32(offset('batchSize'), true)).toBe(7);
    expect(offset('dropoutThreshold') % 16).toBe(0);
    expect(bytes.getUint32(offset('dropoutThreshold'), true)).toBe(8388608); // ceil(0.5 · 2^24)
    expect(bytes.getUint32(offset('dropoutThreshold') + 4, true)).toBe(4194304);
    expect(bytes.getFloat32(offset('dropoutScale') + 4, true)).toBeCloseTo(4 / 3, 6);
  });

  it('refuses unknown and missing members, naming them', () => {
    expect(() => encodeUniform(lossKernel, 'shape', { units: 3, classes: 3, stride: 1 })).toThrow(
      'uniform shape has no member "stride"',
    );
    expect(() => encodeUniform(lossKernel, 'shape', { units: 3 })).toThrow(
      'uniform shape.classes was not given a value',
    );
  });
});

describe('bindKernel', () => {
  it('refuses a bind group missing a binding the entry point uses, naming shader, entry and binding', async () => {
    const { device } = await testDevice();
    try {
      const kernel = kernelPipeline(device, matmulKernel, 'weightUpdate', { nesterov: false });
      const buffer = device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
      expect(() => bindKernel(device, kernel, { parameters: buffer })).toThrow(
        'shaders/matmul.wgsl weightUpdate: binding "shape" (@binding(0)) was given no buffer',
      );
    } finally {
      device.destroy();
    }
  });
});
