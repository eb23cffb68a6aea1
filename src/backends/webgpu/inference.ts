// What reads the network without training it: predict (from arrays or the caller's GPU buffers), predictBuffer
// (into a GPU buffer, nothing read back), gradients, and the evaluation pass over a data set. All of it runs
// in one inference workspace (no dropout), made for the largest chunk of rows asked for so far.

import type { LayerParams, NetworkSpec } from '../../model/spec.js';
import type { Evaluation } from '../backend.js';
import { checkExampleLengths, checkLength } from '../shape-checks.js';
import { checkDevice, DeferredCheck } from './gpu-data.js';
import type { GpuDataset, GpuDatasets } from './gpu-datasets.js';
import { encodeStepOptions, metricsLayout, type NetworkBuffers, parseMetrics } from './network-buffers.js';
import type { CommandRecorder, GpuMemory, Scheduler } from './scheduler.js';
import { Workspace } from './workspace.js';

/** Rows per chunk of predict() and evaluate(). */
const inferenceChunkRows = 1024;

export class Inference {
  private current: Workspace | undefined;
  /** the row count the inference options hold */
  private rows = 0;
  /** predictBuffer's misuse, found after it returned */
  private readonly predictBufferCheck = new DeferredCheck();
  private readonly outputSize: number;

  constructor(
    private readonly memory: GpuMemory,
    private readonly scheduler: Scheduler,
    private readonly buffers: NetworkBuffers,
    private readonly spec: NetworkSpec,
    private readonly datasets: GpuDatasets,
    private readonly unpackParams: (bytes: ArrayBuffer) => LayerParams[],
  ) {
    this.outputSize = spec.layers[spec.layers.length - 1].units;
  }

  predict(inputs: Float32Array, count: number): Promise<Float32Array> {
    const { inputSize } = this.spec;
    checkLength('inputs', inputs.length, count * inputSize, `count × inputSize = ${count} × ${inputSize}`);
    return this.predictRows(count, (workspace, start, rows) =>
      this.scheduler.upload(
        workspace.inputs,
        0,
        inputs.subarray(start * inputSize, (start + rows) * inputSize),
      ),
    );
  }

  async predictFromBuffer(inputs: GPUBuffer, count: number): Promise<Float32Array> {
    await checkDevice(this.memory.device, [{ what: 'inputs', buffer: inputs }]);
    const rowBytes = this.spec.inputSize * 4;
    return this.predictRows(count, (workspace, start, rows, recorder) =>
      recorder.copy(inputs, start * rowBytes, workspace.inputs, 0, rows * rowBytes),
    );
  }

