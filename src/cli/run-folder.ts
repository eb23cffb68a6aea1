// Reading back what `train` wrote: run.json (how the data was read, the flags, the summary) and the model.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileBytes } from '../data/node-files.js';
import { createEngine, type Engine, type EngineOptions } from '../engine.js';
import { MlpError } from '../errors.js';
import { Network } from '../network.js';
import type { DataDescription } from './data.js';
import type { TrainSummary } from './train-command.js';
import type { TrainFlags } from './train-flags.js';

export interface RunFile {
  data: DataDescription;
  flags: TrainFlags;
  summary: TrainSummary;
}

export interface LoadedRun {
  run: RunFile;
  engine: Engine;
  network: Network;
}

export async function loadRun(folder: string, backend: EngineOptions['backend']): Promise<LoadedRun> {
  for (const name of ['run.json', 'model.json']) {
    if (!existsSync(join(folder, name))) {
      throw new MlpError(
        'invalid-argument',
        `--model ${folder}: no ${name} there; expected a folder written by 'webgpu-mlp train'`,
      );
    }
  }
  // Regular files only (readFileBytes): a link to /dev/zero would be read until memory runs out.
  const runText = await readText(join(folder, 'run.json'), 'run file');
  let run: RunFile;
  try {
    run = JSON.parse(runText) as RunFile;
  } catch (error) {
    throw new MlpError('invalid-file', `${join(folder, 'run.json')}: not valid JSON (${String(error)})`, {
      cause: error,
    });
  }
  const model = await readText(join(folder, 'model.json'), 'model');
  const engine = await createEngine({ backend });
  try {
    return { run, engine, network: Network.load(model, engine) };
  } catch (error) {
    engine.dispose();
    throw error;
  }
}

async function readText(path: string, what: string): Promise<string> {
  return new TextDecoder().decode(await readFileBytes(path, what));
}
