// Checkpoint files under faults (docs/reliability.md): the destination checked before the first epoch,
// a crashed run's temporary files removed, a damaged newest checkpoint replaced by the previous one with a
// warning, a full disk or a read-only folder a clear MlpError('io-error') that loses nothing already saved.
// Write faults are injected (test/helpers/fault-injection.mjs): tests may run as root, where chmod stops nothing.

import { existsSync } from 'node:fs';
import { link, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import type { SavedModel } from '../../src/io/model-file.js';
import type { NetworkSpec } from '../../src/model/spec.js';
import { Network } from '../../src/network.js';
import { readCheckpoint, writeCheckpointFile } from '../../src/node-checkpoints.js';
import type { FitOptions } from '../../src/train/options.js';
import { rejection } from '../helpers/errors.js';
import { injectFault } from '../helpers/fault-injection.mjs';

const spec: NetworkSpec = {
  inputSize: 3,
  layers: [
    { units: 4, activation: 'tanh' },
    { units: 2, activation: 'softmax' },
  ],
  loss: 'softmax-cross-entropy',
  seed: 5,
};
const count = 24;
const data = {
  inputs: Float32Array.from({ length: count * 3 }, (_, i) => Math.sin(i * 1.7)),
  targets: Float32Array.from({ length: count * 2 }, (_, i) =>
    i % 2 === (Math.floor(i / 2) % 3) % 2 ? 1 : 0,
  ),
};
const options: FitOptions = { batchSize: 4, optimizer: { kind: 'adam', learningRate: 0.01 } };

let cpu: Engine;
let folder: string;
let path: string;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
  folder = await mkdtemp(join(tmpdir(), 'webgpu-mlp-checkpoints-'));
  path = join(folder, 'checkpoint.json');
});
afterAll(async () => {
  cpu.dispose();
  await rm(folder, { recursive: true, force: true });
});

/** Fits a new network with checkpoints to `path`; returns it and the epochs whose end was reached. */
async function fitWithCheckpoints(extra: FitOptions) {
  const net = cpu.createNetwork(spec);
  const epochsEnded: number[] = [];
  const fit = net.fit(data, {
    ...options,
    checkpointEvery: 2,
    checkpointPath: path,
    onEpochEnd: ({ epoch }) => void epochsEnded.push(epoch),
    ...extra,
  });
  return { net, epochsEnded, fit };
}

describe('before the first epoch', () => {
  it('refuses checkpointPath or onCheckpoint without checkpointEvery: nothing would be saved', async () => {
    const net = cpu.createNetwork(spec);
    for (const extra of [{ checkpointPath: path }, { onCheckpoint: () => undefined }]) {
      const error = await rejection(() => net.fit(data, { ...options, ...extra }));
      expect(error.code).toBe('invalid-argument');
      expect(error.message).toMatch(/give checkpointEvery too/);
    }
    expect(net.epoch).toBe(0);
    net.dispose();
  });

  it('a checkpointPath in a missing folder fails before any epoch is spent', async () => {
    const { net, epochsEnded, fit } = await fitWithCheckpoints({
      checkpointPath: join(folder, 'missing', 'checkpoint.json'),
    });
    const error = await rejection(() => fit);
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toContain(`its folder ${join(folder, 'missing')} does not exist`);
    expect(epochsEnded).toEqual([]);
    expect(net.epoch).toBe(0);
    net.dispose();
  });

  it('a read-only destination (EROFS, injected) fails with io-error before any epoch is spent', async () => {
    const undo = injectFault({ fault: 'read-only', matches: path });
    try {
      const { net, epochsEnded, fit } = await fitWithCheckpoints({});
      const error = await rejection(() => fit);
      expect(error.code).toBe('io-error');
      expect(error.message).toMatch(/cannot write there \(EROFS\)/);
      expect(epochsEnded).toEqual([]);
      net.dispose();
    } finally {
      undo();
    }
  });
});

describe('writing', () => {
  it('keeps the previous checkpoint beside the newest and removes a crashed run’s temporary file at the start', async () => {
    await writeFile(`${path}.partial`, ''); // what a kill during a write leaves
    const { net, fit } = await fitWithCheckpoints({ epochs: 6 });
    await fit;
    expect(existsSync(`${path}.partial`)).toBe(false);
    const newest = JSON.parse(await readFile(path, 'utf8')) as SavedModel;
    const previous = JSON.parse(await readFile(`${path}.previous`, 'utf8')) as SavedModel;
    expect([newest.epoch, previous.epoch]).toEqual([6, 4]);
    expect(newest).toEqual(await net.save());
    net.dispose();
  });

  it('a full disk (ENOSPC, injected) at the second checkpoint: io-error, the first checkpoint intact, no temporary file left', async () => {
    await rm(path, { force: true });
    await rm(`${path}.previous`, { force: true });
    const undo = injectFault({ fault: 'disk-full', matches: path, after: 2 }); // the probe, then epoch 2
    try {
      const { net, epochsEnded, fit } = await fitWithCheckpoints({ epochs: 6 });
      const error = await rejection(() => fit);
      expect(error.code).toBe('io-error');
      expect(error.message).toContain(`checkpoint ${path}: cannot write (the disk is full)`);
      expect(epochsEnded).toEqual([1, 2, 3, 4]);
      expect(net.epoch).toBe(4); // the network keeps what it trained
      expect(existsSync(`${path}.partial`)).toBe(false);
      const read = await readCheckpoint(path);
      expect([read.path, read.checkpoint.epoch, read.warning]).toEqual([path, 2, undefined]);
      net.dispose();
    } finally {
      undo();
    }
  });
});

