// The demo page: wires the panels together. Training, model files and the benchmark run in a Web Worker.
import './styles.css';
import type { Dataset, Splits } from 'webgpu-mlp';
import { benchNetworkNames, benchNetworks } from 'webgpu-mlp/bench';
import { csvSource, type DataSource, droppedFiles, pgmSource, syntheticSource } from './data-source.js';
import { describeNetwork, type FormChoice, SetupForm } from './setup-form.js';
import { formatLoss, TrainingCharts } from './views/charts.js';
import { renderCompareBars } from './views/compare-bars.js';
import { drawConfusionMatrix } from './views/confusion.js';
import { drawGreyImage, imageTile } from './views/images.js';
import { renderUnitWeights } from './views/unit-weights.js';
import { TrainingWorker } from './worker/client.js';
import type {
  CompareSubject,
  DownloadFile,
  EpochProgress,
  ExampleSet,
  LayerWeights,
  Probe,
  TrainingData,
  TrainingOutcome,
} from './worker/protocol.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: #${id} is missing from index.html`);
  return element as T;
};

const ui = {
  backendStatus: byId('backend-status'),
  notice: byId('webgpu-notice'),
  dataSummary: byId('data-summary'),
  splitNote: byId('split-note'),
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
const stats = {
  epoch: byId('stat-epoch'),
  loss: byId('stat-loss'),
  accuracy: byId('stat-accuracy'),
  validation: byId('stat-validation'),
  speed: byId('stat-speed'),
  elapsed: byId('stat-elapsed'),
  eta: byId('stat-eta'),
};

const form = new SetupForm(byId<HTMLFormElement>('setup-form'));
const charts = new TrainingCharts(byId('loss-chart'), byId('accuracy-chart'));
const worker = new TrainingWorker();

type PageState = 'idle' | 'training' | 'paused' | 'done' | 'error';
let source: DataSource | null = null;
let sampleSet: Dataset | null = null;
let probe: Probe | null = null;
let trainedOn: { classNames: string[]; width: number; height: number } | null = null;

function setState(state: PageState): void {
  document.body.dataset.state = state;
  const busy = state === 'training' || state === 'paused';
  ui.trainButton.disabled = busy || !source || !probe;
  ui.pauseButton.disabled = !busy;
  ui.pauseButton.textContent = state === 'paused' ? 'Resume' : 'Pause';
  ui.stopButton.disabled = !busy;
  ui.compareButton.disabled = busy || !source || !probe;
}

function showError(where: HTMLElement, error: unknown): void {
  where.textContent = error instanceof Error ? error.message : String(error);
}

// ---- WebGPU -------------------------------------------------------------------------------------------

async function probeBackends(): Promise<void> {
  probe = await worker.request({ kind: 'probe' });
  if (probe.webgpu) {
    ui.backendStatus.dataset.kind = 'webgpu';
    ui.backendStatus.textContent = `WebGPU · ${probe.adapter}`;
  } else {
    ui.backendStatus.dataset.kind = 'cpu';
    ui.backendStatus.textContent = 'CPU only: no WebGPU';
    ui.notice.hidden = false;
    const message = document.createElement('p');
    message.textContent =
      'WebGPU is not available in this browser, so everything runs on the CPU backend: the same results, more slowly. ' +
      'To train on the GPU, open this page in a recent Chrome or Edge on a machine with a supported GPU (chrome://gpu shows why WebGPU is off).';
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'What the browser said';
    details.append(summary, probe.reason || 'No adapter was offered.');
    ui.notice.replaceChildren(message, details);
    form.disableWebGpu();
  }
  ui.downloadTfjs.hidden = !probe.exports.includes('tfjs');
  ui.downloadOnnx.hidden = !probe.exports.includes('onnx');
}

// ---- Data ---------------------------------------------------------------------------------------------

function choice(): FormChoice | null {
  return form.read();
}

async function useSource(next: DataSource): Promise<void> {
  source = next;
  form.syncEnabledFields(next.kind);
  await refreshSamples();
  setState('idle');
}

/** Redraws the sample grid and the summaries for the current source and task. */
async function refreshSamples(): Promise<void> {
  const current = choice();
  if (!source || !current) return;
  try {
    sampleSet = await source.dataset({ ...current, seed: current.setup.seed });
  } catch (error) {
    sampleSet = null;
    showError(ui.dataSummary, error);
    ui.sampleGrid.replaceChildren();
    return;
  }
  const data = sampleSet;
  const perClass = data.classNames.map(
    (name, k) => `${name} ${data.labels.filter((label) => label === k).length}`,
  );
  ui.dataSummary.textContent = `${source.name} · ${data.classNames.length} classes (${perClass.join(', ')})`;
  ui.splitNote.textContent = source.splitNote;
  if (source.kind === 'table') showTableSamples(data);
  else showImageSamples(data);
  updateNetworkSummary();
}

function showImageSamples(data: Dataset): void {
  // Classes in turn, each class's examples spread over the whole set, so every class shows up.
  const byClass = data.classNames.map((_, k) => [...data.labels.keys()].filter((i) => data.labels[i] === k));
  const perClass = Math.ceil(24 / Math.max(1, byClass.filter((members) => members.length > 0).length));
  const chosen: number[] = [];
  for (let round = 0; round < perClass; round++) {
    for (const members of byClass) {
      if (round < members.length && chosen.length < 24) {
        chosen.push(members[Math.floor(((round + 0.5) * members.length) / perClass) % members.length]);
      }
    }
  }
  const tiles = chosen.map((i) => {
    const pixels = data.inputs.subarray(i * data.inputSize, (i + 1) * data.inputSize);
    return imageTile(pixels, data.width, data.height, data.classNames[data.labels[i]]);
  });
  ui.sampleGrid.className = 'image-grid';
  ui.sampleGrid.replaceChildren(...tiles);
}

function showTableSamples(data: Dataset & { featureNames?: string[] }): void {
  const columns = Math.min(data.inputSize, 8);
  const names = data.featureNames ?? Array.from({ length: data.inputSize }, (_, f) => `column ${f + 1}`);
  const row = (cells: string[], tag: 'th' | 'td') => {
    const tr = document.createElement('tr');
    tr.replaceChildren(
      ...cells.map((text) => {
        const cell = document.createElement(tag);
        cell.textContent = text;
        return cell;
      }),
    );
    return tr;
  };
  const table = document.createElement('table');
  table.className = 'sample-table';
  const more = data.inputSize > columns ? ['…'] : [];
  table.append(row([...names.slice(0, columns), ...more, 'label'], 'th'));
  for (let i = 0; i < Math.min(8, data.count); i++) {
    const values = Array.from({ length: columns }, (_, f) =>
      String(+data.inputs[i * data.inputSize + f].toPrecision(4)),
    );
    table.append(row([...values, ...more, data.classNames[data.labels[i]]], 'td'));
  }
  ui.sampleGrid.className = 'table-samples';
  ui.sampleGrid.replaceChildren(table);
}

function updateNetworkSummary(): void {
  const current = form.form.checkValidity() ? choice() : null;
  if (!current || !sampleSet) return;
  ui.networkSummary.textContent = describeNetwork(
    sampleSet.inputSize,
    current.setup,
    sampleSet.classNames.length,
  );
}

/** The PGM files last picked or dropped, kept so that another list set can be chosen for them. */
let pickedImages: { files: File[]; name: string } | null = null;
/** The list-set choice that asks for a random split (list set prefixes are never empty in practice). */
const randomSplitChoice = '';

async function loadFiles(files: File[], name: string, listSet?: string | null): Promise<void> {
  pickedImages = { files, name };
  ui.dataSummary.textContent = `Reading ${files.length} files…`;
  try {
    const next = await pgmSource(files, name, { listSet });
    showListSets(next);
    await useSource(next);
  } catch (error) {
    showError(ui.dataSummary, error);
  }
}

/** The split choice for PGM files with several of Mitchell's list sets (all_*, straightrnd_*, …). */
function showListSets(next: DataSource): void {
  const { sets = [], chosen = null } = next.listSets ?? {};
  ui.listSetField.hidden = sets.length < 2;
  const option = (value: string, label: string) => {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = label;
    return element;
  };
  ui.listSet.replaceChildren(
    ...sets.map((set) => option(set.prefix, set.label)),
    option(randomSplitChoice, 'random split (⅓ test, then the validation split)'),
  );
  ui.listSet.value = chosen ?? randomSplitChoice;
}

function setupDataPanel(): void {
  const sourceRadios = document.querySelectorAll<HTMLInputElement>('input[name="source"]');
  for (const radio of sourceRadios) {
    radio.addEventListener('change', () => {
      for (const options of document.querySelectorAll<HTMLElement>('.source-options')) {
        options.hidden = options.dataset.source !== radio.value;
      }
      if (radio.value === 'synthetic') void useSource(syntheticSource());
    });
  }
  for (const id of ['pgm-files', 'pgm-folder']) {
    const input = byId<HTMLInputElement>(id);
    input.addEventListener('change', () => {
      const files = [...(input.files ?? [])];
      if (files.length > 0) void loadFiles(files, files[0].webkitRelativePath.split('/')[0] || 'Your images');
    });
  }

  ui.listSet.addEventListener('change', () => {
    if (!pickedImages) return;
    const listSet = ui.listSet.value === randomSplitChoice ? null : ui.listSet.value;
    void loadFiles(pickedImages.files, pickedImages.name, listSet);
  });

  const csvInput = byId<HTMLInputElement>('csv-file');
  const labelColumn = byId<HTMLInputElement>('csv-label-column');
  const loadCsv = async () => {
    const file = csvInput.files?.[0];
    if (!file) return;
    try {
      await useSource(await csvSource(file, labelColumn.value));
    } catch (error) {
      showError(ui.dataSummary, error);
    }
  };
  csvInput.addEventListener('change', () => void loadCsv());
  labelColumn.addEventListener('change', () => void loadCsv());

  // Drop PGM images or a folder anywhere on the page (the classify box takes single images itself).
  let dragDepth = 0;
  window.addEventListener('dragenter', (event) => {
    if (!event.dataTransfer?.types.includes('Files') || ui.classifyDrop.contains(event.target as Node))
      return;
    dragDepth++;
    ui.dropOverlay.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) ui.dropOverlay.hidden = true;
  });
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', async (event) => {
    event.preventDefault();
    dragDepth = 0;
    ui.dropOverlay.hidden = true;
    if (!event.dataTransfer || ui.classifyDrop.contains(event.target as Node)) return;
    const files = await droppedFiles(event.dataTransfer.items);
    const pgm = document.querySelector<HTMLInputElement>('input[name="source"][value="pgm"]');
    if (pgm && !pgm.checked) {
      pgm.checked = true;
      for (const options of document.querySelectorAll<HTMLElement>('.source-options')) {
        options.hidden = options.dataset.source !== 'pgm';
      }
    }
    await loadFiles(files, 'Dropped images');
  });
}

