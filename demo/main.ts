// The demo page: wires the panels together. Training, model files and the benchmark run in a Web Worker.
import './styles.css';
import { probeBackends } from './backend-status.js';
import { setupComparePanel } from './compare-panel.js';
import { setupDataPanel, useSource } from './data-panel.js';
import { syntheticSource } from './data-source.js';
import { setupModelPanel } from './model-panel.js';
import { setState, showError, ui } from './page.js';
import { setupTrainingControls } from './training-panel.js';

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
