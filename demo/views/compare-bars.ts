// The benchmark's result for our engines as a bar chart on a canvas: one bar per engine at its median
// examples per second, a whisker from the slowest to the fastest timed run, the figures beside it; then the
// same records as the command line prints them (a table), and the speed-up.
import { type BenchRecord, formatNumber } from 'webgpu-mlp/bench';
import { showScrollHint } from './scroll-hint.js';

const barColours = { webgpu: '#1f7a4d', cpu: '#7a8599' } as const;

const engineNames: Record<string, string> = { webgpu: 'WebGPU', cpu: 'CPU' };
const widest = 560;
const rowHeight = 44;
const barHeight = 26;
const labelWidth = 76;
const figuresWidth = 170;

function examplesText(record: BenchRecord): string {
  const { min, median, max } = record.examplesPerSec;
  return `${formatNumber(median)} (${formatNumber(min)}–${formatNumber(max)})`;
}

/** Draws at `width` CSS pixels; the bars' track (its width is in data-track-width) leaves room for the figures. */
function drawBars(canvas: HTMLCanvasElement, records: readonly BenchRecord[], width: number): void {
  const context = canvas.getContext('2d');
  if (!context) return;
  const scale = window.devicePixelRatio || 1;
  const height = rowHeight * records.length;
  canvas.width = width * scale;
  canvas.height = height * scale;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  context.setTransform(scale, 0, 0, scale, 0, 0);
  context.clearRect(0, 0, width, height);
  const track = width - labelWidth - figuresWidth;
  canvas.dataset.trackWidth = String(track);
  const fastest = Math.max(...records.map((record) => record.examplesPerSec.max));
  const x = (value: number) => labelWidth + (track * value) / fastest;
  records.forEach((record, row) => {
    const middle = row * rowHeight + rowHeight / 2;
    const { min, median, max } = record.examplesPerSec;
    context.fillStyle = '#17213a';
    context.font = '700 15px system-ui, sans-serif';
    context.textBaseline = 'middle';
    context.textAlign = 'left';
    context.fillText(engineNames[record.engine] ?? record.engine, 0, middle);
    context.fillStyle = barColours[record.engine as keyof typeof barColours] ?? '#4b5563';
    context.fillRect(labelWidth, middle - barHeight / 2, x(median) - labelWidth, barHeight);
    // The whisker: slowest to fastest timed run, with end ticks.
    context.strokeStyle = '#17213a';
    context.lineWidth = 2;
    context.beginPath();
    context.moveTo(x(min), middle);
    context.lineTo(x(max), middle);
    for (const end of [min, max]) {
      context.moveTo(x(end), middle - 7);
      context.lineTo(x(end), middle + 7);
    }
    context.stroke();
    context.fillStyle = '#17213a';
    context.font = '600 13px system-ui, sans-serif';
    context.fillText(`${formatNumber(median)} examples/s`, x(max) + 8, middle);
  });
}

function recordTable(records: readonly BenchRecord[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'compare-table';
  const header = [
    'engine',
    'batch',
    'examples/s median (min–max)',
    'GFLOP/s',
    'dispatches/step',
    'readbacks/epoch',
  ];
  const head = table.createTHead().insertRow();
  for (const title of header) {
    const cell = document.createElement('th');
    cell.textContent = title;
    head.append(cell);
  }
  const body = table.createTBody();
  for (const record of records) {
    const row = body.insertRow();
    const cells = [
      engineNames[record.engine] ?? record.engine,
      String(record.batch),
      examplesText(record),
      formatNumber(record.gflops.median),
      record.dispatchesPerStep === null ? '–' : formatNumber(record.dispatchesPerStep),
      record.readbacksPerEpoch === null ? '–' : formatNumber(record.readbacksPerEpoch),
    ];
    for (const text of cells) row.insertCell().textContent = text;
  }
  return table;
}

/** Draws the records of one network (ours: webgpu and cpu) into `container`. */
export function renderCompareBars(container: HTMLElement, records: readonly BenchRecord[]): void {
  const canvas = document.createElement('canvas');
  canvas.className = 'compare-chart';
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    records.map((record) => `${engineNames[record.engine]}: ${examplesText(record)} examples/s`).join('; '),
  );
  // Appended first, so that it is measured at the width the panel gives it.
  container.replaceChildren(canvas);
  drawBars(canvas, records, Math.min(widest, container.clientWidth || widest));
  const gpu = records.find((record) => record.engine === 'webgpu');
  const cpu = records.find((record) => record.engine === 'cpu');
  const verdict = document.createElement('p');
  verdict.className = 'speedup';
  if (gpu && cpu) {
    const ratio = gpu.examplesPerSec.median / cpu.examplesPerSec.median;
    verdict.textContent =
      ratio >= 1 ? `WebGPU is ${ratio.toFixed(1)}× faster` : `CPU is ${(1 / ratio).toFixed(1)}× faster here`;
  }
  const tableFrame = document.createElement('div');
  tableFrame.className = 'compare-table-frame table-scroll';
  tableFrame.append(recordTable(records));
  const hint = document.createElement('p');
  hint.className = 'scroll-hint';
  hint.textContent = 'Swipe sideways for more columns →';
  container.append(verdict, tableFrame, hint);
  showScrollHint(tableFrame, hint);
}
