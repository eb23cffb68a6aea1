// The training loop the CLI runs until Network.fit/save/load land (issue 4): written against the backend
// contract (src/backends/backend.ts), the way TEAM.md asks a lane to do while another lane's API is not
// there yet. Per epoch: one shuffle (setOrder), train() over every batch, one metrics readback, one
// evaluation of the validation set. The weights of the best validation epoch (highest accuracy, then lowest
// loss) are kept, as Mitchell does. When Network.fit lands, the CLI switches to it and this file goes.

import type { Backend, BackendDataset, BackendNetwork, OptimizerSpec } from '../backends/backend.js';
import { CpuBackend } from '../backends/cpu/cpu-backend.js';
import { WebGpuBackend } from '../backends/webgpu/webgpu-backend.js';
import type { Dataset } from '../data/dataset.js';
import { MlpError } from '../errors.js';
import { initParams } from '../model/init.js';
import { Random } from '../model/random.js';
import type { LayerParams, NetworkSpec } from '../model/spec.js';
import { type ValidatedSpec, validateSpec } from '../model/validate.js';

export interface EpochRecord {
  epoch: number;
  /** mean training loss over the epoch (forward passes during training) */
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  optimizer: OptimizerSpec;
  l1: number;
  l2: number;
  /** per hidden layer */
  dropout: number[];
  validation?: Dataset;
  /** stop after this many epochs without a better validation epoch */
  patience?: number;
  onEpochEnd?: (record: EpochRecord) => void;
}

export interface FitResult {
  epochs: EpochRecord[];
  /** 1-based; the epoch whose weights the network holds after fit */
  bestEpoch: number;
}

export interface DatasetEvaluation {
  loss: number;
  accuracy: number;
  /** confusion[actual * classes + predicted] */
  confusion: Uint32Array;
}

/** What `webgpu-mlp` saves as model.json (until the trainer's save format lands). */
export interface SavedModel {
  format: 'webgpu-mlp-cli-model';
  version: 1;
  spec: ValidatedSpec;
  layers: { weights: number[]; biases: number[] }[];
}

/**
 * 'auto' is the fastest backend here: WebGPU on a real GPU, else the CPU. SwiftShader, the CPU emulation of
 * a GPU that machines without one fall back to, trains Mitchell's network about 190× slower than the CPU
 * backend (5 epochs: 50 s against 0.26 s on a 2-core machine), so 'auto' does not take it; `--backend
 * webgpu` still does.
 */
async function createBackend(choice: 'webgpu' | 'cpu' | 'auto'): Promise<Backend> {
  if (choice === 'cpu') return new CpuBackend();
  if (choice === 'webgpu') return WebGpuBackend.create();
  let gpu: WebGpuBackend;
  try {
    gpu = await WebGpuBackend.create();
  } catch (error) {
    if (!(error instanceof MlpError) || error.code !== 'no-adapter') throw error;
    process.stderr.write(`webgpu-mlp: backend 'auto' uses the CPU. ${error.message}\n`);
    return new CpuBackend();
  }
  if (!/swiftshader/i.test(gpu.adapterDescription)) return gpu;
  gpu.dispose();
  process.stderr.write(
    "webgpu-mlp: backend 'auto' uses the CPU: the only WebGPU adapter is SwiftShader, a CPU emulation of a GPU " +
      'that is slower than the CPU backend (add --backend webgpu to use it anyway)\n',
  );
  return new CpuBackend();
}

export class TrainingNetwork {
  private constructor(
    private readonly backend: Backend,
    readonly spec: ValidatedSpec,
    private readonly network: BackendNetwork,
  ) {}

  static async create(choice: 'webgpu' | 'cpu' | 'auto', spec: NetworkSpec): Promise<TrainingNetwork> {
    const validated = validateSpec(spec);
    const backend = await createBackend(choice);
    return new TrainingNetwork(backend, validated, backend.createNetwork(validated, initParams(validated)));
  }

