// math.ts against an outside oracle: central finite differences of the loss itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OptimizerSpec, StepOptions } from '../../../src/backends/backend.js';
import {
  backward,
  dropoutMask,
  exampleLoss,
  forward,
  updateParameters,
} from '../../../src/backends/cpu/math.js';
import { createEngine } from '../../../src/engine.js';
import { Random } from '../../../src/model/random.js';
import type { Activation, LayerParams, Loss, NetworkSpec } from '../../../src/model/spec.js';

const hiddenActivations: Activation[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu', 'linear'];
/** Every output activation × loss pair that validate.ts allows. */
const outputPairs: { activation: Activation; loss: Loss }[] = [
  ...hiddenActivations.map((activation) => ({ activation, loss: 'squared-error' as const })),
  { activation: 'sigmoid', loss: 'binary-cross-entropy' },
  { activation: 'softmax', loss: 'softmax-cross-entropy' },
];

type Params = { weights: Float64Array; biases: Float64Array }[];

function meanLoss(
  spec: NetworkSpec,
  params: Params,
  inputs: Float64Array,
  targets: Float64Array,
  rows: number,
) {
  const pass = forward(spec, params, inputs, rows);
  const last = spec.layers.length - 1;
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    sum += exampleLoss(spec.loss, pass.z[last], pass.o[last], targets, r, spec.layers[last].units);
  }
  return sum / rows;
}

/** A random float64 net and batch; targets in (0, 1), so they need not sum to 1 for softmax. */
function randomProblem(spec: NetworkSpec, rows: number, seed: number) {
  const random = new Random(seed);
  let inputs = spec.inputSize;
  const params: Params = spec.layers.map(({ units }) => {
    const layer = {
      weights: Float64Array.from({ length: units * inputs }, () => random.normal() / Math.sqrt(inputs)),
      biases: Float64Array.from({ length: units }, () => random.uniform(-0.5, 0.5)),
    };
    inputs = units;
    return layer;
  });
  const x = Float64Array.from({ length: rows * spec.inputSize }, () => random.uniform(-1, 1));
  const outputs = spec.layers[spec.layers.length - 1].units;
  const t = Float64Array.from({ length: rows * outputs }, () => random.next());
  return { params, x, t };
}

const step = 1e-5;

describe('gradient check: backward() against central finite differences, in float64', () => {
  for (const { activation, loss } of outputPairs) {
    for (const hidden of hiddenActivations) {
      it(`${hidden} hidden layers, ${activation} output, ${loss}: relative error < 1e-6`, () => {
        fc.assert(
          fc.property(
            fc.integer({ min: 1, max: 3 }),
            fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
            fc.integer({ min: 1, max: 4 }),
            fc.integer({ min: 0, max: 2 ** 31 }),
            (depth, widths, rows, seed) => {
              const spec: NetworkSpec = {
                inputSize: widths[0],
                layers: [
                  ...widths.slice(0, depth).map((units) => ({ units, activation: hidden })),
                  { units: activation === 'softmax' ? 3 : 2, activation },
                ],
                loss,
              };
              const { params, x, t } = randomProblem(spec, rows, seed);
              // Finite differences are meaningless across a kink of relu: keep every z away from 0.
              const pass = forward(spec, params, x, rows);
              const nearKink = spec.layers.some(
                (layer, l) => layer.activation.includes('relu') && pass.z[l].some((z) => Math.abs(z) < 1e-3),
              );
              fc.pre(!nearKink);
              const analytic = backward(spec, params, pass, t);
              let differenceSquared = 0;
              let analyticSquared = 0;
              let numericSquared = 0;
              params.forEach((layer, l) => {
                for (const part of ['weights', 'biases'] as const) {
                  const values = layer[part];
                  for (let i = 0; i < values.length; i++) {
                    const kept = values[i];
                    values[i] = kept + step;
                    const up = meanLoss(spec, params, x, t, rows);
                    values[i] = kept - step;
                    const down = meanLoss(spec, params, x, t, rows);
                    values[i] = kept;
                    const numeric = (up - down) / (2 * step);
                    const a = analytic[l][part][i];
                    differenceSquared += (a - numeric) ** 2;
                    analyticSquared += a * a;
                    numericSquared += numeric * numeric;
                  }
                }
              });
              const relativeError =
                Math.sqrt(differenceSquared) / (Math.sqrt(analyticSquared) + Math.sqrt(numericSquared) || 1);
              expect(relativeError).toBeLessThan(1e-6);
            },
          ),
          { numRuns: 20, seed: 42 },
        );
      });
    }
  }
});

