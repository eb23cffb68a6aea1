// `webgpu-mlp/bench` in Node (the "node" condition of package.json's exports): the benchmark with the Node
// platform provided (WebGPU through Dawn), as src/node-entry.ts does for the library. Browsers get index.ts.

import '../../src/node-platform.js';

export * from './index.js';
