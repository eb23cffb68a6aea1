#!/usr/bin/env node
// The `webgpu-mlp` command: train, eval, predict and bench. Errors a user can cause (MlpError) are printed
// as one line and exit with status 1; commander does the same for bad flags (status 1 too).

import { Command } from 'commander';
import { MlpError } from '../errors.js';
import '../node-platform.js';
import { registerBench } from './bench-command.js';
import { registerEval } from './eval-command.js';
import { packageVersion } from './package-version.js';
import { registerPredict } from './predict-command.js';
import { registerTrain } from './train-command.js';

const version = packageVersion();

export function program(): Command {
  const root = new Command('webgpu-mlp')
    .description('Train multi-layer perceptrons by backpropagation on the GPU (WebGPU) or the CPU.')
    .version(version)
    .showHelpAfterError('(add --help for the flags)');
  registerTrain(root);
  registerEval(root);
  registerPredict(root);
  registerBench(root);
  return root;
}

try {
  await program().parseAsync(process.argv);
} catch (error) {
  if (error instanceof MlpError) {
    process.stderr.write(`webgpu-mlp: error: ${error.message}\n`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
