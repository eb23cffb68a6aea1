// Network.fit on both backends: XOR from a fixed seed, every optimizer and regulariser against a
// hand-written float64 update, early stopping, dropout at inference, determinism, stop(), progress events
// and NaN detection.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { MlpError } from '../../src/errors.js';
import type { OptimizerOptions } from '../../src/model/optimizer.js';
import type { LayerParams, NetworkSpec } from '../../src/model/spec.js';
import type { FitOptions } from '../../src/train/options.js';

const xor = {
  inputs: new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]),
  targets: new Float32Array([0, 1, 1, 0]),
  count: 4,
};
const xorSpec: NetworkSpec = {
  inputSize: 2,
  layers: [
    { units: 2, activation: 'sigmoid' },
    { units: 1, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
  init: { kind: 'uniform', scale: 1 },
  seed: 5,
};

/** A tiny net and data for the reference updates: 3 inputs, 2 tanh hidden units, 2 sigmoid outputs. */
const tinySpec: NetworkSpec = {
  inputSize: 3,
  layers: [
    { units: 2, activation: 'tanh' },
    { units: 2, activation: 'sigmoid' },
  ],
  loss: 'squared-error',
  init: { kind: 'uniform', scale: 0.5 },
  seed: 7,
};
const tiny = {
  inputs: new Float32Array([0.5, -1, 0.25, 1, 0.5, -0.5, -0.75, 0.2, 0.9]),
  targets: new Float32Array([0.9, 0.1, 0.1, 0.9, 0.9, 0.9]),
};

const copy = (layers: LayerParams[]) =>
  layers.map(({ weights, biases }) => ({
    weights: Float64Array.from(weights),
    biases: Float64Array.from(biases),
  }));

/**
 * The optimizers of src/backends/backend.ts, written out in float64 from the lecture notes' formulas.
 * Gradients come from a CPU network holding the reference weights (gradients are checked against finite
 * differences in the backend tests), so this checks the update rules and decay alone.
 */
async function referenceRun(
  cpu: Engine,
  optimizer: Required<OptimizerOptions>,
  decay: { l1: number; l2: number; decayBiases: boolean },
  steps: number,
): Promise<{ weights: Float64Array; biases: Float64Array }[]> {
  const net = cpu.createNetwork(tinySpec);
  const params = copy(await net.getWeights());
  const zeros = () =>
    params.map(({ weights, biases }) => ({ weights: weights.map(() => 0), biases: biases.map(() => 0) }));
  const [first, second] = [zeros(), zeros()];
  const η = optimizer.learningRate;
  for (let t = 1; t <= steps; t++) {
    net.setWeights(
      params.map(({ weights, biases }) => ({
        weights: Float32Array.from(weights),
        biases: Float32Array.from(biases),
      })),
    );
    const gradients = await net.gradients(tiny.inputs, tiny.targets);
    params.forEach((layer, l) => {
      for (const part of ['weights', 'biases'] as const) {
        const w = layer[part];
        for (let i = 0; i < w.length; i++) {
          let g = gradients[l][part][i];
          const decays = part === 'weights' || decay.decayBiases;
          if (decays) g += decay.l2 * w[i] + decay.l1 * Math.sign(w[i]);
          if (optimizer.kind === 'sgd') {
            const v = first[l][part];
            v[i] = optimizer.momentum * v[i] - η * g;
            w[i] += optimizer.nesterov ? optimizer.momentum * v[i] - η * g : v[i];
          } else {
            const [m, s] = [first[l][part], second[l][part]];
            m[i] = optimizer.beta1 * m[i] + (1 - optimizer.beta1) * g;
            s[i] = optimizer.beta2 * s[i] + (1 - optimizer.beta2) * g * g;
            const mHat = m[i] / (1 - optimizer.beta1 ** t);
            const sHat = s[i] / (1 - optimizer.beta2 ** t);
            w[i] -= (η * mHat) / (Math.sqrt(sHat) + optimizer.epsilon);
            if (optimizer.kind === 'adamw' && decays) w[i] -= η * optimizer.weightDecay * w[i];
          }
        }
      }
    });
  }
  net.dispose();
  return params;
}

const optimizers: {
  name: string;
  optimizer: Required<OptimizerOptions>;
  l1: number;
  l2: number;
  decayBiases?: boolean;
}[] = [
  { name: 'sgd', optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0, nesterov: false }, l1: 0, l2: 0 },
  {
    name: 'sgd + momentum + l2',
    optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0.9, nesterov: false },
    l1: 0,
    l2: 0.01,
  },
  {
    name: 'sgd + l1 + l2 on weights and biases',
    optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0.5, nesterov: false },
    l1: 0.02,
    l2: 0.05,
    decayBiases: true,
  },
  {
    name: 'nesterov + l1',
    optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0.9, nesterov: true },
    l1: 0.01,
    l2: 0,
  },
  {
    name: 'adam',
    optimizer: { kind: 'adam', learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    l1: 0,
    l2: 0,
  },
  {
    name: 'adamw, decaying biases too',
    decayBiases: true,
    optimizer: {
      kind: 'adamw',
      learningRate: 0.05,
      beta1: 0.8,
      beta2: 0.99,
      epsilon: 1e-7,
      weightDecay: 0.1,
    },
    l1: 0,
    l2: 0,
  },
];

