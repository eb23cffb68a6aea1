// The training worker: owns the engines (WebGPU works in workers) and the current network, so the page
// never freezes while a network trains. It uses webgpu-mlp exactly as any application would.
import {
  createEngine,
  type Engine,
  type FitOptions,
  Network,
  type NetworkSpec,
  toOnnx,
  toTfjsLayers,
} from 'webgpu-mlp';
import {
  type BenchEngine,
  benchNetworks,
  customNetwork,
  measureNetwork,
  ourEngines,
  syntheticData,
} from 'webgpu-mlp/bench';
import type {
  Answers,
  BackendChoice,
  CompareSubject,
  DownloadFile,
  LayerWeights,
  Probe,
  Progress,
  Request,
  RequestMessage,
  TrainingData,
  TrainingOutcome,
  TrainingSetup,
  WorkerMessage,
} from './protocol.js';

/** The formats a trained model can be exported to, besides the library's own. */
const modelExports: Probe['exports'] = ['tfjs', 'onnx'];

const engines = new Map<BackendChoice, Promise<Engine>>();
let network: Network | null = null;
let control: { paused: boolean; stopped: boolean; resume: () => void } | null = null;

function engineFor(backend: BackendChoice): Promise<Engine> {
  let engine = engines.get(backend);
  if (!engine) {
    engine = createEngine({ backend });
    engines.set(backend, engine);
    engine.catch(() => engines.delete(backend));
  }
  return engine;
}

function networkSpec(setup: TrainingSetup, inputSize: number, outputSize: number): NetworkSpec {
  const outputActivation = setup.loss === 'softmax-cross-entropy' ? 'softmax' : 'sigmoid';
  return {
    inputSize,
    layers: [
      ...setup.hidden.map((units) => ({ units, activation: setup.activation })),
      { units: outputSize, activation: outputActivation },
    ],
    loss: setup.loss,
    seed: setup.seed,
  };
}

function optimizer(setup: TrainingSetup) {
  const { learningRate, momentum } = setup;
  switch (setup.optimizer) {
    case 'sgd':
    case 'nesterov':
      return { kind: 'sgd' as const, learningRate, momentum, nesterov: setup.optimizer === 'nesterov' };
    case 'adam':
    case 'adamw':
      return { kind: setup.optimizer, learningRate };
  }
}

/** Copies of the first two layers' parameters: what the hidden-unit pictures need. */
function pictureLayers(layers: readonly LayerWeights[]): LayerWeights[] {
  return layers
    .slice(0, 2)
    .map((layer) => ({ weights: layer.weights.slice(), biases: layer.biases.slice() }));
}

function argmaxRows(outputs: Float32Array, columns: number): Uint32Array {
  const rows = outputs.length / columns;
  const classes = new Uint32Array(rows);
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let k = 1; k < columns; k++)
      if (outputs[row * columns + k] > outputs[row * columns + best]) best = k;
    classes[row] = best;
  }
  return classes;
}

async function train(
  setup: TrainingSetup,
  data: TrainingData,
  report: (progress: Progress) => void,
): Promise<TrainingOutcome> {
  const engine = await engineFor(setup.backend);
  network?.dispose();
  const net = engine.createNetwork(networkSpec(setup, data.inputSize, data.outputSize));
  network = net;
  const run = { paused: false, stopped: false, resume: () => {} };
  control = run;
  let lastPicture = 0;
  let started = performance.now();
  const options: FitOptions = {
    epochs: setup.epochs,
    batchSize: setup.batchSize,
    shuffle: true,
    optimizer: optimizer(setup),
    validation: data.validation ?? undefined,
    earlyStopping: setup.patience === null ? undefined : { patience: setup.patience, minDelta: 0 },
    onEpochEnd: async (record) => {
      // Weight pictures at most a few times a second: each costs a read back from the GPU.
      const now = performance.now();
      const picture = now - lastPicture > 200 || record.epoch === setup.epochs;
      if (picture) lastPicture = now;
      report({
        kind: 'epoch',
        epoch: {
          ...record,
          epochs: setup.epochs,
          elapsedSeconds: (now - started) / 1000,
          layers: picture ? pictureLayers(await net.getWeights()) : [],
        },
      });
      // A macrotask turn lets pause and stop messages in even when the backend computes synchronously.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (run.paused && !run.stopped) await new Promise<void>((resolve) => (run.resume = resolve));
    },
  };
  // Compile the GPU's programs first, so the page can say so (seconds on a CPU adapter) rather than
  // show empty charts.
  report({ kind: 'preparing', done: false });
  await net.ready(options, data.train.count);
  report({ kind: 'preparing', done: true });
  started = performance.now();
  const history = await net.fit(data.train, options);
  control = null;
  const evaluation = await net.evaluate(data.test);
  const predictions = argmaxRows(await net.predict(data.test.inputs), data.outputSize);
  return {
    epochsRun: history.epochs.length,
    // With early stopping the network ends with its best validation epoch's weights.
    bestEpoch: setup.patience !== null && data.validation ? history.bestEpoch : null,
    stoppedEarly: history.stoppedEarly,
    stoppedByUser: history.stopped,
    test: {
      loss: evaluation.loss,
      accuracy: evaluation.accuracy,
      confusion: Uint32Array.from(evaluation.confusion.flat()),
      classes: evaluation.confusion.length,
    },
    predictions,
    layers: pictureLayers(await net.getWeights()),
  };
}