// ---- Training -----------------------------------------------------------------------------------------

function exampleSet(dataset: Dataset, copy: boolean): ExampleSet {
  return {
    inputs: copy ? dataset.inputs.slice() : dataset.inputs,
    targets: copy ? dataset.targets.slice() : dataset.targets,
    count: dataset.count,
  };
}

/** The splits as they go to the worker. The test set is copied: the page keeps it for the mistake gallery. */
function trainingData(splits: Splits): { data: TrainingData; transfer: Transferable[] } {
  const data: TrainingData = {
    inputSize: splits.train.inputSize,
    outputSize: splits.train.outputSize,
    classNames: splits.train.classNames,
    train: exampleSet(splits.train, false),
    validation: splits.validation.count > 0 ? exampleSet(splits.validation, false) : null,
    test: exampleSet(splits.test, true),
  };
  const transfer = [
    data.train.inputs.buffer,
    data.train.targets.buffer,
    data.test.inputs.buffer,
    data.test.targets.buffer,
  ];
  if (data.validation) transfer.push(data.validation.inputs.buffer, data.validation.targets.buffer);
  return { data, transfer: transfer as Transferable[] };
}

function seconds(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (value < 60) return `${value.toFixed(value < 10 ? 1 : 0)} s`;
  const whole = Math.round(value);
  return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
}