let cpu: Engine;
let gpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
  gpu = await createEngine({ backend: 'webgpu' });
});
afterAll(() => {
  cpu.dispose();
  gpu.dispose();
});
const engines = () => ({ cpu, webgpu: gpu });

describe.each(['cpu', 'webgpu'] as const)('fit on %s', (backend) => {
  it('learns XOR with a 2-2-1 sigmoid network from a fixed seed', async () => {
    const net = engines()[backend].createNetwork(xorSpec);
    const history = await net.fit(xor, {
      epochs: 200,
      batchSize: 4,
      optimizer: { kind: 'adam', learningRate: 0.1 },
    });
    const outputs = await net.predict(xor.inputs);
    expect(Array.from(outputs, (o) => (o > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(history.epochs.at(-1)?.accuracy).toBe(1);
    expect(history.epochs.at(-1)?.loss).toBeLessThan(0.01);
    expect(net.epoch).toBe(200);
    net.dispose();
  });

  it.each(optimizers)(
    '$name: three full-batch steps equal the hand-written float64 update',
    async ({ optimizer, l1, l2, decayBiases = false }) => {
      const expected = await referenceRun(cpu, optimizer, { l1, l2, decayBiases }, 3);
      const net = engines()[backend].createNetwork(tinySpec);
      await net.fit(tiny, { epochs: 3, batchSize: 3, shuffle: false, optimizer, l1, l2, decayBiases });
      const got = await net.getWeights();
      const tolerance = backend === 'cpu' ? 1e-6 : 2e-5;
      got.forEach((layer, l) => {
        for (const part of ['weights', 'biases'] as const) {
          layer[part].forEach((value, i) => {
            expect(Math.abs(value - expected[l][part][i])).toBeLessThan(tolerance);
          });
        }
      });
      // The update must have moved the weights: the check above is not comparing the initial weights.
      const initial = await engines()[backend].createNetwork(tinySpec).getWeights();
      expect(Math.abs(got[0].weights[0] - initial[0].weights[0])).toBeGreaterThan(1e-4);
      net.dispose();
    },
  );

  it('early stopping restores the weights of the best validation epoch', async () => {
    // Validation targets are the opposite of training targets: validation loss rises as training learns,
    // so the best validation epoch is early and patience ends the run.
    const net = engines()[backend].createNetwork({
      ...xorSpec,
      layers: [{ units: 1, activation: 'sigmoid' }],
    });
    const weightsByEpoch = new Map<number, LayerParams[]>();
    const history = await net.fit(
      { inputs: xor.inputs, targets: new Float32Array([0, 0, 1, 1]) },
      {
        epochs: 200,
        batchSize: 4,
        optimizer: { kind: 'sgd', learningRate: 1, momentum: 0 },
        validation: { inputs: xor.inputs, targets: new Float32Array([1, 1, 0, 0]) },
        earlyStopping: { patience: 5 },
        onEpochEnd: async ({ epoch }) => {
          weightsByEpoch.set(epoch, await net.getWeights());
        },
      },
    );
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs.length).toBe(history.bestEpoch + 5);
    const losses = history.epochs.map((record) => record.validationLoss ?? Number.NaN);
    expect(Math.min(...losses)).toBe(losses[history.bestEpoch - 1]);
    expect(await net.getWeights()).toEqual(weightsByEpoch.get(history.bestEpoch));
    expect(await net.getWeights()).not.toEqual(weightsByEpoch.get(history.epochs.length));
    net.dispose();
  });

  it('dropout is the identity at inference: predict and evaluate use the whole network unscaled', async () => {
    const spec: NetworkSpec = {
      inputSize: 3,
      layers: [
        { units: 8, activation: 'relu' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
      seed: 5,
    };
    const net = engines()[backend].createNetwork(spec);
    await net.fit(tiny, { epochs: 5, dropout: [0.5], optimizer: { kind: 'sgd', learningRate: 0.1 } });
    const weights = await net.getWeights();
    const plain = cpu.createNetwork(spec);
    plain.setWeights(weights);
    const first = await net.predict(tiny.inputs);
    expect(await net.predict(tiny.inputs)).toEqual(first);
    const expected = await plain.predict(tiny.inputs);
    first.forEach((value, i) => {
      expect(value).toBeCloseTo(expected[i], 6);
    });
    plain.dispose();
    net.dispose();
  });

  it('stop() from a callback ends after the current epoch; stop() from outside ends after the current step', async () => {
    const net = engines()[backend].createNetwork(xorSpec);
    const history = await net.fit(xor, {
      epochs: 50,
      onEpochEnd: ({ epoch }) => {
        if (epoch === 3) net.stop();
      },
    });
    expect(history.stopped).toBe(true);
    expect(history.epochs.length).toBe(3);
    expect(net.epoch).toBe(3);

    let batches = 0;
    const running = net.fit(xor, { epochs: 1000, onBatchEnd: () => void batches++ });
    setTimeout(() => net.stop(), 20);
    const stopped = await running;
    expect(stopped.stopped).toBe(true);
    expect(stopped.epochs.length).toBeLessThan(1000);
    expect(batches).toBeGreaterThan(0);
    net.dispose();
  });

  it('fitEvents yields batch and epoch events in order, then the history; break stops training', async () => {
    const net = engines()[backend].createNetwork(xorSpec);
    const events: string[] = [];
    for await (const event of net.fitEvents(xor, { epochs: 2, batchSize: 2, batchEvents: true })) {
      events.push(
        event.type === 'batch'
          ? `b${event.batch.batch}`
          : event.type === 'epoch'
            ? `e${event.epoch.epoch}`
            : 'end',
      );
    }
    expect(events).toEqual(['b0', 'b1', 'e1', 'b0', 'b1', 'e2', 'end']);
    let seen = 0;
    for await (const event of net.fitEvents(xor, { epochs: 1000 })) {
      if (event.type === 'epoch' && ++seen === 2) break;
    }
    expect(net.epoch).toBeLessThan(20);
    // After a break the network is free again.
    await net.fit(xor, { epochs: 1 });
    net.dispose();
  });

  it.each([
    {
      path: 'per-example sgd with momentum (the fused kernel on WebGPU)',
      options: { batchSize: 1, optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0.5 } },
    },
    { path: 'mini-batch adam', options: { batchSize: 2, optimizer: { kind: 'adam', learningRate: 0.01 } } },
  ] satisfies { path: string; options: FitOptions }[])(
    'two networks fitting at once on one engine, batch by batch in turn, do not interfere: $path',
    async ({ options }) => {
      const engine = engines()[backend];
      // different seeds and different hidden layers, so that sharing anything would show
      const specs: NetworkSpec[] = [
        tinySpec,
        { ...tinySpec, seed: 8, layers: [{ units: 5, activation: 'relu' }, tinySpec.layers[1]] },
      ];
      const fitOnce = async (spec: NetworkSpec, onBatchEnd: () => void | Promise<void>) => {
        const net = engine.createNetwork(spec);
        await net.fit(tiny, { ...options, epochs: 5, dropout: [0.25], onBatchEnd });
        const weights = await net.getWeights();
        net.dispose();
        return weights;
      };
      const alone = [await fitOnce(specs[0], () => {}), await fitOnce(specs[1], () => {})];
      // Turn-taking: after each batch a fit waits until the other has done a batch too (or has finished),
      // so the two interleave whatever the GPU's timing (left to timing, the first batches ran unevenly).
      const turns: number[] = [];
      const finished = [false, false];
      let wakeOther: (() => void) | undefined;
      const wake = () => {
        wakeOther?.();
        wakeOther = undefined;
      };
      const takeTurn = async (n: number) => {
        turns.push(n);
        wake();
        while (turns[turns.length - 1] === n && !finished[1 - n]) {
          await new Promise<void>((resolve) => {
            wakeOther = resolve;
          });
        }
      };
      const together = await Promise.all(
        specs.map((spec, n) =>
          fitOnce(spec, () => takeTurn(n)).finally(() => {
            finished[n] = true;
            wake();
          }),
        ),
      );
      expect(together).toEqual(alone);
      // The fits really interleaved: each batch of one was followed by a batch of the other.
      const batches = 5 * Math.ceil(3 / options.batchSize);
      expect(turns).toHaveLength(2 * batches);
      const switches = turns.filter((n, i) => i > 0 && n !== turns[i - 1]).length;
      expect(switches).toBeGreaterThanOrEqual(2 * batches - 2);
    },
  );

  it('a diverging run stops with MlpError non-finite naming the epoch, keeping the last finite weights', async () => {
    const net = engines()[backend].createNetwork({
      ...xorSpec,
      layers: [
        { units: 4, activation: 'relu' },
        { units: 1, activation: 'linear' },
      ],
    });
    // Two sane epochs first, so that the weights to keep are not the initial ones.
    const data = { inputs: xor.inputs.map((x) => x * 100), targets: xor.targets };
    await net.fit(data, { epochs: 2, optimizer: { kind: 'sgd', learningRate: 1e-4, momentum: 0 } });
    const finite: LayerParams[][] = [await net.getWeights()];
    expect(finite[0]).not.toEqual(await engines()[backend].createNetwork(net.spec).getWeights());
    const error = await net
      .fit(data, {
        epochs: 50,
        optimizer: { kind: 'sgd', learningRate: 1e6, momentum: 0.9 },
        onEpochEnd: async () => {
          finite.push(await net.getWeights());
        },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('non-finite');
    // finite holds the weights after epoch 2 and after each finite epoch of this fit
    expect((error as MlpError).message).toMatch(
      new RegExp(`^epoch ${finite.length + 2}: .*keeps the weights after epoch ${finite.length + 1}`),
    );
    expect(await net.getWeights()).toEqual(finite.at(-1));
    expect(net.epoch).toBe(finite.length + 1);
    net.dispose();
  });

  it('weights that overflow while the loss stays finite are caught at that epoch, and the last finite weights come back', async () => {
    // One full-batch step per epoch: its loss is the forward pass of the weights before the step (finite),
    // and the step takes the weights past float32's range. Only the check of the weights can see it.
    const net = engines()[backend].createNetwork({
      ...xorSpec,
      layers: [{ units: 1, activation: 'linear' }],
    });
    const data = { inputs: xor.inputs.map((x) => x * 1000), targets: xor.targets };
    const sane = { optimizer: { kind: 'sgd', learningRate: 1e-7, momentum: 0 } } as const;
    await net.fit(data, { ...sane, epochs: 1, batchSize: 4 });
    const kept = await net.getWeights();
    const losses: number[] = [];
    const error = await net
      .fit(data, {
        epochs: 3,
        batchSize: 4,
        optimizer: { kind: 'sgd', learningRate: 1e36, momentum: 0 },
        onEpochEnd: ({ loss }) => void losses.push(loss),
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'non-finite' });
    expect((error as MlpError).message).toMatch(/^epoch 2: .*keeps the weights after epoch 1/);
    expect(losses).toEqual([]);
    expect(await net.getWeights()).toEqual(kept);
    expect(net.epoch).toBe(1);
    // The optimizer state was reset and the network trains on from the kept weights.
    const history = await net.fit(data, { ...sane, epochs: 1, batchSize: 4 });
    expect(Number.isFinite(history.epochs[0].loss)).toBe(true);
    net.dispose();
  });
});

describe('early stopping on both backends', () => {
  it('stops at the same epoch and restores the same best weights on CPU and WebGPU', async () => {
    // As 'early stopping restores the weights of the best validation epoch', across backends: validation
    // targets are the opposite of the training targets.
    const runs = [];
    for (const engine of [cpu, gpu]) {
      const net = engine.createNetwork({ ...xorSpec, layers: [{ units: 1, activation: 'sigmoid' }] });
      const weightsByEpoch: LayerParams[][] = [];
      const history = await net.fit(
        { inputs: xor.inputs, targets: new Float32Array([0, 0, 1, 1]) },
        {
          epochs: 200,
          batchSize: 4,
          optimizer: { kind: 'sgd', learningRate: 1, momentum: 0.5 },
          validation: { inputs: xor.inputs, targets: new Float32Array([1, 1, 0, 0]) },
          earlyStopping: { patience: 4 },
          onEpochEnd: async () => void weightsByEpoch.push(await net.getWeights()),
        },
      );
      const restored = await net.getWeights();
      expect(history.stoppedEarly).toBe(true);
      expect(restored).toEqual(weightsByEpoch[history.bestEpoch - 1]);
      runs.push({ history, restored });
      net.dispose();
    }
    const [onCpu, onGpu] = runs;
    expect(onGpu.history.bestEpoch).toBe(onCpu.history.bestEpoch);
    expect(onGpu.history.epochs.length).toBe(onCpu.history.epochs.length);
    onGpu.restored.forEach((layer, l) => {
      for (const part of ['weights', 'biases'] as const) {
        layer[part].forEach((value, i) => {
          expect(Math.abs(value - onCpu.restored[l][part][i])).toBeLessThan(1e-5);
        });
      }
    });
  });
});

describe('determinism', () => {
  const options: FitOptions = {
    epochs: 5,
    batchSize: 2,
    dropout: [0.3],
    optimizer: { kind: 'adam', learningRate: 0.01 },
  };
  const spec: NetworkSpec = { ...tinySpec, layers: [{ units: 6, activation: 'relu' }, tinySpec.layers[1]] };

  it('CPU: the same seed gives bit-identical weights and history twice', async () => {
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const net = cpu.createNetwork(spec);
      const history = await net.fit(tiny, options);
      runs.push({ weights: await net.getWeights(), losses: history.epochs.map((record) => record.loss) });
      net.dispose();
    }
    expect(runs[1]).toEqual(runs[0]);
  });

  it('WebGPU: the loss curve matches the CPU within 1e-4 relative per epoch, and itself exactly twice', async () => {
    const curves: number[][] = [];
    for (const engine of [cpu, gpu, gpu]) {
      const net = engine.createNetwork(spec);
      curves.push((await net.fit(tiny, options)).epochs.map((record) => record.loss));
      net.dispose();
    }
    curves[1].forEach((loss, e) => {
      expect(Math.abs(loss - curves[0][e]) / curves[0][e]).toBeLessThan(1e-4);
    });
    expect(curves[2]).toEqual(curves[1]);
  });
});

describe('fit options and data are checked', () => {
  const cases: [string, object, RegExp][] = [
    [
      'learning rate 0',
      { optimizer: { kind: 'sgd', learningRate: 0 } },
      /learningRate: 0 is not a finite number > 0/,
    ],
    ['momentum 1', { optimizer: { kind: 'sgd', momentum: 1 } }, /momentum: 1 is not .*< 1/],
    ['dropout 1', { dropout: [1] }, /dropout\[0\]: 1 is not/],
    ['dropout of the wrong length', { dropout: [0.1, 0.2] }, /one per hidden layer/],
    ['batch size 0', { batchSize: 0 }, /batchSize: 0 is not a positive integer/],
    [
      'an unknown optimizer',
      { optimizer: { kind: 'rmsprop' } },
      /optimizer.kind: "rmsprop" is not one of sgd, adam, adamw/,
    ],
    ['a misspelt option', { epoch: 3 }, /unknown option "epoch"/],
    ['early stopping without validation', { earlyStopping: {} }, /give validation or validationSplit/],
    ['validationSplit 1', { validationSplit: 1 }, /validationSplit: 1 is not/],
    [
      'a step schedule without its factor',
      { learningRateSchedule: { kind: 'step', every: 2 } },
      /learningRateSchedule.factor: missing/,
    ],
    ['an unknown schedule', { learningRateSchedule: { kind: 'linear' } }, /learningRateSchedule/],
  ];
  it.each(cases)('%s is MlpError invalid-argument', async (_, options, message) => {
    const net = cpu.createNetwork(xorSpec);
    const error = await net.fit(xor, options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MlpError);
    expect((error as MlpError).code).toBe('invalid-argument');
    expect((error as MlpError).message).toMatch(message);
    net.dispose();
  });

  it('a second fit while one runs is refused; the first finishes normally', async () => {
    const net = cpu.createNetwork(xorSpec);
    const first = net.fit(xor, { epochs: 3 });
    await expect(net.fit(xor)).rejects.toThrow(/already training/);
    expect((await first).epochs).toHaveLength(3);
    net.dispose();
  });

  it('NaN in the data, wrong lengths and a wrong count are MlpError invalid-data naming where', async () => {
    const net = cpu.createNetwork(xorSpec);
    const attempts: [object, RegExp][] = [
      [
        { ...xor, inputs: new Float32Array([0, 0, 0, Number.NaN, 1, 0, 1, 1]) },
        /data.inputs\[3\] \(example 1, input 1\) is NaN/,
      ],
      [{ ...xor, targets: new Float32Array(3) }, /targets: length 3; expected count × outputs = 4 × 1 = 4/],
      [{ ...xor, count: 5 }, /count 5, but inputs hold 8 values = 4 examples/],
      [{ ...xor, inputSize: 3 }, /inputSize 3; the network takes 2/],
    ];
    for (const [data, message] of attempts) {
      const error = await net.fit(data as typeof xor).catch((caught: unknown) => caught);
      expect((error as MlpError).code).toBe('invalid-data');
      expect((error as MlpError).message).toMatch(message);
    }
    net.dispose();
  });
});

describe('validation, evaluate and schedules', () => {
  it('validationSplit holds out the last fraction; evaluate gives loss, accuracy and a confusion matrix', async () => {
    const net = cpu.createNetwork(xorSpec);
    const history = await net.fit(xor, { epochs: 2, validationSplit: 0.25 });
    const heldOut = await net.evaluate({ inputs: xor.inputs.slice(6), targets: xor.targets.slice(3) });
    expect(history.epochs[1].validationLoss).toBe(heldOut.loss);
    const all = await net.evaluate(xor);
    expect(all.count).toBe(4);
    expect(all.confusion.flat().reduce((a, b) => a + b)).toBe(4);
    expect(all.confusion[0][0] + all.confusion[1][1]).toBe(all.accuracy * 4);
    net.dispose();
  });

  it('step, exponential and cosine schedules give the documented learning rates per epoch', async () => {
    const rates = async (learningRateSchedule: object) => {
      const net = cpu.createNetwork(xorSpec);
      const history = await net.fit(xor, {
        epochs: 4,
        optimizer: { kind: 'sgd', learningRate: 0.8 },
        learningRateSchedule: learningRateSchedule as never,
      });
      net.dispose();
      return history.epochs.map((record) => record.learningRate);
    };
    expect(await rates({ kind: 'constant' })).toEqual([0.8, 0.8, 0.8, 0.8]);
    expect(await rates({ kind: 'step', every: 2, factor: 0.5 })).toEqual([0.8, 0.8, 0.4, 0.4]);
    expect(await rates({ kind: 'exponential', decay: 0.5 })).toEqual([0.8, 0.4, 0.2, 0.1]);
    const cosine = await rates({ kind: 'cosine' });
    expect(cosine[0]).toBe(0.8);
    expect(cosine[2]).toBeCloseTo(0.4, 12);
  });
});
