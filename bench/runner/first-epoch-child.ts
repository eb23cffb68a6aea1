// One first-epoch sample in a process of its own (first-epoch-process.ts starts it): prints the FirstEpoch
// of the process's first engine on a benchmark network as one line of JSON.
//   node .bench-build/bench/runner/first-epoch-child.js ENGINE NETWORK FOLLOWING_EPOCHS
// ENGINE: ours (webgpu, cpu), made untimed and then timed through createNetwork and net.fit, or a reference
// engine (tfjs-webgpu, …), made untimed and then timed through its prepare and train.

import type { BackendKind } from '../../src/backends/backend.js';
import { createEngine } from '../../src/engine.js';
import '../../src/node-platform.js';
import { benchEngineNames, type FirstEpoch, timeFirstEpochOfEngine } from '../core/measure.js';
import { type BenchNetworkName, benchNetworkNames, benchNetworks, syntheticData } from '../core/networks.js';
import { timeFirstEpoch } from '../core/our-engines.js';
import type { ReferenceEngineName } from './reference-engines.js';

const [engineName, name, following] = process.argv.slice(2);
if (!benchNetworkNames.includes(name as BenchNetworkName)) {
  throw new Error(`no benchmark network "${name}": one of ${benchNetworkNames.join(', ')}`);
}
if (!(benchEngineNames as readonly string[]).includes(engineName)) {
  throw new Error(`no benchmark engine "${engineName}": one of ${benchEngineNames.join(', ')}`);
}
const network = benchNetworks[name as BenchNetworkName];
const data = syntheticData(network);
let sample: FirstEpoch;
if (engineName === 'webgpu' || engineName === 'cpu') {
  const engine = await createEngine({ backend: engineName as BackendKind });
  sample = await timeFirstEpoch(engine, network, data, Number(following));
  engine.dispose();
} else {
  // Loaded only here, so that our engines' samples do not load the reference libraries.
  const { referenceEngine } = await import('./reference-engines.js');
  const engine = await referenceEngine(engineName as ReferenceEngineName);
  sample = await timeFirstEpochOfEngine(engine, network, data, Number(following));
  await engine.dispose();
}
process.stdout.write(`${JSON.stringify(sample)}\n`);
process.exit(0);
