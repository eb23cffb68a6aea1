// ONE conformance suite that every backend runs: it compares the backend with the float64 reference in
// src/backends/cpu/math.ts on odd sizes (1, 3, 17, 65, 129, 257 units and inputs; batches of 1, 7, 32 and 65).
//
// Tolerance: each element a of the backend against the reference element b of the same array must satisfy
// |a − b| ≤ 1e-4 · (|b| + max|reference array|): relative 1e-4, with a floor scaled to the array's largest
// element so that values near zero (where float32 cancellation shows) are judged against the array's scale.
// Scalars (loss sums) are relative 1e-4. Counts (correct, confusion, steps) must be equal.

import { beforeAll, describe, expect, it } from 'vitest';
import type {
  Backend,
  BackendNetwork,
  EpochEnd,
  Evaluation,
  OptimizerSpec,
  StepOptions,
} from '../../src/backends/backend.js';
import {
  backward,
  classCount,
  classOf,
  forward,
  type MutableDenseParams,
  passMetrics,
  type TrainingState,
  trainStep,
} from '../../src/backends/cpu/math.js';
import { MlpError } from '../../src/errors.js';
import { slotCount } from '../../src/model/optimizer.js';
import { Random } from '../../src/model/random.js';
import type { LayerParams, NetworkSpec } from '../../src/model/spec.js';

export const relativeTolerance = 1e-4;

/** Asserts the tolerance above, naming the worst element when it fails. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const allowed = relativeTolerance * (Math.abs(expected[i]) + scale);
    const error = Math.abs(actual[i] - expected[i]);
    if (!(error <= allowed) && (worst < 0 || error - allowed > worstExcess)) {
      worst = i;
      worstExcess = error - allowed;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}[${worst}]: got ${actual[worst]}, reference ${expected[worst]} (tolerance ${relativeTolerance} × (|ref| + ${scale}))`,
    );
  }
}

export function expectCloseScalar(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: got ${actual}, reference ${expected}`).toBeLessThanOrEqual(
    relativeTolerance * Math.abs(expected),
  );
}

function expectParamsClose(
  actual: readonly LayerParams[],
  expected: readonly MutableDenseParams[],
  what: string,
) {
  expect(actual.length, `${what}: layers`).toBe(expected.length);
  actual.forEach((layer, l) => {
    expectClose(layer.weights, expected[l].weights, `${what}[${l}].weights`);
    expectClose(layer.biases, expected[l].biases, `${what}[${l}].biases`);
  });
}

// ── Networks, data and the float64 reference ───────────────────────────────────────────────────────

export interface Case {
  name: string;
  spec: NetworkSpec;
  batch: number;
}

export const conformanceCases: readonly Case[] = [
  {
    name: '1 → 1 sigmoid, squared error, batch 1',
    spec: { inputSize: 1, layers: [{ units: 1, activation: 'sigmoid' }], loss: 'squared-error' },
    batch: 1,
  },
  {
    name: '3 → 17 tanh → 1 sigmoid, binary cross-entropy, batch 7',
    spec: {
      inputSize: 3,
      layers: [
        { units: 17, activation: 'tanh' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'binary-cross-entropy',
    },
    batch: 7,
  },
  {
    name: '17 → 65 relu → 3 leaky-relu → 17 softmax, softmax cross-entropy, batch 32',
    spec: {
      inputSize: 17,
      layers: [
        { units: 65, activation: 'relu' },
        { units: 3, activation: 'leaky-relu' },
        { units: 17, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    batch: 32,
  },
  {
    name: '65 → 3 sigmoid → 3 linear, squared error, batch 7',
    spec: {
      inputSize: 65,
      layers: [
        { units: 3, activation: 'sigmoid' },
        { units: 3, activation: 'linear' },
      ],
      loss: 'squared-error',
    },
    batch: 7,
  },
  {
    // weight-update.wgsl with whole-vec4 loads of X (16 gathered inputs, 68 inputs) and of δ (8, 4 units);
    // the 68-unit layer takes matmul.wgsl's tiled update on GPUs, the row kernel on CPU adapters
    name: '16 → 8 sigmoid → 68 tanh → 4 softmax, softmax cross-entropy, batch 12 (vec4 rows in the weight update)',
    spec: {
      inputSize: 16,
      layers: [
        { units: 8, activation: 'sigmoid' },
        { units: 68, activation: 'tanh' },
        { units: 4, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    batch: 12,
  },
  {
    // layers wider than 256 units: matmul.wgsl's tiled weight update on every adapter, gathered and not
    // (at batch 12, adam's steps on the smallest gradients of 260 units differ from float64 by more than
    // the tolerance, in the tiled kernel as before this case existed; the whole set as one batch does not)
    name: '16 → 260 sigmoid → 264 tanh → 4 softmax, softmax cross-entropy, batch 65 (tiled weight updates)',
    spec: {
      inputSize: 16,
      layers: [
        { units: 260, activation: 'sigmoid' },
        { units: 264, activation: 'tanh' },
        { units: 4, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    },
    batch: 65,
  },
  {
    name: '257 → 129 sigmoid → 5 tanh, squared error, batch 65 (crosses 64- and 256-wide tiles)',
    spec: {
      inputSize: 257,
      layers: [
        { units: 129, activation: 'sigmoid' },
        { units: 5, activation: 'tanh' },
      ],
      loss: 'squared-error',
    },
    batch: 65,
  },
];

/** Parameters U(±1/√fan_in) for weights and U(±0.5) for biases: non-zero everywhere, unsaturated. */
function randomParams(spec: NetworkSpec, seed: number): LayerParams[] {
  const random = new Random(seed);
  let inputs = spec.inputSize;
  return spec.layers.map(({ units }) => {
    const limit = 1 / Math.sqrt(inputs);
    const weights = Float32Array.from({ length: units * inputs }, () => random.uniform(-limit, limit));
    const biases = Float32Array.from({ length: units }, () => random.uniform(-0.5, 0.5));
    inputs = units;
    return { weights, biases };
  });
}

