// Runs whole networks on the webgpu and cpu backends of this browser and reports how far apart they are:
// the browser half of the GPU-against-CPU checks (test/e2e/parity.e2e.test.ts reads window.parity).
import './styles.css';
import { type Activation, createEngine, type LayerParams, type Loss, type NetworkSpec } from 'webgpu-mlp';

interface ParityCase {
  hidden: number[];
  activation: Activation;
  loss: Loss;
}

export interface ParityResult {
  name: string;
  loss: Loss;
  forward: number;
  gradients: number;
  /** the weights after `steps` SGD-with-momentum steps */
  training: number;
}

declare global {
  interface Window {
    parity?: { adapter: string; results: ParityResult[] } | { error: string };
  }
}

const cases: ParityCase[] = [
  { hidden: [3], activation: 'sigmoid', loss: 'squared-error' },
  { hidden: [8, 5], activation: 'tanh', loss: 'softmax-cross-entropy' },
  { hidden: [7], activation: 'relu', loss: 'binary-cross-entropy' },
  { hidden: [6, 5, 4], activation: 'leaky-relu', loss: 'squared-error' },
  { hidden: [5, 3], activation: 'sigmoid', loss: 'softmax-cross-entropy' },
];
const inputSize = 37;
const outputs = 4;
const batchSize = 4;
const steps = 20;

/** max |a − b| / max |b|: the error relative to the size of the reference array. */
function relativeError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return scale > 0 ? difference / scale : difference;
}

function paramsError(actual: LayerParams[], reference: LayerParams[]): number {
  return Math.max(
    ...reference.flatMap((layer, l) => [
      relativeError(actual[l].weights, layer.weights),
      relativeError(actual[l].biases, layer.biases),
    ]),
  );
}

/** Inputs in [0, 1) and one-hot targets from a small deterministic generator. */
function examples(count: number, seed: number) {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const inputs = Float32Array.from({ length: count * inputSize }, next);
  const targets = new Float32Array(count * outputs);
  for (let i = 0; i < count; i++) targets[i * outputs + Math.floor(next() * outputs)] = 1;
  return { inputs, targets, count };
}

function spec(parityCase: ParityCase, seed: number): NetworkSpec {
  const outputActivation: Activation = parityCase.loss === 'softmax-cross-entropy' ? 'softmax' : 'sigmoid';
  return {
    inputSize,
    layers: [
      ...parityCase.hidden.map((units) => ({ units, activation: parityCase.activation })),
      { units: outputs, activation: outputActivation },
    ],
    loss: parityCase.loss,
    init: { kind: 'xavier' },
    seed,
  };
}

async function run(): Promise<void> {
  const gpu = await createEngine({ backend: 'webgpu' });
  const cpu = await createEngine({ backend: 'cpu' });
  const rows = document.getElementById('parity-rows');
  const results: ParityResult[] = [];
  for (const [index, parityCase] of cases.entries()) {
    const seed = 11 + index;
    const data = examples(batchSize * steps, seed);
    const [onGpu, onCpu] = [gpu, cpu].map((engine) => engine.createNetwork(spec(parityCase, seed)));
    const forward = relativeError(await onGpu.predict(data.inputs), await onCpu.predict(data.inputs));
    const gradients = paramsError(
      await onGpu.gradients(data.inputs, data.targets),
      await onCpu.gradients(data.inputs, data.targets),
    );
    // One epoch without shuffling: `steps` optimizer steps of `batchSize` examples each.
    const options = {
      epochs: 1,
      batchSize,
      shuffle: false,
      optimizer: { kind: 'sgd' as const, learningRate: 0.1, momentum: 0.9, nesterov: false },
    };
    await onGpu.fit(data, options);
    await onCpu.fit(data, options);
    const training = paramsError(await onGpu.getWeights(), await onCpu.getWeights());
    onGpu.dispose();
    onCpu.dispose();
    const name = `${[inputSize, ...parityCase.hidden, outputs].join('-')} ${parityCase.activation}`;
    const result = { name, loss: parityCase.loss, forward, gradients, training };
    results.push(result);
    const row = document.createElement('tr');
    for (const cell of [name, parityCase.loss, forward, gradients, training]) {
      const td = document.createElement('td');
      td.textContent = typeof cell === 'number' ? cell.toExponential(2) : cell;
      row.append(td);
    }
    rows?.append(row);
  }
  const status = document.getElementById('parity-status');
  if (status) status.textContent = `Adapter: ${gpu.adapterDescription}. ${results.length} networks compared.`;
  window.parity = { adapter: gpu.adapterDescription, results };
  gpu.dispose();
  cpu.dispose();
}

run().catch((error: unknown) => {
  window.parity = { error: error instanceof Error ? error.message : String(error) };
  const status = document.getElementById('parity-status');
  if (status) status.textContent = `Failed: ${window.parity.error}`;
});