const percent = (value: number | undefined) => (value === undefined ? '–' : `${(100 * value).toFixed(1)}%`);

function showEpoch(epoch: EpochProgress): void {
  charts.add(epoch);
  stats.epoch.textContent = `${epoch.epoch} / ${epoch.epochs}`;
  stats.loss.textContent = formatLoss(epoch.loss);
  stats.accuracy.textContent = percent(epoch.accuracy);
  stats.validation.textContent = percent(epoch.validationAccuracy);
  stats.speed.textContent = Math.round(epoch.examplesPerSecond).toLocaleString('en');
  stats.elapsed.textContent = seconds(epoch.elapsedSeconds);
  stats.eta.textContent = seconds((epoch.elapsedSeconds / epoch.epoch) * (epoch.epochs - epoch.epoch));
  ui.progress.value = epoch.epoch / epoch.epochs;
  const row = document.createElement('tr');
  for (const cell of [
    String(epoch.epoch),
    formatLoss(epoch.loss),
    percent(epoch.accuracy),
    epoch.validationLoss === undefined ? '–' : formatLoss(epoch.validationLoss),
    percent(epoch.validationAccuracy),
    Math.round(epoch.examplesPerSecond).toLocaleString('en'),
  ]) {
    const td = document.createElement('td');
    td.textContent = cell;
    row.append(td);
  }
  ui.epochRows.append(row);
  if (epoch.layers.length > 0) showUnits(epoch.layers);
}

