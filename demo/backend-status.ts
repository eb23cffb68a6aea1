// The badge and notice that say whether this browser offers WebGPU, and which exports the worker can write.
import { form, page, ui, worker } from './page.js';

export async function probeBackends(): Promise<void> {
  const probe = await worker.request({ kind: 'probe' });
  page.probe = probe;
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
