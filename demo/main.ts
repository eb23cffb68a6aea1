// The demo page: wires the panels together. Training, model files and the benchmark run in a Web Worker.
import './styles.css';
import { probeBackends } from './backend-status.js';
import { setupCameraPanel } from './camera/camera-panel.js';
import { setupComparePanel } from './compare-panel.js';
import { setupDataPanel, useSource } from './data-panel.js';
import { syntheticSource } from './data-source.js';
import { setupModelPanel } from './model-panel.js';
import { byId, page, setState, showError, ui, worker } from './page.js';
import { setupTrainingControls } from './training-panel.js';
import { showScrollHint } from './views/scroll-hint.js';

setupDataPanel();
setupTrainingControls();
setupModelPanel();
setupComparePanel();
showScrollHint(ui.epochTableFrame, ui.epochTableHint);
const camera = setupCameraPanel(byId('model-panel'), async () => {
  const [saved] = await worker.request({ kind: 'save' });
  const { classNames, width, height } = page.trainedOn ?? { classNames: [], width: 32, height: 30 };
  return { saved: new TextDecoder().decode(saved.bytes), classNames, width, height };
});
// The camera is offered while a trained network is there: the page's 'done' state.
new MutationObserver(() => camera.enable(document.body.dataset.state === 'done')).observe(document.body, {
  attributes: true,
  attributeFilter: ['data-state'],
});
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
