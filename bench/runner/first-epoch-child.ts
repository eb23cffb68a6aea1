// One first-epoch sample in a process of its own (first-epoch-process.ts starts it): prints the FirstEpoch
// of a fresh engine's first network as one line of JSON.
//   node .bench-build/bench/runner/first-epoch-child.js BACKEND NETWORK FOLLOWING_EPOCHS

import type { BackendKind } from '../../src/backends/backend.js';
import { createEngine } from '../../src/engine.js';
import '../../src/node-platform.js';
import { type BenchNetworkName, benchNetworkNames, benchNetworks, syntheticData } from '../core/networks.js';
import { timeFirstEpoch } from '../core/our-engines.js';

const [backend, name, following] = process.argv.slice(2);
if (!benchNetworkNames.includes(name as BenchNetworkName)) {
  throw new Error(`no benchmark network "${name}": one of ${benchNetworkNames.join(', ')}`);
}
const network = benchNetworks[name as BenchNetworkName];
const engine = await createEngine({ backend: backend as BackendKind });
const sample = await timeFirstEpoch(engine, network, syntheticData(network), Number(following));
engine.dispose();
process.stdout.write(`${JSON.stringify(sample)}\n`);
process.exit(0);