/**
 * The benchmark's measurement (bench/core, as `npm run bench` does it) of our WebGPU and CPU engines on one
 * network: warm-up, 3 alternating timed runs of about a second each, transfers over one whole epoch.
 */
async function compare(subject: CompareSubject, report: (progress: Progress) => void) {
  const [network, data] =
    subject.kind === 'bench'
      ? [benchNetworks[subject.network], syntheticData(benchNetworks[subject.network])]
      : formNetwork(subject.setup, subject.data);
  const engines: BenchEngine[] = [];
  const versions = { browser: navigator.userAgent };
  try {
    for (const backend of ['webgpu', 'cpu'] as const) {
      try {
        engines.push(...(await ourEngines([backend], versions)));
      } catch {
        // no WebGPU here: the page says so, and the CPU bar stands alone
      }
    }
    return await measureNetwork(network, data, engines, {
      runSeconds: 1,
      runs: 3,
      log: (line) => report({ kind: 'status', text: line.trim() }),
    });
  } finally {
    for (const engine of engines) await engine.dispose();
  }
}

/** The setup form's network and training split as a benchmark network and its data. */
function formNetwork(setup: TrainingSetup, data: TrainingData) {
  const { inputs, targets, count } = data.train;
  const spec = networkSpec(setup, data.inputSize, data.outputSize);
  const network = customNetwork(spec, setup.batchSize, optimizer(setup), count);
  const labels = argmaxRows(targets, data.outputSize);
  const examples = {
    inputs,
    targets,
    labels,
    examples: count,
    inputSize: data.inputSize,
    outputSize: data.outputSize,
  };
  return [network, examples] as const;
}

function requireNetwork(): Network {
  if (!network) throw new Error('There is no network yet: train one or load a model first.');
  return network;
}

async function answer(
  request: Request,
  report: (progress: Progress) => void,
): Promise<Answers[keyof Answers]> {
  switch (request.kind) {
    case 'probe': {
      try {
        const engine = await engineFor('webgpu');
        return { webgpu: true, adapter: engine.adapterDescription, reason: '', exports: modelExports };
      } catch (error) {
        return {
          webgpu: false,
          adapter: '',
          reason: String((error as Error).message ?? error),
          exports: modelExports,
        };
      }
    }
    case 'train':
      return train(request.setup, request.data, report);
    case 'pause':
      if (control) control.paused = true;
      return null;
    case 'resume':
      if (control) {
        control.paused = false;
        control.resume();
      }
      return null;
    case 'stop':
      // fit ends after its current step; a paused run is let go first.
      network?.stop();
      if (control) {
        control.stopped = true;
        control.resume();
      }
      return null;
    case 'save': {
      const saved = JSON.stringify(await requireNetwork().save());
      const files: DownloadFile[] = [
        { name: 'webgpu-mlp-model.json', type: 'application/json', bytes: new TextEncoder().encode(saved) },
      ];
      return files;
    }
    case 'export': {
      const net = requireNetwork();
      const params = await net.getWeights();
      if (request.format === 'onnx') {
        return [
          {
            name: 'webgpu-mlp-model.onnx',
            type: 'application/octet-stream',
            bytes: toOnnx(net.spec, params),
          },
        ];
      }
      // TensorFlow.js Layers format: model.json names weights.bin, which must sit beside it.
      const { modelJson, weightsBin } = toTfjsLayers(net.spec, params);
      const json = new TextEncoder().encode(JSON.stringify(modelJson));
      return [
        { name: 'model.json', type: 'application/json', bytes: json },
        { name: 'weights.bin', type: 'application/octet-stream', bytes: weightsBin },
      ];
    }
    case 'load': {
      const engine = await engineFor(engines.has('webgpu') ? 'webgpu' : 'cpu');
      const loaded = Network.load(new TextDecoder().decode(request.bytes), engine);
      network?.dispose();
      network = loaded;
      return {
        inputSize: loaded.inputSize,
        outputSize: loaded.outputSize,
        layers: pictureLayers(await loaded.getWeights()),
        description: request.fileName,
      };
    }
    case 'classify':
      return requireNetwork().predict(request.inputs);
    case 'compare':
      return compare(request.subject, report);
  }
}

self.addEventListener('message', (event: MessageEvent<RequestMessage>) => {
  const { id, request } = event.data;
  const post = (message: WorkerMessage, transfer: Transferable[] = []) =>
    self.postMessage(message, { transfer });
  answer(request, (progress) => post({ id, type: 'progress', progress })).then(
    (result) => post({ id, type: 'done', answer: result }),
    (error: unknown) =>
      post({ id, type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
});