function showUnits(layers: LayerWeights[]): void {
  if (!trainedOn || layers.length < 2) return;
  const [hidden, next] = layers;
  const hiddenUnits = hidden.biases.length;
  const nextUnits = next.biases.length;
  const nextNames =
    layers.length === 2 && nextUnits === trainedOn.classNames.length
      ? trainedOn.classNames
      : Array.from({ length: nextUnits }, (_, k) => `unit ${k + 1}`);
  if (hidden.weights.length !== hiddenUnits * trainedOn.width * trainedOn.height) return;
  renderUnitWeights(
    ui.unitWeights,
    {
      hidden: hidden.weights,
      hiddenUnits,
      next: next.weights,
      nextBiases: next.biases,
      nextUnits,
      nextNames,
    },
    trainedOn.width,
    trainedOn.height,
  );
}

const mistakesShown = 24;

function showOutcome(outcome: TrainingOutcome, test: Dataset): void {
  const classNames = test.classNames;
  ui.results.hidden = false;
  drawConfusionMatrix(ui.confusion, outcome.test.confusion, classNames);
  const how = outcome.stoppedByUser
    ? `stopped by you after epoch ${outcome.epochsRun}`
    : outcome.stoppedEarly
      ? `early stopping after epoch ${outcome.epochsRun}`
      : `after ${outcome.epochsRun} epochs`;
  const best =
    outcome.bestEpoch === null ? '' : `; weights from epoch ${outcome.bestEpoch}, the best on validation`;
  ui.testSummary.textContent = `Test accuracy ${percent(outcome.test.accuracy)} on ${test.count} images it never trained on (${how}${best}).`;
  const wrong = [...test.labels.keys()].filter((i) => outcome.predictions[i] !== test.labels[i]);
  const tiles: HTMLElement[] = [];
  for (const i of wrong.slice(0, mistakesShown)) {
    const predicted = outcome.predictions[i];
    const pixels = test.inputs.subarray(i * test.inputSize, (i + 1) * test.inputSize);
    const tile = imageTile(pixels, test.width, test.height, `said ${classNames[predicted]}`, true);
    const actual = document.createElement('figcaption');
    actual.textContent = `is ${classNames[test.labels[i]]}`;
    tile.append(actual);
    tile.title = test.sources[i];
    tiles.push(tile);
  }
  if (tiles.length === 0) {
    const none = document.createElement('p');
    none.className = 'empty';
    none.textContent = 'None: every test image was classified correctly.';
    tiles.push(none);
  }
  ui.mistakes.replaceChildren(...tiles);
  ui.moreMistakes.textContent =
    wrong.length > mistakesShown
      ? `…and ${wrong.length - mistakesShown} more of ${wrong.length} mistakes.`
      : '';
  showUnits(outcome.layers);
}

function resetTrainingView(): void {
  charts.reset();
  ui.testSummary.textContent = 'Training… the test images are held back until it ends.';
  ui.results.hidden = true;
  ui.mistakes.replaceChildren();
  ui.moreMistakes.textContent = '';
  ui.unitWeights.replaceChildren();
  ui.epochRows.replaceChildren();
  ui.progress.value = 0;
  for (const stat of Object.values(stats)) stat.textContent = '–';
}

/**
 * "Preparing the GPU… 3 s" in the status line while the worker's network compiles its GPU programs
 * (Network.ready: seconds on a CPU adapter such as SwiftShader); nothing for the CPU backend.
 */
