// Gradient checking (lecture notes: "gradient checking"): a backend's analytic gradients against central
// finite differences of the loss, (E(w + h) − E(w − h)) / 2h, computed in float64 by the CPU reference
// (src/backends/cpu/math.ts) at the same weights. A bug in backpropagation shows as a large relative error.

import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import { forward, passMetrics } from './math.js';

export interface GradientCheckOptions {
  /** h of the central difference, in float64; default 1e-5 */
  step?: number;
  /** at most this many parameters are checked, evenly spread over all layers; default 2000 */
  maxParameters?: number;
}

export interface GradientCheck {
  /** ‖analytic − numeric‖ / (‖analytic‖ + ‖numeric‖) over the parameters checked (0 when both are 0) */
  relativeError: number;
  /** the parameter with the largest |analytic − numeric| */
  worst: { layer: number; part: 'weights' | 'biases'; index: number; analytic: number; numeric: number };
  parametersChecked: number;
  parameterCount: number;
}

type Params64 = { weights: Float64Array; biases: Float64Array }[];

function meanLoss(
  spec: NetworkSpec,
  params: Params64,
  inputs: Float64Array,
  targets: Float64Array,
  count: number,
) {
  return passMetrics(spec, forward(spec, params, inputs, count), targets).lossSum / count;
}

/**
 * Compares `analytic` (∂ mean loss / ∂ parameters, as Network.gradients() returns them) with finite
 * differences at `params`, on `count` examples. Near a kink of relu or leaky-relu the two may differ for
 * a few parameters without any bug: read `worst` before concluding.
 */
export function gradientCheck(
  spec: NetworkSpec,
  params: readonly LayerParams[],
  inputs: Float32Array,
  targets: Float32Array,
  count: number,
  analytic: readonly LayerParams[],
  { step = 1e-5, maxParameters = 2000 }: GradientCheckOptions = {},
): GradientCheck {
  const params64: Params64 = params.map(({ weights, biases }) => ({
    weights: Float64Array.from(weights),
    biases: Float64Array.from(biases),
  }));
  const inputs64 = Float64Array.from(inputs);
  const targets64 = Float64Array.from(targets);
  const places = params64.flatMap((layer, l) =>
    (['weights', 'biases'] as const).flatMap((part) =>
      Array.from({ length: layer[part].length }, (_, index) => ({ layer: l, part, index })),
    ),
  );
  const stride = Math.max(1, Math.ceil(places.length / maxParameters));
  let differenceSquared = 0;
  let analyticSquared = 0;
  let numericSquared = 0;
  let checked = 0;
  let worst: GradientCheck['worst'] = { layer: 0, part: 'weights', index: 0, analytic: 0, numeric: 0 };
  for (let p = 0; p < places.length; p += stride) {
    const { layer, part, index } = places[p];
    const values = params64[layer][part];
    const kept = values[index];
    values[index] = kept + step;
    const up = meanLoss(spec, params64, inputs64, targets64, count);
    values[index] = kept - step;
    const down = meanLoss(spec, params64, inputs64, targets64, count);
    values[index] = kept;
    const numeric = (up - down) / (2 * step);
    const exact = analytic[layer][part][index];
    differenceSquared += (exact - numeric) ** 2;
    analyticSquared += exact * exact;
    numericSquared += numeric * numeric;
    if (Math.abs(exact - numeric) > Math.abs(worst.analytic - worst.numeric) || checked === 0) {
      worst = { layer, part, index, analytic: exact, numeric };
    }
    checked++;
  }
  const scale = Math.sqrt(analyticSquared) + Math.sqrt(numericSquared);
  return {
    relativeError: scale === 0 ? 0 : Math.sqrt(differenceSquared) / scale,
    worst,
    parametersChecked: checked,
    parameterCount: places.length,
  };
}
