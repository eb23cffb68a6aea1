// Live loss and accuracy curves (uPlot), one point per epoch, training and validation.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface EpochPoint {
  epoch: number;
  loss: number;
  accuracy: number;
  validationLoss?: number;
  validationAccuracy?: number;
}

const trainColour = '#2f5bd3';
const validationColour = '#e0702a';
const chartHeight = 260;

function lineChart(container: HTMLElement, yLabel: string, format: (value: number) => string): uPlot {
  const series = (label: string, stroke: string): uPlot.Series => ({
    label,
    stroke,
    width: 2.5,
    points: { show: false },
    value: (_chart, value) => (value == null ? '–' : format(value)),
  });
  const axisFont = '14px system-ui, sans-serif';
  const options: uPlot.Options = {
    width: Math.max(300, container.clientWidth),
    height: chartHeight,
    scales: { x: { time: false } },
    axes: [
      {
        label: 'epoch',
        font: axisFont,
        labelFont: axisFont,
        stroke: '#4b5563',
        grid: { stroke: '#eceff4' },
        // whole epochs only
        incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000],
        values: (_chart, ticks) => ticks.map(String),
      },
      {
        label: yLabel,
        font: axisFont,
        labelFont: axisFont,
        stroke: '#4b5563',
        grid: { stroke: '#eceff4' },
        size: 60,
        values: (_chart, ticks) => ticks.map(format),
      },
    ],
    series: [{ label: 'epoch' }, series('training', trainColour), series('validation', validationColour)],
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
  };
  const chart = new uPlot(options, [[], [], []], container);
  new ResizeObserver(() =>
    chart.setSize({ width: Math.max(300, container.clientWidth), height: chartHeight }),
  ).observe(container);
  return chart;
}

export class TrainingCharts {
  private readonly loss: uPlot;
  private readonly accuracy: uPlot;
  private points: EpochPoint[] = [];

  constructor(lossContainer: HTMLElement, accuracyContainer: HTMLElement) {
    this.loss = lineChart(lossContainer, 'loss', (value) => formatLoss(value));
    this.accuracy = lineChart(accuracyContainer, 'accuracy', (value) => `${(value * 100).toFixed(0)}%`);
  }

  reset(): void {
    this.points = [];
    this.redraw();
  }

  add(point: EpochPoint): void {
    this.points.push(point);
    this.redraw();
  }

  private redraw(): void {
    const epochs = this.points.map((p) => p.epoch);
    const column = (pick: (p: EpochPoint) => number | undefined) => this.points.map((p) => pick(p) ?? null);
    this.loss.setData([epochs, column((p) => p.loss), column((p) => p.validationLoss)] as uPlot.AlignedData);
    this.accuracy.setData([
      epochs,
      column((p) => p.accuracy),
      column((p) => p.validationAccuracy),
    ] as uPlot.AlignedData);
  }
}

export function formatLoss(value: number): string {
  if (value === 0) return '0';
  return Math.abs(value) >= 0.01 ? value.toFixed(3) : value.toExponential(1);
}