function preparingClock(backendName: string) {
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    start() {
      if (backendName !== 'WebGPU') return;
      const started = performance.now();
      const show = () => {
        const elapsed = Math.floor((performance.now() - started) / 1000);
        ui.status.textContent = `Preparing the GPU… ${elapsed} s (compiling its programs for this network)`;
      };
      show();
      timer = setInterval(show, 250);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

async function train(): Promise<void> {
  const current = choice();
  if (!source || !current) return;
  setState('training');
  resetTrainingView();
  ui.status.textContent = 'Preparing the data…';
  let splits: Splits;
  try {
    splits = await source.splits({ ...current, seed: current.setup.seed });
  } catch (error) {
    setState('error');
    showError(ui.status, error);
    return;
  }
  trainedOn = { classNames: splits.train.classNames, width: splits.train.width, height: splits.train.height };
  const test = splits.test;
  const { data, transfer } = trainingData(splits);
  const backendName = current.setup.backend === 'webgpu' ? 'WebGPU' : 'CPU';
  const trainingText = `Training on ${backendName}: ${data.train.count} training, ${data.validation?.count ?? 0} validation, ${test.count} test images.`;
  ui.status.textContent = trainingText;
  const preparing = preparingClock(backendName);
  try {
    const outcome = await worker
      .request(
        { kind: 'train', setup: current.setup, data },
        (progress) => {
          if (progress.kind === 'epoch') showEpoch(progress.epoch);
          if (progress.kind === 'preparing' && !progress.done) preparing.start();
          if (progress.kind === 'preparing' && progress.done) {
            preparing.stop();
            ui.status.textContent = trainingText;
          }
        },
        transfer,
      )
      .finally(() => preparing.stop());
    showOutcome(outcome, test);
    ui.status.textContent = `Done on ${backendName}: ${data.train.count} training, ${data.validation?.count ?? 0} validation and ${test.count} test images.`;
    ui.downloadModel.disabled = false;
    ui.downloadTfjs.disabled = false;
    ui.downloadOnnx.disabled = false;
    setState('done');
  } catch (error) {
    setState('error');
    showError(ui.status, error);
  }
}

function setupTrainingControls(): void {
  ui.trainButton.addEventListener('click', () => void train());
  ui.pauseButton.addEventListener('click', async () => {
    const paused = document.body.dataset.state === 'paused';
    await worker.request({ kind: paused ? 'resume' : 'pause' });
    setState(paused ? 'training' : 'paused');
    ui.status.textContent = paused ? 'Training…' : 'Paused after the current epoch.';
  });
  ui.stopButton.addEventListener('click', () => {
    ui.status.textContent = 'Stopping after the current epoch…';
    void worker.request({ kind: 'stop' });
  });
  form.form.addEventListener('input', () => {
    form.syncEnabledFields(source?.kind ?? 'faces');
    updateNetworkSummary();
  });
  form.form.addEventListener('change', (event) => {
    const name = (event.target as HTMLInputElement).name;
    if (name === 'task' || name === 'loss') void refreshSamples();
  });
  form.form.addEventListener('submit', (event) => event.preventDefault());
}

// ---- Models -------------------------------------------------------------------------------------------

function download(files: DownloadFile[]): void {
  for (const file of files) {
    const url = URL.createObjectURL(new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = file.name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

async function classify(file: File): Promise<void> {
  const { parsePgm } = await import('webgpu-mlp');
  try {
    const image = parsePgm(new Uint8Array(await file.arrayBuffer()), file.name);
    const pixels = Float32Array.from(image.samples, (sample) => sample / image.maxval);
    drawGreyImage(ui.classifyImage, pixels, image.width, image.height);
    const outputs = await worker.request({ kind: 'classify', inputs: pixels });
    const names = trainedOn?.classNames.length === outputs.length ? trainedOn.classNames : null;
    const ranked = [...outputs].map((value, k) => ({ value, name: names?.[k] ?? `output ${k + 1}` }));
    ranked.sort((a, b) => b.value - a.value);
    ui.classifyResult.textContent = `${ranked[0].name} · outputs: ${ranked.map((r) => `${r.name} ${r.value.toFixed(2)}`).join(', ')}`;
  } catch (error) {
    showError(ui.classifyResult, error);
  }
}

function setupModelPanel(): void {
  ui.downloadModel.addEventListener('click', async () => {
    try {
      download(await worker.request({ kind: 'save' }));
    } catch (error) {
      showError(ui.modelStatus, error);
    }
  });
  for (const [button, format] of [
    [ui.downloadTfjs, 'tfjs'],
    [ui.downloadOnnx, 'onnx'],
  ] as const) {
    button.addEventListener('click', async () => {
      try {
        download(await worker.request({ kind: 'export', format }));
      } catch (error) {
        showError(ui.modelStatus, error);
      }
    });
  }
  const loadInput = byId<HTMLInputElement>('load-model');
  loadInput.addEventListener('change', async () => {
    const file = loadInput.files?.[0];
    if (!file) return;
    try {
      const loaded = await worker.request({
        kind: 'load',
        fileName: file.name,
        bytes: new Uint8Array(await file.arrayBuffer()),
      });
      ui.modelStatus.textContent = `Loaded ${loaded.description}: ${loaded.inputSize} inputs, ${loaded.outputSize} outputs. Drop an image to classify it.`;
      trainedOn ??= { classNames: [], width: 32, height: 30 };
      showUnits(loaded.layers);
      ui.downloadModel.disabled = false;
    } catch (error) {
      showError(ui.modelStatus, error);
    }
  });
  const classifyInput = byId<HTMLInputElement>('classify-file');
  classifyInput.addEventListener('change', () => {
    const file = classifyInput.files?.[0];
    if (file) void classify(file);
  });
  ui.classifyDrop.addEventListener('dragover', (event) => {
    event.preventDefault();
    ui.classifyDrop.classList.add('over');
  });
  ui.classifyDrop.addEventListener('dragleave', () => ui.classifyDrop.classList.remove('over'));
  ui.classifyDrop.addEventListener('drop', (event) => {
    event.preventDefault();
    ui.classifyDrop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) void classify(file);
  });
}

// ---- Compare ------------------------------------------------------------------------------------------

/** What the compare panel's choice names: the form's network on its training split, or a benchmark network. */
async function compareSubject(): Promise<{ subject: CompareSubject; transfer: Transferable[] } | null> {
  const picked = ui.compareNetwork.value;
  if (picked !== 'form') {
    const network = benchNetworkNames.find((name) => name === picked);
    return network ? { subject: { kind: 'bench', network }, transfer: [] } : null;
  }
  const current = choice();
  if (!source || !current) return null;
  const { data, transfer } = trainingData(await source.splits({ ...current, seed: current.setup.seed }));
  return { subject: { kind: 'form', setup: current.setup, data }, transfer };
}

function setupComparePanel(): void {
  for (const name of benchNetworkNames.filter((network) => network !== 'large')) {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = `${name}: ${benchNetworks[name].description}`;
    ui.compareNetwork.append(option);
  }
  ui.compareButton.addEventListener('click', async () => {
    ui.compareButton.disabled = true;
    ui.trainButton.disabled = true;
    ui.compareStatus.textContent = 'Preparing…';
    try {
      const chosen = await compareSubject();
      if (!chosen) return;
      const { subject, transfer } = chosen;
      const records = await worker.request(
        { kind: 'compare', subject },
        (progress) => {
          if (progress.kind === 'status') ui.compareStatus.textContent = progress.text;
        },
        transfer,
      );
      renderCompareBars(ui.compareBars, records);
      const only = records.length === 1 ? ' WebGPU is not available here, so only the CPU was timed.' : '';
      const what =
        subject.kind === 'bench'
          ? `${subject.network} (${benchNetworks[subject.network].description}) on ${benchNetworks[subject.network].examples} synthetic examples`
          : `The ${[subject.data.inputSize, ...subject.setup.hidden, subject.data.outputSize].join('-')} network above, batch size ${subject.setup.batchSize}, on its ${subject.data.train.count} training examples`;
      ui.compareStatus.textContent =
        `${what}: examples/s, median (min–max) of ${records[0]?.runs ?? 3} timed runs of about a second ` +
        `after a warm-up, the engines taking turns; transfers counted over one whole epoch, as ` +
        `npm run bench does.${only}`;
    } catch (error) {
      showError(ui.compareStatus, error);
    } finally {
      setState((document.body.dataset.state as PageState) ?? 'idle');
    }
  });
}

// ---- Start --------------------------------------------------------------------------------------------

setupDataPanel();
setupTrainingControls();
setupModelPanel();
setupComparePanel();
setState('idle');
void (async () => {
  try {
    await useSource(syntheticSource());
    await probeBackends();
  } catch (error) {
    showError(ui.status, error);
  }
  setState('idle');
})();
