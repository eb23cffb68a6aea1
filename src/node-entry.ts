// The package's entry in Node (the "node" condition of package.json's exports): src/index.ts's API with the
// Node platform provided (WebGPU through Dawn, checkpoint files). Browsers get src/index.ts alone.

import './node-platform.js';

export * from './index.js';