  predictBuffer(inputs: GPUBuffer, count: number, output?: GPUBuffer): GPUBuffer {
    this.predictBufferCheck.check();
    const { device } = this.memory;
    const rowBytes = this.spec.inputSize * 4;
    const outputRowBytes = this.outputSize * 4;
    const target =
      output ??
      device.createBuffer({
        label: 'predictBuffer output',
        size: count * outputRowBytes,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
    const workspace = this.workspaceFor(count);
    const given = [{ what: 'predictBuffer inputs', buffer: inputs }];
    if (output) given.push({ what: 'predictBuffer output', buffer: output });
    this.predictBufferCheck.submit(device, given, () =>
      this.scheduler.submit((recorder) => {
        for (let start = 0; start < count; start += workspace.capacity) {
          const rows = Math.min(workspace.capacity, count - start);
          this.recordPredictRows(recorder, workspace, rows, () =>
            recorder.copy(inputs, start * rowBytes, workspace.inputs, 0, rows * rowBytes),
          );
          const last = workspace.outputs[workspace.outputs.length - 1];
          recorder.copy(last, 0, target, start * outputRowBytes, rows * outputRowBytes);
        }
      }),
    );
    return target;
  }

  async gradients(inputs: Float32Array, targets: Float32Array, count: number): Promise<LayerParams[]> {
    checkExampleLengths(this.spec, inputs, targets, count);
    const workspace = this.workspace(count);
    this.setRows(count);
    this.scheduler.upload(workspace.inputs, 0, inputs);
    this.scheduler.upload(workspace.targets, 0, targets);
    const bytes = await this.scheduler.read(this.buffers.gradientBuffers(), {
      before: (recorder) => {
        recorder.clear(workspace.inputs, count * this.spec.inputSize * 4);
        workspace.recordGradients(recorder);
      },
    });
    return this.unpackParams(bytes);
  }

  async evaluate(data: GpuDataset): Promise<Evaluation> {
    const layout = metricsLayout();
    const classes = this.buffers.classes;
    const bytes = await this.scheduler.read(
      [
        { buffer: this.buffers.evaluationMetrics, byteLength: layout.size },
        { buffer: this.buffers.confusion, byteLength: classes * classes * 4 },
      ],
      { before: this.evaluationPass(data) },
    );
    const metrics = parseMetrics(bytes, layout);
    const confusionOffset = Math.ceil(layout.size / 4) * 4;
    return {
      ...metrics,
      confusion: new Uint32Array(bytes.slice(confusionOffset, confusionOffset + classes * classes * 4)),
      classes,
    };
  }

  /**
   * Records the forward pass of the current weights over all of `data` into the evaluation metrics and
   * confusion matrix (cleared first); uploads what it needs (the identity order, once) before.
   */
  evaluationPass(data: GpuDataset): (recorder: CommandRecorder) => void {
    const order = this.datasets.evaluationOrder(data);
    const workspace = this.workspace(Math.min(data.count, inferenceChunkRows));
    const chunk = Math.min(data.count, workspace.capacity);
    this.setRows(chunk);
    const chunks = Math.ceil(data.count / chunk);
    return (recorder) => {
      recorder.clear(this.buffers.evaluationMetrics);
      recorder.clear(this.buffers.confusion);
      // The evaluation cursor wraps back to 0 after the last chunk (loss.wgsl evaluate).
      for (let c = 0; c < chunks; c++) workspace.recordBatch(recorder, data, order);
    };
  }

  forgetDataset(dataset: GpuDataset): void {
    this.current?.forgetDataset(dataset);
  }

  destroy(): void {
    this.current?.destroy();
    this.current = undefined;
  }

  /**
   * The outputs of `count` rows, a workspace's capacity of rows per readback: `load` puts rows
   * [start, start + rows) into the workspace's inputs, by an upload or a GPU copy recorded before the pass.
   */
  private async predictRows(
    count: number,
    load: (workspace: Workspace, start: number, rows: number, recorder: CommandRecorder) => void,
  ): Promise<Float32Array> {
    const outputs = this.outputSize;
    const result = new Float32Array(count * outputs);
    const workspace = this.workspaceFor(count);
    for (let start = 0; start < count; start += workspace.capacity) {
      const rows = Math.min(workspace.capacity, count - start);
      const bytes = await this.scheduler.read(
        [{ buffer: workspace.outputs[workspace.outputs.length - 1], byteLength: rows * outputs * 4 }],
        {
          before: (recorder) =>
            this.recordPredictRows(recorder, workspace, rows, () => load(workspace, start, rows, recorder)),
        },
      );
      result.set(new Float32Array(bytes, 0, rows * outputs), start * outputs);
    }
    return result;
  }

  /** Loads `rows` rows into the workspace's inputs, zeroes the rest, and records the forward pass. */
  private recordPredictRows(
    recorder: CommandRecorder,
    workspace: Workspace,
    rows: number,
    load: () => void,
  ): void {
    load();
    recorder.clear(workspace.inputs, rows * this.spec.inputSize * 4);
    workspace.recordPredict(recorder);
  }

  /** The workspace for predicting `count` rows a chunk at a time, its options set to its whole capacity. */
  private workspaceFor(count: number): Workspace {
    const workspace = this.workspace(Math.min(count, inferenceChunkRows));
    this.setRows(workspace.capacity);
    return workspace;
  }

  /** An inference workspace of at least `rows` rows. */
  private workspace(rows: number): Workspace {
    if (!this.current || this.current.capacity < rows) {
      this.current?.destroy();
      this.current = undefined;
      this.current = new Workspace(this.memory, this.buffers, Math.max(1, rows));
    }
    return this.current;
  }

  private setRows(rows: number): void {
    if (this.rows === rows) return;
    this.scheduler.upload(this.buffers.inferenceOptions, 0, encodeStepOptions({ batchSize: rows }));
    this.rows = rows;
  }
}