/** Inputs U(−1, 1); targets fitting the loss: one-hot for softmax, 0/1 for BCE, U(0, 1) otherwise. */
function randomExamples(spec: NetworkSpec, count: number, seed: number) {
  const random = new Random(seed);
  const outputs = spec.layers[spec.layers.length - 1].units;
  const inputs = Float32Array.from({ length: count * spec.inputSize }, () => random.uniform(-1, 1));
  const targets = new Float32Array(count * outputs);
  for (let r = 0; r < count; r++) {
    if (spec.loss === 'softmax-cross-entropy') targets[r * outputs + random.below(outputs)] = 1;
    else if (spec.loss === 'binary-cross-entropy')
      for (let k = 0; k < outputs; k++) targets[r * outputs + k] = random.below(2);
    else for (let k = 0; k < outputs; k++) targets[r * outputs + k] = random.next();
  }
  return { inputs, targets, count };
}

function float64Params(params: readonly LayerParams[]): MutableDenseParams[] {
  return params.map(({ weights, biases }) => ({
    weights: Float64Array.from(weights),
    biases: Float64Array.from(biases),
  }));
}

/** The reference trainer: math.ts trainStep in float64 over batches of `order`, as the contract says. */
class ReferenceTrainer {
  readonly state: TrainingState;
  lossSum = 0;
  correct = 0;

  constructor(
    private readonly spec: NetworkSpec,
    params: readonly LayerParams[],
    private readonly optimizer: OptimizerSpec,
  ) {
    const zeros = () =>
      params.map(({ weights, biases }) => ({
        weights: new Float64Array(weights.length),
        biases: new Float64Array(biases.length),
      }));
    this.state = {
      params: float64Params(params),
      slots: Array.from({ length: slotCount(optimizer.kind) }, zeros),
      step: 0,
    };
  }

