// The training panel: trains in the worker, shows each epoch (stats, charts, table, hidden units) and the test
// results at the end.
import type { Dataset, Splits } from 'webgpu-mlp';
import { refreshSamples, updateNetworkSummary } from './data-panel.js';
import { byId, charts, form, page, setState, showError, ui, worker } from './page.js';
import { formatLoss } from './views/charts.js';
import { drawConfusionMatrix } from './views/confusion.js';
import { imageTile } from './views/images.js';
import { renderUnitWeights } from './views/unit-weights.js';
import type {
  EpochProgress,
  ExampleSet,
  LayerWeights,
  TrainingData,
  TrainingOutcome,
} from './worker/protocol.js';

const stats = {
  epoch: byId('stat-epoch'),
  loss: byId('stat-loss'),
  accuracy: byId('stat-accuracy'),
  validation: byId('stat-validation'),
  speed: byId('stat-speed'),
  elapsed: byId('stat-elapsed'),
  eta: byId('stat-eta'),
};

function exampleSet(dataset: Dataset, copy: boolean): ExampleSet {
  return {
    inputs: copy ? dataset.inputs.slice() : dataset.inputs,
    targets: copy ? dataset.targets.slice() : dataset.targets,
    count: dataset.count,
  };
}

/** The splits as they go to the worker. The test set is copied: the page keeps it for the mistake gallery. */
export function trainingData(splits: Splits): { data: TrainingData; transfer: Transferable[] } {
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
  const eta = seconds((epoch.elapsedSeconds / epoch.epoch) * (epoch.epochs - epoch.epoch));
  stats.eta.textContent = eta;
  ui.progress.value = epoch.epoch / epoch.epochs;
  ui.actionStatus.textContent = `Epoch ${epoch.epoch} of ${epoch.epochs} · ${percent(epoch.accuracy)} · ${eta} left`;
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

export function showUnits(layers: LayerWeights[]): void {
  if (!page.trainedOn || layers.length < 2) return;
  const [hidden, next] = layers;
  const hiddenUnits = hidden.biases.length;
  const nextUnits = next.biases.length;
  const nextNames =
    layers.length === 2 && nextUnits === page.trainedOn.classNames.length
      ? page.trainedOn.classNames
      : Array.from({ length: nextUnits }, (_, k) => `unit ${k + 1}`);
  if (hidden.weights.length !== hiddenUnits * page.trainedOn.width * page.trainedOn.height) return;
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
    page.trainedOn.width,
    page.trainedOn.height,
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
  // The run is over however it ended: nothing is left to wait for.
  ui.progress.value = 1;
  stats.eta.textContent = outcome.stoppedByUser ? 'stopped' : outcome.stoppedEarly ? 'stopped early' : 'done';
  ui.actionStatus.textContent = `Test accuracy ${percent(outcome.test.accuracy)} (${how})`;
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
  ui.actionStatus.textContent = 'Starting…';
}

async function train(): Promise<void> {
  const current = form.read(true);
  if (!current) {
    ui.actionStatus.textContent = 'Fix the settings marked in red first.';
    return;
  }
  if (!page.source || !current) return;
  setState('training');
  resetTrainingView();
  ui.status.textContent = 'Preparing the data…';
  let splits: Splits;
  try {
    splits = await page.source.splits({ ...current, seed: current.setup.seed });
  } catch (error) {
    setState('error');
    showError(ui.status, error);
    ui.actionStatus.textContent = 'Training failed: the Training panel says why.';
    return;
  }
  page.trainedOn = {
    classNames: splits.train.classNames,
    width: splits.train.width,
    height: splits.train.height,
  };
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
    ui.actionStatus.textContent = 'Training failed: the Training panel says why.';
  }
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

export function setupTrainingControls(): void {
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
    form.syncEnabledFields(page.source?.kind ?? 'faces');
    updateNetworkSummary();
  });
  form.form.addEventListener('change', (event) => {
    const name = (event.target as HTMLInputElement).name;
    if (name === 'task' || name === 'batchSize' || name === 'optimizer') {
      ui.suggestionNote.textContent = form.applySuggestions();
      updateNetworkSummary();
    }
    if (name === 'task' || name === 'loss') void refreshSamples();
  });
  form.form.addEventListener('submit', (event) => event.preventDefault());
}
