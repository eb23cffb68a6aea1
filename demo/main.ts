// The demo page: wires the panels together. Training and benchmarking run in a Web Worker.
import './styles.css';
import { TrainingCharts } from './views/charts.js';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`demo: #${id} is missing from index.html`);
  return element as T;
};

new TrainingCharts(byId('loss-chart'), byId('accuracy-chart'));
