// The compare panel: the benchmark's timing of WebGPU against the CPU, in this browser.
import { benchNetworkNames, benchNetworks } from 'webgpu-mlp/bench';
import { choice, type PageState, page, setState, showError, ui, worker } from './page.js';
import { trainingData } from './training-panel.js';
import { renderCompareBars } from './views/compare-bars.js';
import type { CompareSubject } from './worker/protocol.js';

/** What the compare panel's choice names: the form's network on its training split, or a benchmark network. */
async function compareSubject(): Promise<{ subject: CompareSubject; transfer: Transferable[] } | null> {
  const picked = ui.compareNetwork.value;
  if (picked !== 'form') {
    const network = benchNetworkNames.find((name) => name === picked);
    return network ? { subject: { kind: 'bench', network }, transfer: [] } : null;
  }
  const current = choice();
  if (!page.source || !current) return null;
  const { data, transfer } = trainingData(await page.source.splits({ ...current, seed: current.setup.seed }));
  return { subject: { kind: 'form', setup: current.setup, data }, transfer };
}

export function setupComparePanel(): void {
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