  train(
    data: ReturnType<typeof randomExamples>,
    order: Uint32Array,
    firstBatch: number,
    batchCount: number,
    options: StepOptions,
  ) {
    const { inputSize } = this.spec;
    const outputs = this.spec.layers[this.spec.layers.length - 1].units;
    for (let b = firstBatch; b < firstBatch + batchCount; b++) {
      const start = b * options.batchSize;
      const rows = Math.min(options.batchSize, data.count - start);
      const inputs = new Float64Array(rows * inputSize);
      const targets = new Float64Array(rows * outputs);
      for (let r = 0; r < rows; r++) {
        const e = order[start + r];
        inputs.set(data.inputs.subarray(e * inputSize, (e + 1) * inputSize), r * inputSize);
        targets.set(data.targets.subarray(e * outputs, (e + 1) * outputs), r * outputs);
      }
      const metrics = trainStep(this.spec, this.optimizer, this.state, inputs, targets, rows, options);
      this.lossSum += metrics.lossSum;
      this.correct += metrics.correct;
    }
  }
}

const optimizers: { name: string; spec: OptimizerSpec }[] = [
  { name: 'plain sgd', spec: { kind: 'sgd', momentum: 0, nesterov: false } },
  { name: 'sgd with momentum 0.9', spec: { kind: 'sgd', momentum: 0.9, nesterov: false } },
  { name: 'nesterov 0.9', spec: { kind: 'sgd', momentum: 0.9, nesterov: true } },
  // ε = 1e-4, not adam's usual 1e-8: the update η·m̂/(√ŝ + ε) changes by up to η/ε per unit of gradient
  // error where |g| ≲ ε, so with ε = 1e-8 the float32 rounding of a near-zero gradient (~1e-10 in the
  // 257 → 129 case) moves a weight by ~1e-3, beyond any float32 backend. Every term of the rule is still used.
  { name: 'adam', spec: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-4, weightDecay: 0.1 } },
  { name: 'adamw', spec: { kind: 'adamw', beta1: 0.8, beta2: 0.99, epsilon: 1e-4, weightDecay: 0.1 } },
];

function stepOptions(spec: NetworkSpec, batchSize: number, more: Partial<StepOptions> = {}): StepOptions {
  return {
    batchSize,
    learningRate: 0.1,
    l1: 0,
    l2: 0,
    decayBiases: false,
    dropout: spec.layers.slice(1).map(() => 0),
    dropoutSeed: 7,
    ...more,
  };
}

// ── The suite ──────────────────────────────────────────────────────────────────────────────────────