// ── Hand-computed nets ─────────────────────────────────────────────────────────────────────────────

/** math.ts in float64, and the CPU backend through the public API, against numbers worked out by hand. */
async function checkByHand(
  spec: NetworkSpec,
  params: LayerParams[],
  x: number[],
  t: number[],
  expected: { outputs: number[]; loss: number; gradients: { weights: number[]; biases: number[] }[] },
) {
  const pass = forward(spec, params, x, 1);
  const last = spec.layers.length - 1;
  expectAll(pass.o[last], expected.outputs, 'outputs');
  expect(exampleLoss(spec.loss, pass.z[last], pass.o[last], t, 0, t.length)).toBeCloseTo(expected.loss, 6);
  const gradients = backward(spec, params, pass, t);
  gradients.forEach((layer, l) => {
    expectAll(layer.weights, expected.gradients[l].weights, `layer ${l} weights gradient`);
    expectAll(layer.biases, expected.gradients[l].biases, `layer ${l} biases gradient`);
  });
  const engine = await createEngine({ backend: 'cpu' });
  const net = engine.createNetwork(spec);
  net.setWeights(params);
  expectAll(await net.predict(x), expected.outputs, 'cpu backend outputs');
  (await net.gradients(x, t)).forEach((layer, l) => {
    expectAll(layer.weights, expected.gradients[l].weights, `cpu backend layer ${l} weights gradient`);
    expectAll(layer.biases, expected.gradients[l].biases, `cpu backend layer ${l} biases gradient`);
  });
  engine.dispose();
}

function expectAll(actual: ArrayLike<number>, expected: number[], what: string) {
  expect(actual.length, what).toBe(expected.length);
  expected.forEach((value, i) => {
    expect(Math.abs(actual[i] - value), `${what}[${i}]: ${actual[i]} vs ${value}`).toBeLessThan(1e-6);
  });
}

describe('hand-computed forward and backward passes (to 1e-6)', () => {
  it('2-2-1, sigmoid hidden and output, squared error (Mitchell)', async () => {
    // x = (1, 0.5), t = 1
    // hidden: z1 = 0.1·1 + 0.2·0.5 + 0.1 = 0.3          h1 = σ(0.3)  = 0.574442516811659
    //         z2 = −0.3·1 + 0.4·0.5 − 0.1 = −0.2        h2 = σ(−0.2) = 0.450166002687522
    // output: z = 0.5·h1 − 0.6·h2 + 0.2 = 0.287221258 − 0.270099602 + 0.2 = 0.217121657
    //         o = σ(0.217121657) = 0.554068175;   E = ½(1 − o)² = ½·0.445931825² = 0.099427596
    // δ_out = (o − t)·o·(1 − o) = −0.445931825·0.554068175·0.445931825 = −0.110179334
    // ∂E/∂w_out = δ_out·h = (−0.063291694, −0.049598990);  ∂E/∂b_out = −0.110179334
    // δ_h1 = δ_out·0.5·h1(1 − h1)    = −0.110179334·0.5·0.244458311  = −0.013467127
    // δ_h2 = δ_out·(−0.6)·h2(1 − h2) = −0.110179334·(−0.6)·0.247516875 = 0.016362727
    // ∂E/∂W_hidden = δ_h·xᵀ = ((−0.013467127, −0.006733563), (0.016362727, 0.008181363))
    const spec: NetworkSpec = {
      inputSize: 2,
      layers: [
        { units: 2, activation: 'sigmoid' },
        { units: 1, activation: 'sigmoid' },
      ],
      loss: 'squared-error',
    };
    const params = [
      { weights: Float32Array.of(0.1, 0.2, -0.3, 0.4), biases: Float32Array.of(0.1, -0.1) },
      { weights: Float32Array.of(0.5, -0.6), biases: Float32Array.of(0.2) },
    ];
    await checkByHand(spec, params, [1, 0.5], [1], {
      outputs: [0.5540681749],
      loss: 0.0994275963,
      gradients: [
        {
          weights: [-0.0134671269, -0.0067335635, 0.0163627266, 0.0081813633],
          biases: [-0.0134671269, 0.0163627266],
        },
        { weights: [-0.0632916937, -0.0495989902], biases: [-0.1101793337] },
      ],
    });
  });

  it('3-2-2, tanh hidden, softmax output, softmax cross-entropy', async () => {
    // x = (1, −1, 2), t = (0, 1)
    // hidden: z1 = 0.2 + 0.1 + 0.6 + 0 = 0.9        h1 = tanh(0.9)  = 0.716297870
    //         z2 = −0.4 − 0.5 + 0.2 + 0.1 = −0.6    h2 = tanh(−0.6) = −0.537049567
    // output: z_a = h1 − h2 + 0.1 = 1.353347437;  z_b = −0.5·h1 + 0.5·h2 − 0.1 = −0.726673719
    //         o = softmax = (1, e^(z_b − z_a)) / (1 + e^(−2.080021156)) = (0.888946122, 0.111053878)
    //         E = −ln o_b = 2.197739806
    // δ_out = o − t = (0.888946122, −0.888946122)
    // ∂E/∂W_out = δ_outᵀ·h = ((0.636750214, −0.477408130), (−0.636750214, 0.477408130)); ∂E/∂b_out = δ_out
    // back to hidden: δ_out·W_out = (0.888946·1 + (−0.888946)(−0.5), 0.888946·(−1) + (−0.888946)·0.5)
    //                             = (1.333419183, −1.333419183)
    // δ_h = that ⊙ (1 − h²) = (1.333419183·0.486917, −1.333419183·0.711578) = (0.649264950, −0.948831439)
    // ∂E/∂W_hidden = δ_h·xᵀ = ((0.649264950, −0.649264950, 1.298529900), (−0.948831439, 0.948831439, −1.897662877))
    const spec: NetworkSpec = {
      inputSize: 3,
      layers: [
        { units: 2, activation: 'tanh' },
        { units: 2, activation: 'softmax' },
      ],
      loss: 'softmax-cross-entropy',
    };
    const params = [
      { weights: Float32Array.of(0.2, -0.1, 0.3, -0.4, 0.5, 0.1), biases: Float32Array.of(0, 0.1) },
      { weights: Float32Array.of(1, -1, -0.5, 0.5), biases: Float32Array.of(0.1, -0.1) },
    ];
    await checkByHand(spec, params, [1, -1, 2], [0, 1], {
      outputs: [0.8889461218, 0.1110538782],
      loss: 2.1977398065,
      gradients: [
        {
          weights: [0.6492649498, -0.6492649498, 1.2985298995, -0.9488314386, 0.9488314386, -1.8976628773],
          biases: [0.6492649498, -0.9488314386],
        },
        {
          weights: [0.6367502138, -0.4774081298, -0.6367502138, 0.4774081298],
          biases: [0.8889461218, -0.8889461218],
        },
      ],
    });
  });
});

