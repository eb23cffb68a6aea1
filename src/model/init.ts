// Initial weights from the spec's seed: the same seed gives the same weights on every backend and
// platform, because model/random.ts uses integer arithmetic only.

import { Random } from './random.js';
import type { LayerParams } from './spec.js';
import type { ValidatedSpec } from './validate.js';

/**
 * One LayerParams per layer, drawn in order (layer 0 weights row-major, layer 0 biases, layer 1 …):
 * - uniform:  weights and biases U(−scale, +scale) (Mitchell initialises biases like weights)
 * - normal:   weights N(0, variance / fan_in), biases 0
 * - xavier:   weights U(±√(6 / (fan_in + fan_out))), biases 0
 * - he:       weights N(0, 2 / fan_in), biases 0
 * fan_in is the layer's inputs, fan_out its units.
 */
export function initParams(spec: ValidatedSpec): LayerParams[] {
  const random = new Random(spec.seed);
  const { init } = spec;
  let fanIn = spec.inputSize;
  return spec.layers.map(({ units: fanOut }) => {
    const weights = new Float32Array(fanOut * fanIn);
    const biases = new Float32Array(fanOut);
    switch (init.kind) {
      case 'uniform': {
        const scale = init.scale ?? 0.05;
        for (let i = 0; i < weights.length; i++) weights[i] = random.uniform(-scale, scale);
        for (let j = 0; j < biases.length; j++) biases[j] = random.uniform(-scale, scale);
        break;
      }
      case 'normal':
      case 'he': {
        const variance = init.kind === 'he' ? 2 : (init.variance ?? 1);
        const sigma = Math.sqrt(variance / fanIn);
        for (let i = 0; i < weights.length; i++) weights[i] = sigma * random.normal();
        break;
      }
      case 'xavier': {
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < weights.length; i++) weights[i] = random.uniform(-limit, limit);
        break;
      }
    }
    fanIn = fanOut;
    return { weights, biases };
  });
}
