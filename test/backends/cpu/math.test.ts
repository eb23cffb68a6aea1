// math.ts against an outside oracle: central finite differences of the loss itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backward, exampleLoss, forward } from '../../../src/backends/cpu/math.js';
import { Random } from '../../../src/model/random.js';
import type { Activation, Loss, NetworkSpec } from '../../../src/model/spec.js';

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