// ── Symmetries of parameter space ──────────────────────────────────────────────────────────────────

/** A random float64 net: inputs → hidden (units, activation) → 2 linear outputs. */
function symmetryProblem(inputs: number, units: number, activation: Activation, seed: number) {
  const spec: NetworkSpec = {
    inputSize: inputs,
    layers: [
      { units, activation },
      { units: 2, activation: 'linear' },
    ],
    loss: 'squared-error',
  };
  return { spec, ...randomProblem(spec, 3, seed) };
}

function outputsOf(spec: NetworkSpec, params: Params, x: Float64Array) {
  const pass = forward(spec, params, x, 3);
  return pass.o[pass.o.length - 1];
}

function expectSameOutputs(a: Float64Array, b: Float64Array) {
  a.forEach((value, i) => {
    expect(Math.abs(value - b[i])).toBeLessThan(1e-12 * (1 + Math.abs(value)));
  });
}

describe('symmetries of parameter space', () => {
  it('permuting hidden units with their weights leaves the outputs unchanged', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 2, max: 8 }),
        fc.constantFrom<Activation>(...hiddenActivations),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (inputs, units, activation, seed) => {
          const { spec, params, x } = symmetryProblem(inputs, units, activation, seed);
          const permutation = new Random(seed + 1).permutation(units);
          const [hidden, output] = params;
          const permuted: Params = [
            { weights: new Float64Array(hidden.weights.length), biases: new Float64Array(units) },
            { weights: new Float64Array(output.weights.length), biases: output.biases },
          ];
          permutation.forEach((from, to) => {
            // hidden unit `from` becomes unit `to`: its incoming row, bias and outgoing column move with it
            permuted[0].weights.set(hidden.weights.subarray(from * inputs, (from + 1) * inputs), to * inputs);
            permuted[0].biases[to] = hidden.biases[from];
            for (let k = 0; k < 2; k++)
              permuted[1].weights[k * units + to] = output.weights[k * units + from];
          });
          expectSameOutputs(outputsOf(spec, permuted, x), outputsOf(spec, params, x));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it('tanh: flipping the signs of a hidden unit’s incoming and outgoing weights leaves the outputs unchanged', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (inputs, units, seed) => {
          const { spec, params, x } = symmetryProblem(inputs, units, 'tanh', seed);
          const j = new Random(seed + 1).below(units);
          const flipped: Params = params.map((layer) => ({
            weights: layer.weights.slice(),
            biases: layer.biases.slice(),
          }));
          for (let i = 0; i < inputs; i++) flipped[0].weights[j * inputs + i] *= -1;
          flipped[0].biases[j] *= -1;
          for (let k = 0; k < 2; k++) flipped[1].weights[k * units + j] *= -1;
          expectSameOutputs(outputsOf(spec, flipped, x), outputsOf(spec, params, x));
          // and the flip really changed the parameters (the test is not vacuous)
          expect(flipped[0].weights[j * inputs]).toBe(-params[0].weights[j * inputs]);
        },
      ),
      { numRuns: 100, seed: 8 },
    );
  });
});