export function describeBackendConformance(name: string, makeBackend: () => Promise<Backend>): void {
  describe(`${name} backend conformance (reference: math.ts in float64)`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await makeBackend();
      return () => backend.dispose();
    });

    function withNetwork<T>(
      spec: NetworkSpec,
      params: LayerParams[],
      body: (net: BackendNetwork) => Promise<T>,
    ) {
      const net = backend.createNetwork(spec, params);
      return body(net).finally(() => net.dispose());
    }

    /** A data set of 37 examples (a prime, so every batch size > 1 leaves a short last batch) and a shuffled order. */
    function trainingData(spec: NetworkSpec, seed: number) {
      const data = randomExamples(spec, 37, seed);
      const order = new Random(seed + 1).permutation(data.count);
      return { data, order };
    }

    /**
     * Trains backend and reference alike over one epoch of the 37 examples, the backend in two calls
     * (batches [0, half) then [half, all)), and compares parameters, metrics and optimizer state.
     */
    async function trainAndCompare(
      c: Case,
      optimizer: OptimizerSpec,
      options: StepOptions,
      what: string,
    ): Promise<void> {
      const params = randomParams(c.spec, 11);
      const { data, order } = trainingData(c.spec, 12);
      const batches = Math.ceil(data.count / options.batchSize);
      const half = Math.floor(batches / 2);
      const reference = new ReferenceTrainer(c.spec, params, optimizer);
      reference.train(data, order, 0, batches, options);
      await withNetwork(c.spec, params, async (net) => {
        net.setOptimizer(optimizer);
        const dataset = net.upload(data.inputs, data.targets, data.count);
        net.setOrder(dataset, order);
        net.train(dataset, 0, half, options);
        net.train(dataset, half, batches - half, options);
        expectParamsClose(await net.readParams(), reference.state.params, `${what}: params`);
        const metrics = await net.takeTrainingMetrics();
        expect(metrics.count, `${what}: training count`).toBe(data.count);
        expect(metrics.correct, `${what}: training correct`).toBe(reference.correct);
        expect(metrics.finite).toBe(true);
        expectCloseScalar(metrics.lossSum, reference.lossSum, `${what}: training loss sum`);
        const state = await net.readOptimizerState();
        expect(state.step, `${what}: optimizer step`).toBe(batches);
        expect(state.slots.length).toBe(slotCount(optimizer.kind));
        state.slots.forEach((slot, k) => {
          expectParamsClose(slot, reference.state.slots[k], `${what}: slot ${k}`);
        });
        dataset.dispose();
      });
    }

    for (const c of conformanceCases) {
      describe(c.name, () => {
        it('predict matches the reference forward pass', async () => {
          const params = randomParams(c.spec, 1);
          const { inputs, count } = randomExamples(c.spec, c.batch, 2);
          const reference = forward(c.spec, params, inputs, count);
          await withNetwork(c.spec, params, async (net) => {
            expectClose(await net.predict(inputs, count), reference.o[reference.o.length - 1], 'outputs');
          });
        });

        it('gradients match the reference backward pass (mean over the batch)', async () => {
          const params = randomParams(c.spec, 3);
          const { inputs, targets, count } = randomExamples(c.spec, c.batch, 4);
          const reference = backward(c.spec, params, forward(c.spec, params, inputs, count), targets);
          await withNetwork(c.spec, params, async (net) => {
            expectParamsClose(await net.gradients(inputs, targets, count), reference, 'gradients');
          });
        });

        it('writeParams then readParams gives the same numbers back', async () => {
          await withNetwork(c.spec, randomParams(c.spec, 5), async (net) => {
            const other = randomParams(c.spec, 6);
            net.writeParams(other);
            const read = await net.readParams();
            read.forEach((layer, l) => {
              expect(layer.weights).toEqual(other[l].weights);
              expect(layer.biases).toEqual(other[l].biases);
            });
          });
        });

        for (const optimizer of optimizers) {
          it(`train with ${optimizer.name}: one epoch in batches of ${c.batch}, in two calls`, async () => {
            await trainAndCompare(c, optimizer.spec, stepOptions(c.spec, c.batch), optimizer.name);
          });
        }

        it('evaluate: loss, correct and confusion over the whole data set, no dropout', async () => {
          const params = randomParams(c.spec, 8);
          const data = randomExamples(c.spec, 75, 9);
          const pass = forward(c.spec, params, data.inputs, data.count);
          const reference = passMetrics(c.spec, pass, data.targets);
          const units = c.spec.layers[c.spec.layers.length - 1].units;
          const classes = classCount(units);
          const confusion = new Uint32Array(classes * classes);
          for (let r = 0; r < data.count; r++) {
            confusion[
              classOf(data.targets, r, units) * classes + classOf(pass.o[pass.o.length - 1], r, units)
            ]++;
          }
          await withNetwork(c.spec, params, async (net) => {
            const dataset = net.upload(data.inputs, data.targets, data.count);
            const evaluation: Evaluation = await net.evaluate(dataset);
            expect(evaluation.count).toBe(75);
            expect(evaluation.correct).toBe(reference.correct);
            expect(evaluation.finite).toBe(true);
            expect(evaluation.classes).toBe(classes);
            expect(Array.from(evaluation.confusion)).toEqual(Array.from(confusion));
            expectCloseScalar(evaluation.lossSum, reference.lossSum, 'evaluation loss sum');
            dataset.dispose();
          });
        });
      });
    }

    const deep = conformanceCases[2];
    const twoHidden = {
      ...deep,
      spec: {
        ...deep.spec,
        layers: [{ units: 17, activation: 'sigmoid' as const }, ...deep.spec.layers.slice(1)],
      },
    };

    it('l2 and l1 decay of weights only (decayBiases false), momentum', async () => {
      const options = stepOptions(deep.spec, 7, { l1: 0.01, l2: 0.05, decayBiases: false });
      await trainAndCompare(deep, optimizers[1].spec, options, 'l1+l2');
    });

    it('l2 and l1 decay of weights and biases (decayBiases true), adamw', async () => {
      const options = stepOptions(deep.spec, 7, { l1: 0.01, l2: 0.05, decayBiases: true });
      await trainAndCompare(deep, optimizers[4].spec, options, 'l1+l2+biases');
    });

    it('inverted dropout: masks from dropoutUniform(seed, step, layer, row, unit), scaled by 1/(1 − rate)', async () => {
      const options = stepOptions(twoHidden.spec, 7, { dropout: [0.5, 0.25], dropoutSeed: 1234 });
      await trainAndCompare(twoHidden, optimizers[0].spec, options, 'dropout 0.5, 0.25');
      await trainAndCompare(twoHidden, optimizers[3].spec, options, 'dropout with adam');
    });

    it('dropout rate 0 on one layer and not the other', async () => {
      const options = stepOptions(twoHidden.spec, 7, { dropout: [0, 0.4], dropoutSeed: 99 });
      await trainAndCompare(twoHidden, optimizers[2].spec, options, 'dropout 0, 0.4');
    });

    it('takeTrainingMetrics zeroes the sums it returns', async () => {
      const { spec } = conformanceCases[1];
      await withNetwork(spec, randomParams(spec, 1), async (net) => {
        const { data, order } = trainingData(spec, 2);
        const dataset = net.upload(data.inputs, data.targets, data.count);
        net.setOrder(dataset, order);
        net.train(dataset, 0, 2, stepOptions(spec, 7));
        expect((await net.takeTrainingMetrics()).count).toBe(14);
        expect(await net.takeTrainingMetrics()).toEqual({ lossSum: 0, correct: 0, count: 0, finite: true });
        dataset.dispose();
      });
    });

    it('copyParams: a copy stays as taken while training moves the weights; restore, update and read, none reading back', async () => {
      const { spec } = conformanceCases[2];
      const initial = randomParams(spec, 1);
      await withNetwork(spec, initial, async (net) => {
        const copy = net.copyParams();
        const { data, order } = trainingData(spec, 2);
        const dataset = net.upload(data.inputs, data.targets, data.count);
        net.setOrder(dataset, order);
        net.train(dataset, 0, 2, stepOptions(spec, 7));
        const trained = await net.readParams();
        expect(trained).not.toEqual(initial);
        expect(await copy.read()).toEqual(initial);
        const crossings = (work: () => void) => {
          const before = net.stats();
          work();
          const after = net.stats();
          return { readbacks: after.readbacks - before.readbacks, uploads: after.uploads - before.uploads };
        };
        const none = { readbacks: 0, uploads: 0 };
        expect(crossings(() => copy.restore())).toEqual(none);
        expect(await net.readParams()).toEqual(initial);
        net.writeParams(trained);
        expect(crossings(() => copy.update())).toEqual(none);
        net.writeParams(initial);
        expect(crossings(() => copy.restore())).toEqual(none);
        expect(await net.readParams()).toEqual(trained);
        expect(await copy.read()).toEqual(trained);
        const given = randomParams(spec, 3);
        const ofGiven = net.copyParams(given);
        expect(await ofGiven.read()).toEqual(given);
        ofGiven.restore();
        expect(await net.readParams()).toEqual(given);
        copy.dispose();
        expect(() => copy.restore()).toThrow(expect.objectContaining({ code: 'disposed' }));
        expect(() => net.copyParams(randomParams(conformanceCases[0].spec, 1))).toThrow(
          /params: expected length number of layers = 3, got 1/,
        );
        dataset.dispose();
      });
      const net = backend.createNetwork(spec, initial);
      const copy = net.copyParams();
      net.dispose();
      await expect(copy.read()).rejects.toMatchObject({ code: 'disposed' });
    });

    it('endEpoch: takeTrainingMetrics, evaluate and a finiteness check of the parameters in one readback', async () => {
      const { spec } = conformanceCases[2];
      const { data, order } = trainingData(spec, 4);
      const validation = randomExamples(spec, 19, 5);
      const ends: EpochEnd[] = [];
      for (const viaEndEpoch of [true, false]) {
        await withNetwork(spec, randomParams(spec, 6), async (net) => {
          const dataset = net.upload(data.inputs, data.targets, data.count);
          const held = net.upload(validation.inputs, validation.targets, validation.count);
          net.setOrder(dataset, order);
          net.train(dataset, 0, 3, stepOptions(spec, 7));
          if (viaEndEpoch) {
            const before = net.stats();
            ends.push(await net.endEpoch(held));
            expect(net.stats().readbacks - before.readbacks).toBe(backend.kind === 'webgpu' ? 1 : 0);
            expect(await net.takeTrainingMetrics()).toEqual({
              lossSum: 0,
              correct: 0,
              count: 0,
              finite: true,
            });
          } else {
            const training = await net.takeTrainingMetrics();
            const { lossSum, correct, count, finite } = await net.evaluate(held);
            ends.push({ training, validation: { lossSum, correct, count, finite }, paramsFinite: true });
          }
          expect((await net.endEpoch(undefined)).validation).toBeUndefined();
          dataset.dispose();
          held.dispose();
        });
      }
      expect(ends[0].training.count).toBe(21);
      expect(ends[0].validation?.count).toBe(19);
      expect(ends[0]).toEqual(ends[1]);
    });

    it('endEpoch: paramsFinite is false for NaN, +Infinity or −Infinity in any layer, true at float32 extremes', async () => {
      const { spec } = conformanceCases[2];
      const params = randomParams(spec, 7);
      await withNetwork(spec, params, async (net) => {
        const finiteAfter = async (layer: number, part: 'weights' | 'biases', at: number, value: number) => {
          const changed = params.map(({ weights, biases }) => ({
            weights: weights.slice(),
            biases: biases.slice(),
          }));
          changed[layer][part][at] = value;
          net.writeParams(changed);
          return (await net.endEpoch(undefined)).paramsFinite;
        };
        // first, inside and last parameters of layers (the GPU's check reads 4 floats at a time)
        const places = [
          [0, 'weights', 0],
          [1, 'weights', 97],
          [2, 'biases', 16],
          [0, 'biases', spec.layers[0].units - 1],
        ] as const;
        for (const [layer, part, at] of places) {
          for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            expect(
              await finiteAfter(layer, part, at, value),
              `${value} at layer ${layer} ${part}[${at}]`,
            ).toBe(false);
          }
          for (const value of [3.4e38, -3.4e38, 1e-45, -0]) {
            expect(
              await finiteAfter(layer, part, at, value),
              `${value} at layer ${layer} ${part}[${at}]`,
            ).toBe(true);
          }
        }
      });
    });

    it('optimizer state round-trips: a second network resumed from it trains identically', async () => {
      const { spec } = deep;
      const optimizer = optimizers[3].spec;
      const options = stepOptions(spec, 7);
      const { data, order } = trainingData(spec, 21);
      const first = backend.createNetwork(spec, randomParams(spec, 20));
      const second = backend.createNetwork(spec, randomParams(spec, 99));
      try {
        first.setOptimizer(optimizer);
        const firstData = first.upload(data.inputs, data.targets, data.count);
        first.setOrder(firstData, order);
        first.train(firstData, 0, 3, options);
        const state = await first.readOptimizerState();
        second.writeParams(await first.readParams());
        second.setOptimizer(optimizer);
        second.writeOptimizerState(state);
        const reread = await second.readOptimizerState();
        expect(reread.step).toBe(3);
        reread.slots.forEach((slot, k) => {
          slot.forEach((layer, l) => {
            expect(layer.weights).toEqual(state.slots[k][l].weights);
            expect(layer.biases).toEqual(state.slots[k][l].biases);
          });
        });
        const secondData = second.upload(data.inputs, data.targets, data.count);
        second.setOrder(secondData, order);
        first.train(firstData, 3, 2, options);
        second.train(secondData, 3, 2, options);
        const a = await first.readParams();
        const b = await second.readParams();
        a.forEach((layer, l) => {
          expectClose(layer.weights, b[l].weights, `resumed[${l}].weights`);
          expectClose(layer.biases, b[l].biases, `resumed[${l}].biases`);
        });
        firstData.dispose();
        secondData.dispose();
      } finally {
        first.dispose();
        second.dispose();
      }
    });

    it('setOptimizer zeroes the optimizer state', async () => {
      const { spec } = conformanceCases[1];
      await withNetwork(spec, randomParams(spec, 1), async (net) => {
        const { data, order } = trainingData(spec, 3);
        net.setOptimizer(optimizers[1].spec);
        const dataset = net.upload(data.inputs, data.targets, data.count);
        net.setOrder(dataset, order);
        net.train(dataset, 0, 2, stepOptions(spec, 7));
        net.setOptimizer(optimizers[3].spec);
        const state = await net.readOptimizerState();
        expect(state.step).toBe(0);
        expect(state.slots.length).toBe(2);
        for (const slot of state.slots) {
          for (const layer of slot)
            expect([...layer.weights, ...layer.biases].every((v) => v === 0)).toBe(true);
        }
        dataset.dispose();
      });
    });

    describe('numerical safety at |z| = 1000', () => {
      // One input x = 1; weights ±1000 give pre-activations of ±1000 at the output.
      it('sigmoid with binary cross-entropy: outputs exactly 0 and 1, finite loss |z|·[wrong side], δ = o − t', async () => {
        const spec: NetworkSpec = {
          inputSize: 1,
          layers: [{ units: 2, activation: 'sigmoid' }],
          loss: 'binary-cross-entropy',
        };
        const params = [{ weights: Float32Array.of(1000, -1000), biases: Float32Array.of(0, 0) }];
        const inputs = Float32Array.of(1);
        // Targets (0, 0): the first unit (z = +1000, o = 1) is wrong by softplus(1000) = 1000, the second right.
        const targets = Float32Array.of(0, 0);
        await withNetwork(spec, params, async (net) => {
          expect(Array.from(await net.predict(inputs, 1))).toEqual([1, 0]);
          const gradients = await net.gradients(inputs, targets, 1);
          // δ = o − t = (1, 0); ∂E/∂w = δ·x = (1, 0); ∂E/∂b = (1, 0)
          expectClose(gradients[0].weights, [1, 0], 'weights gradient');
          expectClose(gradients[0].biases, [1, 0], 'bias gradient');
          const dataset = net.upload(inputs, targets, 1);
          const evaluation = await net.evaluate(dataset);
          expect(evaluation.finite).toBe(true);
          expectCloseScalar(evaluation.lossSum, 1000, 'loss at z = 1000');
          dataset.dispose();
        });
      });

      it('softmax with softmax cross-entropy: finite loss and δ = o − t at z = ±1000', async () => {
        const spec: NetworkSpec = {
          inputSize: 1,
          layers: [{ units: 3, activation: 'softmax' }],
          loss: 'softmax-cross-entropy',
        };
        const params = [{ weights: Float32Array.of(1000, -1000, 0), biases: Float32Array.of(0, 0, 0) }];
        const inputs = Float32Array.of(1);
        // Target class 1 (z = −1000): loss = logsumexp(z) − z_1 = 1000 + ln(1 + e^−1000 + e^−2000) + 1000 = 2000.
        const targets = Float32Array.of(0, 1, 0);
        await withNetwork(spec, params, async (net) => {
          expect(Array.from(await net.predict(inputs, 1))).toEqual([1, 0, 0]);
          const gradients = await net.gradients(inputs, targets, 1);
          expectClose(gradients[0].weights, [1, -1, 0], 'weights gradient');
          const dataset = net.upload(inputs, targets, 1);
          const evaluation = await net.evaluate(dataset);
          expect(evaluation.finite).toBe(true);
          expectCloseScalar(evaluation.lossSum, 2000, 'loss at z = −1000 for the target class');
          expect(evaluation.correct).toBe(0);
          dataset.dispose();
        });
      });

      it('sigmoid hidden layer and squared error: saturated units give zero gradient, not NaN', async () => {
        const spec: NetworkSpec = {
          inputSize: 1,
          layers: [
            { units: 2, activation: 'sigmoid' },
            { units: 1, activation: 'sigmoid' },
          ],
          loss: 'squared-error',
        };
        const params = [
          { weights: Float32Array.of(1000, -1000), biases: Float32Array.of(0, 0) },
          { weights: Float32Array.of(1000, 1000), biases: Float32Array.of(-1000) },
        ];
        const inputs = Float32Array.of(1);
        await withNetwork(spec, params, async (net) => {
          // hidden o = (1, 0); output z = 1000 − 1000 = 0, o = 0.5
          expectClose(await net.predict(inputs, 1), [0.5], 'output');
          const gradients = await net.gradients(inputs, Float32Array.of(1), 1);
          // δ_out = (0.5 − 1)·0.25 = −0.125; ∂E/∂w2 = δ·h = (−0.125, 0); hidden δ = 0 (σ' = 0 at ±1000).
          expectClose(gradients[1].weights, [-0.125, 0], 'output weights gradient');
          expectClose(gradients[1].biases, [-0.125], 'output bias gradient');
          expect(Array.from(gradients[0].weights)).toEqual([0, 0]);
        });
      });

      it('tanh and sigmoid at ±1000 train to finite parameters and metrics (binary cross-entropy, t = 1 at z = −1000)', async () => {
        const spec: NetworkSpec = {
          inputSize: 2,
          layers: [
            { units: 2, activation: 'tanh' },
            { units: 1, activation: 'sigmoid' },
          ],
          loss: 'binary-cross-entropy',
        };
        // hidden z = (1000, −1000) → h = (1, −1); output z = −500·1 + 500·(−1) + 0 = −1000 → o = 0
        const params = [
          { weights: Float32Array.of(1000, 0, 0, -1000), biases: Float32Array.of(0, 0) },
          { weights: Float32Array.of(-500, 500), biases: Float32Array.of(0) },
        ];
        const inputs = Float32Array.of(1, 1);
        const targets = Float32Array.of(1);
        const reference = new ReferenceTrainer(spec, params, optimizers[0].spec);
        const options = stepOptions(spec, 1, { learningRate: 0.001 });
        reference.train({ inputs, targets, count: 1 }, Uint32Array.of(0), 0, 1, options);
        await withNetwork(spec, params, async (net) => {
          expect(Array.from(await net.predict(inputs, 1))).toEqual([0]);
          const dataset = net.upload(inputs, targets, 1);
          net.train(dataset, 0, 1, options);
          const metrics = await net.takeTrainingMetrics();
          expect(metrics.finite).toBe(true);
          // loss = softplus(−1000) − 1·(−1000) = 1000
          expectCloseScalar(metrics.lossSum, 1000, 'loss at z = −1000 with t = 1');
          expectParamsClose(await net.readParams(), reference.state.params, 'params after a saturated step');
          dataset.dispose();
        });
      });
    });

    it('creating and disposing 200 networks (each with a data set) leaves nothing alive behind', async () => {
      const { spec } = conformanceCases[2];
      const keeper = backend.createNetwork(spec, randomParams(spec, 1));
      try {
        const before = keeper.stats();
        const data = randomExamples(spec, 9, 2);
        for (let i = 0; i < 200; i++) {
          const net = backend.createNetwork(spec, randomParams(spec, i));
          const dataset = net.upload(data.inputs, data.targets, data.count);
          net.train(dataset, 0, 1, stepOptions(spec, 9));
          await net.takeTrainingMetrics();
          dataset.dispose();
          net.dispose();
        }
        const after = keeper.stats();
        expect(after.liveBuffers).toBe(before.liveBuffers);
        expect(after.liveBytes).toBe(before.liveBytes);
      } finally {
        keeper.dispose();
      }
    });

    it('a disposed network throws MlpError "disposed"', async () => {
      const { spec } = conformanceCases[0];
      const net = backend.createNetwork(spec, randomParams(spec, 1));
      net.dispose();
      await expect(net.predict(Float32Array.of(1), 1)).rejects.toMatchObject({ code: 'disposed' });
      expect(() => net.setOptimizer(optimizers[0].spec)).toThrow(MlpError);
    });
  });
}
