// The CPU backend runs the one conformance suite, like every backend.
import { CpuBackend } from '../../../src/backends/cpu/cpu-backend.js';
import { describeBackendConformance } from '../conformance.js';

describeBackendConformance('cpu', async () => new CpuBackend());