// ── Optimizers, by hand ────────────────────────────────────────────────────────────────────────────

/** Runs updateParameters on one weight w0 with the gradients given, one step each, and returns w after each. */
function run(
  optimizer: OptimizerSpec,
  w0: number,
  gradients: number[],
  more: Partial<StepOptions> = {},
  decays = true,
) {
  const w = Float64Array.of(w0);
  const slots = Array.from({ length: optimizer.kind === 'sgd' ? 1 : 2 }, () => new Float64Array(1));
  return gradients.map((g, step) => {
    updateParameters(
      optimizer,
      step + 1,
      w,
      [g],
      slots,
      { learningRate: 0.1, l1: 0, l2: 0, ...more },
      decays,
    );
    return w[0];
  });
}

const sgd = (momentum: number, nesterov = false): OptimizerSpec => ({ kind: 'sgd', momentum, nesterov });
const adam = (kind: 'adam' | 'adamw', weightDecay = 0): OptimizerSpec => ({
  kind,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay,
});

function expectSteps(actual: number[], expected: number[]) {
  expected.forEach((value, i) => {
    expect(Math.abs(actual[i] - value), `step ${i + 1}: ${actual[i]} vs ${value}`).toBeLessThan(1e-9);
  });
}

describe('optimizers (η = 0.1), worked by hand', () => {
  it('sgd with classic momentum α = 0.5: v ← αv − ηg; w ← w + v', () => {
    // g = 0.2 twice: v = −0.02, w = 0.98; v = 0.5·(−0.02) − 0.02 = −0.03, w = 0.95
    expectSteps(run(sgd(0.5), 1, [0.2, 0.2]), [0.98, 0.95]);
  });

  it('nesterov α = 0.5: v ← αv − ηg; w ← w + αv − ηg', () => {
    // step 1: v = −0.02, w = 1 + 0.5·(−0.02) − 0.02 = 0.97; step 2: v = −0.03, w = 0.97 − 0.015 − 0.02 = 0.935
    expectSteps(run(sgd(0.5, true), 1, [0.2, 0.2]), [0.97, 0.935]);
  });

  it('l2 and l1: g′ = g + l2·w + l1·sign(w); sign(0) = 0; nothing when the array does not decay', () => {
    const decay = { l1: 0.1, l2: 0.5 };
    expectSteps(run(sgd(0), 1, [0.2], decay), [1 - 0.1 * (0.2 + 0.5 + 0.1)]); // 0.92
    expectSteps(run(sgd(0), -1, [0.2], decay), [-1 - 0.1 * (0.2 - 0.5 - 0.1)]); // −0.96
    expectSteps(run(sgd(0), 0, [0.2], decay), [-0.02]);
    expectSteps(run(sgd(0), 1, [0.2], decay, false), [0.98]);
  });

  it('adam: bias-corrected m and s', () => {
    // t = 1, g = 0.2: m = 0.02, s = 4e-5, m̂ = 0.2, ŝ = 0.04, w = 1 − 0.1·0.2/(0.2 + 1e-8) = 0.900000005
    // t = 2, g = −0.1: m = 0.018 − 0.01 = 0.008, s = 3.996e-5 + 1e-5 = 4.996e-5,
    //   m̂ = 0.008/0.19 = 0.0421052632, ŝ = 4.996e-5/0.001999 = 0.0249924962, √ŝ = 0.1580901523,
    //   w = 0.900000005 − 0.1·0.0421052632/0.1580901523 = 0.8733663027
    expectSteps(run(adam('adam'), 1, [0.2, -0.1]), [0.900000005, 0.8733663027]);
    // adam ignores weightDecay: only adamw decouples it
    expectSteps(run(adam('adam', 0.1), 1, [0.2, -0.1]), [0.900000005, 0.8733663027]);
  });

  it('adamw: the adam step, then w ← w − η·weightDecay·w', () => {
    // 0.900000005 − 0.1·0.1·0.900000005 = 0.891000005
    expectSteps(run(adam('adamw', 0.1), 1, [0.2]), [0.891000005]);
    expectSteps(run(adam('adamw', 0.1), 1, [0.2], {}, false), [0.900000005]);
  });
});

