// The model panel: download, export and load a model; classify one dropped image with it.

import { byId, page, showError, ui, worker } from './page.js';
import { showUnits } from './training-panel.js';
import { drawGreyImage } from './views/images.js';
import type { DownloadFile } from './worker/protocol.js';

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
    const names = page.trainedOn?.classNames.length === outputs.length ? page.trainedOn.classNames : null;
    const ranked = [...outputs].map((value, k) => ({ value, name: names?.[k] ?? `output ${k + 1}` }));
    ranked.sort((a, b) => b.value - a.value);
    ui.classifyResult.textContent = `${ranked[0].name} · outputs: ${ranked.map((r) => `${r.name} ${r.value.toFixed(2)}`).join(', ')}`;
  } catch (error) {
    showError(ui.classifyResult, error);
  }
}

export function setupModelPanel(): void {
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
      page.trainedOn ??= { classNames: [], width: 32, height: 30 };
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
