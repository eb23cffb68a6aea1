// What every panel of the demo page shares: its elements, the setup form, the worker, and the page's state.
import type { Dataset } from 'webgpu-mlp';
import type { DataSource } from './data-source.js';
import { type FormChoice, SetupForm } from './setup-form.js';
import { TrainingCharts } from './views/charts.js';
import { TrainingWorker } from './worker/client.js';
import type { Probe } from './worker/protocol.js';

export const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: #${id} is missing from index.html`);
  return element as T;
};

export const ui = {
  backendStatus: byId('backend-status'),
  notice: byId('webgpu-notice'),
  dataSummary: byId('data-summary'),
  splitNote: byId('split-note'),
  splitWarning: byId('split-warning'),
  suggestionNote: byId('suggestion-note'),
  actionStatus: byId('action-status'),
  epochTableFrame: byId('epoch-table-frame'),
  epochTableHint: byId('epoch-table-hint'),
  sampleGrid: byId('sample-grid'),
  networkSummary: byId('network-summary'),
  trainButton: byId<HTMLButtonElement>('train-button'),
  pauseButton: byId<HTMLButtonElement>('pause-button'),
  stopButton: byId<HTMLButtonElement>('stop-button'),
  progress: byId<HTMLProgressElement>('training-progress'),
  status: byId('training-status'),
  epochRows: byId('epoch-rows'),
  unitWeights: byId('unit-weights'),
  testSummary: byId('test-summary'),
  confusion: byId<HTMLCanvasElement>('confusion-matrix'),
  results: byId('results'),
  mistakes: byId('mistake-grid'),
  moreMistakes: byId('more-mistakes'),
  downloadModel: byId<HTMLButtonElement>('download-model'),
  downloadTfjs: byId<HTMLButtonElement>('download-tfjs'),
  downloadOnnx: byId<HTMLButtonElement>('download-onnx'),
  modelStatus: byId('model-status'),
  classifyDrop: byId('classify-drop'),
  classifyImage: byId<HTMLCanvasElement>('classify-image'),
  classifyResult: byId('classify-result'),
  compareNetwork: byId<HTMLSelectElement>('compare-network'),
  compareButton: byId<HTMLButtonElement>('compare-button'),
  compareBars: byId('compare-bars'),
  compareStatus: byId('compare-status'),
  dropOverlay: byId('drop-overlay'),
  listSetField: byId('list-set-field'),
  listSet: byId<HTMLSelectElement>('list-set'),
};

export const form = new SetupForm(byId<HTMLFormElement>('setup-form'));
export const charts = new TrainingCharts(byId('loss-chart'), byId('accuracy-chart'));
export const worker = new TrainingWorker();

export type PageState = 'idle' | 'training' | 'paused' | 'done' | 'error';

/** What the panels share: the data source and its sample set, what the browser offers, the trained classes. */
export const page: {
  source: DataSource | null;
  sampleSet: Dataset | null;
  probe: Probe | null;
  trainedOn: { classNames: string[]; width: number; height: number } | null;
} = { source: null, sampleSet: null, probe: null, trainedOn: null };

export function setState(state: PageState): void {
  document.body.dataset.state = state;
  const busy = state === 'training' || state === 'paused';
  ui.trainButton.disabled = busy || !page.source || !page.probe;
  ui.pauseButton.disabled = !busy;
  ui.pauseButton.textContent = state === 'paused' ? 'Resume' : 'Pause';
  ui.stopButton.disabled = !busy;
  ui.compareButton.disabled = busy || !page.source || !page.probe;
}

export function showError(where: HTMLElement, error: unknown): void {
  where.textContent = error instanceof Error ? error.message : String(error);
}

export function choice(): FormChoice | null {
  return form.read();
}
