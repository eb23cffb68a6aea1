// The data panel: synthetic faces, PGM files or folders (dropped anywhere on the page), CSV; the sample grid.
import type { Dataset } from 'webgpu-mlp';
import {
  csvSource,
  type DataSource,
  droppedFiles,
  pgmSource,
  singleClassWarning,
  syntheticSource,
} from './data-source.js';
import { byId, choice, form, page, setState, showError, ui } from './page.js';
import { describeNetwork, type FormChoice } from './setup-form.js';
import { imageTile } from './views/images.js';

export async function useSource(next: DataSource): Promise<void> {
  page.source = next;
  form.syncEnabledFields(next.kind);
  await refreshSamples();
  setState('idle');
}

/** Redraws the sample grid and the summaries for the current source and task. */
export async function refreshSamples(): Promise<void> {
  const current = choice();
  if (!page.source || !current) return;
  try {
    page.sampleSet = await page.source.dataset({ ...current, seed: current.setup.seed });
  } catch (error) {
    page.sampleSet = null;
    showError(ui.dataSummary, error);
    ui.sampleGrid.replaceChildren();
    return;
  }
  const data = page.sampleSet;
  const perClass = data.classNames.map(
    (name, k) => `${name} ${data.labels.filter((label) => label === k).length}`,
  );
  ui.dataSummary.textContent = `${page.source.name} · ${data.classNames.length} classes (${perClass.join(', ')})`;
  ui.splitNote.textContent = page.source.splitNote;
  await showSplitWarning(page.source, current);
  if (page.source.kind === 'table') showTableSamples(data);
  else showImageSamples(data);
  updateNetworkSummary();
}

/** Warns when a split holds one class for the task: its accuracy would mean nothing. */
async function showSplitWarning(source: DataSource, current: FormChoice): Promise<void> {
  let warning: string | null = null;
  if (source.kind === 'faces') {
    try {
      warning = singleClassWarning(
        await source.splits({ ...current, seed: current.setup.seed }),
        current.task,
      );
    } catch {
      // Splits that cannot be made are reported when training starts.
    }
  }
  ui.splitWarning.hidden = warning === null;
  ui.splitWarning.textContent = warning ?? '';
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

export function updateNetworkSummary(): void {
  const current = form.form.checkValidity() ? choice() : null;
  if (!current || !page.sampleSet) return;
  ui.networkSummary.textContent = describeNetwork(
    page.sampleSet.inputSize,
    current.setup,
    page.sampleSet.classNames.length,
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

export function setupDataPanel(): void {
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
