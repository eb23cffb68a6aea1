// The WebGPU-versus-CPU comparison as two horizontal bars of examples per second, and the speed-up.

export interface BackendTiming {
  backend: 'webgpu' | 'cpu';
  label: string;
  examplesPerSecond: number;
  /** median seconds for one epoch */
  seconds: number;
}

export function renderCompareBars(container: HTMLElement, timings: BackendTiming[]): void {
  const fastest = Math.max(...timings.map((t) => t.examplesPerSecond));
  const rows = timings.map((timing) => {
    const row = document.createElement('div');
    row.className = 'bar';
    const name = document.createElement('strong');
    name.textContent = timing.backend === 'webgpu' ? 'WebGPU' : 'CPU';
    name.title = timing.label;
    const track = document.createElement('div');
    track.className = 'bar-track';
    const fill = document.createElement('div');
    fill.className = `bar-fill ${timing.backend}`;
    fill.style.width = `${(100 * timing.examplesPerSecond) / fastest}%`;
    fill.textContent = `${formatCount(timing.examplesPerSecond)} examples/s`;
    track.append(fill);
    row.append(name, track);
    return row;
  });
  const gpu = timings.find((t) => t.backend === 'webgpu');
  const cpu = timings.find((t) => t.backend === 'cpu');
  const verdict = document.createElement('p');
  verdict.className = 'speedup';
  if (gpu && cpu) {
    const ratio = gpu.examplesPerSecond / cpu.examplesPerSecond;
    verdict.textContent =
      ratio >= 1 ? `WebGPU is ${ratio.toFixed(1)}× faster` : `CPU is ${(1 / ratio).toFixed(1)}× faster here`;
  }
  container.replaceChildren(...rows, verdict);
}

export function formatCount(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)} M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(0)} k`;
  return value >= 100 ? value.toFixed(0) : value.toPrecision(2);
}