// ── Dropout and batches ────────────────────────────────────────────────────────────────────────────

describe('dropout masks and batch means', () => {
  it('a mask keeps about 1 − rate of the units, each scaled by 1/(1 − rate), the rest 0', () => {
    for (const rate of [0.1, 0.5, 0.8]) {
      const mask = dropoutMask(3, 17, 1, rate, 50, 200);
      const kept = mask.filter((m) => m !== 0);
      expect(kept.every((m) => m === 1 / (1 - rate))).toBe(true);
      expect(mask.every((m) => m === 0 || m === 1 / (1 - rate))).toBe(true);
      expect(Math.abs(kept.length / mask.length - (1 - rate))).toBeLessThan(0.02);
    }
    // different steps give different masks
    expect(dropoutMask(3, 1, 0, 0.5, 4, 8)).not.toEqual(dropoutMask(3, 2, 0, 0.5, 4, 8));
  });

  it('forward with a mask scales the hidden outputs by it, and the gradient check still holds', () => {
    const spec: NetworkSpec = {
      inputSize: 4,
      layers: [
        { units: 6, activation: 'tanh' },
        { units: 2, activation: 'sigmoid' },
      ],
      loss: 'binary-cross-entropy',
    };
    const { params, x, t } = randomProblem(spec, 3, 5);
    const mask = dropoutMask(1, 0, 0, 0.5, 3, 6);
    const plain = forward(spec, params, x, 3);
    const dropped = forward(spec, params, x, 3, [mask]);
    dropped.o[0].forEach((value, i) => {
      expect(value).toBeCloseTo(plain.o[0][i] * mask[i], 15);
    });
    // finite differences of the loss with the same mask fixed
    const analytic = backward(spec, params, dropped, t);
    const lossWithMask = () => {
      const pass = forward(spec, params, x, 3, [mask]);
      let sum = 0;
      for (let r = 0; r < 3; r++) sum += exampleLoss(spec.loss, pass.z[1], pass.o[1], t, r, 2);
      return sum / 3;
    };
    for (let i = 0; i < params[0].weights.length; i++) {
      const kept = params[0].weights[i];
      params[0].weights[i] = kept + step;
      const up = lossWithMask();
      params[0].weights[i] = kept - step;
      const down = lossWithMask();
      params[0].weights[i] = kept;
      expect(Math.abs(analytic[0].weights[i] - (up - down) / (2 * step))).toBeLessThan(1e-8);
    }
  });

  it('property: the gradient of a batch is the mean of its examples’ gradients', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 }), (rows, seed) => {
        const spec: NetworkSpec = {
          inputSize: 3,
          layers: [
            { units: 4, activation: 'sigmoid' },
            { units: 3, activation: 'softmax' },
          ],
          loss: 'softmax-cross-entropy',
        };
        const { params, x, t } = randomProblem(spec, rows, seed);
        const batch = backward(spec, params, forward(spec, params, x, rows), t);
        const mean = batch.map((l) => ({
          weights: new Float64Array(l.weights.length),
          biases: new Float64Array(l.biases.length),
        }));
        for (let r = 0; r < rows; r++) {
          const xr = x.subarray(r * 3, (r + 1) * 3);
          const tr = t.subarray(r * 3, (r + 1) * 3);
          backward(spec, params, forward(spec, params, xr, 1), tr).forEach((layer, l) => {
            layer.weights.forEach((g, i) => {
              mean[l].weights[i] += g / rows;
            });
            layer.biases.forEach((g, i) => {
              mean[l].biases[i] += g / rows;
            });
          });
        }
        batch.forEach((layer, l) => {
          layer.weights.forEach((g, i) => {
            expect(g).toBeCloseTo(mean[l].weights[i], 12);
          });
          layer.biases.forEach((g, i) => {
            expect(g).toBeCloseTo(mean[l].biases[i], 12);
          });
        });
      }),
      { numRuns: 50, seed: 9 },
    );
  });
});
