// The Node-only part of the public API (`import … from 'webgpu-mlp/node'`): reading face images from a
// folder on disk. Kept apart from src/index.ts so browser bundles never see node:fs.

import './node-platform.js';

export { folderFaceFiles, readFileBytes, readPgmFile } from './data/node-files.js';
export { type CheckpointRead, readCheckpoint } from './node-checkpoints.js';