describe('writeCheckpointFile', () => {
  it('after a kill between its two renames (.previous a link to the checkpoint), the next write leaves no temporary file', async () => {
    const file = join(folder, 'linked.json');
    await writeFile(file, 'epoch 4');
    await link(file, `${file}.previous`); // what a kill before the last rename leaves
    await writeCheckpointFile(file, 'epoch 6');
    expect(await readFile(file, 'utf8')).toBe('epoch 6');
    expect(await readFile(`${file}.previous`, 'utf8')).toBe('epoch 4');
    expect(existsSync(`${file}.previous.partial`)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });
});

describe('readCheckpoint', () => {
  /** An uninterrupted 6-epoch run and the checkpoint files of its epochs 4 (previous) and 6 (newest). */
  let uninterrupted: Network;
  beforeAll(async () => {
    const { net, fit } = await fitWithCheckpoints({ epochs: 6 });
    await fit;
    uninterrupted = net;
  });
  afterAll(() => uninterrupted.dispose());

  /** Replaces the newest checkpoint by `text`, reads, resumes to epoch 6: the uninterrupted run's weights. */
  async function damageAndResume(text: string, why: RegExp) {
    const good = await readFile(path, 'utf8');
    await writeFile(path, text);
    try {
      const read = await readCheckpoint(path);
      expect(read.path).toBe(`${path}.previous`);
      expect(read.checkpoint.epoch).toBe(4);
      expect(read.warning).toMatch(why);
      expect(read.warning).toContain(`resuming from the previous one, ${path}.previous (epoch 4)`);
      const resumed = Network.load(read.checkpoint, cpu);
      await resumed.fit(data, { ...options, epochs: 2 });
      expect(await resumed.getWeights()).toEqual(await uninterrupted.getWeights());
      resumed.dispose();
    } finally {
      await writeFile(path, good);
    }
  }

  it('reads the newest checkpoint when it is good, without a warning', async () => {
    const read = await readCheckpoint(path);
    expect([read.path, read.checkpoint.epoch, read.warning]).toEqual([path, 6, undefined]);
  });

  it('a truncated newest checkpoint: the previous one, with a warning; resumed, the same weights bit for bit', async () => {
    const good = await readFile(path, 'utf8');
    await damageAndResume(good.slice(0, good.length >> 1), /not valid JSON|JSON/);
  });

  it('valid JSON with bad numbers (a NaN weight, a negative epoch): the previous one, with a warning', async () => {
    const saved = JSON.parse(await readFile(path, 'utf8')) as SavedModel;
    const floats = Buffer.from(saved.float32, 'base64');
    floats.writeFloatLE(Number.NaN, 8);
    await damageAndResume(JSON.stringify({ ...saved, float32: floats.toString('base64') }), /NaN/);
    await damageAndResume(JSON.stringify({ ...saved, epoch: -3 }), /epoch/);
  });

  it('a newest checkpoint linked to /dev/zero: refused at once as not a regular file, the previous one used', async () => {
    const good = await readFile(path, 'utf8');
    await rm(path);
    await symlink('/dev/zero', path);
    try {
      const started = performance.now();
      const read = await readCheckpoint(path);
      expect(performance.now() - started).toBeLessThan(2000);
      expect([read.path, read.checkpoint.epoch]).toEqual([`${path}.previous`, 4]);
      expect(read.warning).toMatch(/not a regular file/);
    } finally {
      await rm(path);
      await writeFile(path, good);
    }
  });

  it('both damaged, or none there: invalid-file naming both', async () => {
    const error = await rejection(() => readCheckpoint(join(folder, 'none.json')));
    expect(error.code).toBe('invalid-file');
    expect(error.message).toContain(`${join(folder, 'none.json')}: does not exist`);
    expect(error.message).toContain(`${join(folder, 'none.json')}.previous: does not exist`);
  });
});

describe('checkpointEvery: { seconds }', () => {
  it('checkpoints at the first epoch end that many seconds after the last one, and makes none before', async () => {
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const net = cpu.createNetwork(spec);
      const made: number[] = [];
      await net.fit(data, {
        ...options,
        epochs: 20,
        checkpointEvery: { seconds: 60 },
        onEpochEnd: () => {
          now += 7_000; // each epoch "takes" 7 s
        },
        onCheckpoint: (checkpoint) => {
          made.push(checkpoint.epoch);
        },
      });
      expect(made).toEqual([9, 18]);
      net.dispose();
    } finally {
      clock.mockRestore();
    }
  });

  it('is checked like the other options', async () => {
    const net = cpu.createNetwork(spec);
    for (const checkpointEvery of [{ seconds: 0 }, { seconds: -1 }, { minutes: 1 }, 'often']) {
      const error = await rejection(() =>
        net.fit(data, { ...options, checkpointEvery, onCheckpoint: () => {} } as unknown as FitOptions),
      );
      expect(error.code).toBe('invalid-argument');
      expect(error.message).toMatch(/^checkpointEvery/);
    }
    net.dispose();
  });
});