  static async load(
    choice: 'webgpu' | 'cpu' | 'auto',
    text: string,
    source: string,
  ): Promise<TrainingNetwork> {
    let saved: SavedModel;
    try {
      saved = JSON.parse(text) as SavedModel;
    } catch (error) {
      throw new MlpError('invalid-file', `${source}: not valid JSON (${String(error)})`, { cause: error });
    }
    if (saved?.format !== 'webgpu-mlp-cli-model' || saved.version !== 1 || !Array.isArray(saved.layers)) {
      throw new MlpError(
        'invalid-file',
        `${source}: not a model saved by 'webgpu-mlp train' (format webgpu-mlp-cli-model, version 1)`,
      );
    }
    const network = await TrainingNetwork.create(choice, saved.spec);
    const layers = saved.layers.map(({ weights, biases }) => ({
      weights: Float32Array.from(weights),
      biases: Float32Array.from(biases),
    }));
    let fanIn = network.spec.inputSize;
    network.spec.layers.forEach(({ units }, l) => {
      if (layers[l]?.weights.length !== units * fanIn || layers[l]?.biases.length !== units) {
        throw new MlpError(
          'invalid-file',
          `${source}: layer ${l} should have ${units}×${fanIn} weights and ${units} biases`,
        );
      }
      fanIn = units;
    });
    network.network.writeParams(layers);
    return network;
  }

  get backendKind(): string {
    return this.backend.kind;
  }

  get adapterDescription(): string {
    return this.backend.adapterDescription;
  }

  async fit(train: Dataset, options: FitOptions): Promise<FitResult> {
    const net = this.network;
    net.setOptimizer(options.optimizer);
    const trainData = net.upload(train.inputs, train.targets, train.count);
    const validationData = options.validation
      ? net.upload(options.validation.inputs, options.validation.targets, options.validation.count)
      : undefined;
    try {
      const shuffle = new Random(this.spec.seed);
      const batches = Math.ceil(train.count / options.batchSize);
      const records: EpochRecord[] = [];
      let best: { epoch: number; accuracy: number; loss: number; params?: LayerParams[] } | undefined;
      for (let epoch = 1; epoch <= options.epochs; epoch++) {
        net.setOrder(trainData, shuffle.permutation(train.count));
        net.train(trainData, 0, batches, {
          batchSize: options.batchSize,
          learningRate: options.learningRate,
          l1: options.l1,
          l2: options.l2,
          decayBiases: false,
          dropout: options.dropout,
          dropoutSeed: this.spec.seed,
        });
        const metrics = await net.takeTrainingMetrics();
        if (!metrics.finite) {
          throw new MlpError(
            'non-finite',
            `training produced NaN or Infinity in epoch ${epoch}; try a smaller --lr`,
          );
        }
        const record: EpochRecord = {
          epoch,
          loss: metrics.lossSum / metrics.count,
          accuracy: metrics.correct / metrics.count,
        };
        if (validationData) {
          const evaluation = await net.evaluate(validationData);
          record.validationLoss = evaluation.lossSum / evaluation.count;
          record.validationAccuracy = evaluation.correct / evaluation.count;
          const better =
            !best ||
            record.validationAccuracy > best.accuracy ||
            (record.validationAccuracy === best.accuracy && record.validationLoss < best.loss);
          if (better) {
            best = {
              epoch,
              accuracy: record.validationAccuracy,
              loss: record.validationLoss,
              params: await net.readParams(),
            };
          }
        }
        records.push(record);
        options.onEpochEnd?.(record);
        if (best && options.patience !== undefined && epoch - best.epoch >= options.patience) break;
      }
      if (best?.params) net.writeParams(best.params);
      return { epochs: records, bestEpoch: best?.epoch ?? records.length };
    } finally {
      trainData.dispose();
      validationData?.dispose();
    }
  }

  async evaluate(dataset: Dataset): Promise<DatasetEvaluation> {
    const data: BackendDataset = this.network.upload(dataset.inputs, dataset.targets, dataset.count);
    try {
      const evaluation = await this.network.evaluate(data);
      return {
        loss: evaluation.lossSum / evaluation.count,
        accuracy: evaluation.correct / evaluation.count,
        confusion: evaluation.confusion,
      };
    } finally {
      data.dispose();
    }
  }

  predict(inputs: Float32Array): Promise<Float32Array> {
    return this.network.predict(inputs, inputs.length / this.spec.inputSize);
  }

  getWeights(): Promise<LayerParams[]> {
    return this.network.readParams();
  }

  async save(): Promise<string> {
    const layers = (await this.network.readParams()).map(({ weights, biases }) => ({
      weights: [...weights],
      biases: [...biases],
    }));
    const saved: SavedModel = { format: 'webgpu-mlp-cli-model', version: 1, spec: this.spec, layers };
    return `${JSON.stringify(saved)}\n`;
  }

  dispose(): void {
    this.network.dispose();
    this.backend.dispose();
  }
}
