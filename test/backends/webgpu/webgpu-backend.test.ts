// The WebGPU backend runs the one conformance suite, on a device of its own (SwiftShader here).
import { WebGpuBackend } from '../../../src/backends/webgpu/webgpu-backend.js';
import { describeBackendConformance } from '../conformance.js';

describeBackendConformance('webgpu', () => WebGpuBackend.create());
