// docs/webgpu-design.md states what crosses between CPU and GPU; the paths it names must exist and the
// size it gives for the one readback per epoch must be what endEpoch copies (the counts per epoch are
// asserted through net.fit by test/train/residency.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metricsLayout } from '../../src/backends/webgpu/network-buffers.js';
import { finiteFlagBytes } from '../../src/backends/webgpu/resident-params.js';

const page = readFileSync(new URL('../../docs/webgpu-design.md', import.meta.url), 'utf8');
const root = new URL('../../', import.meta.url);

describe('docs/webgpu-design.md', () => {
  it('names only paths that exist', () => {
    const paths = [...page.matchAll(/(?<![\w/.-])((?:src|bench|shaders|test|demo)\/[\w./-]*)/g)].map(
      (match) => match[1].replace(/[.,]$/, ''),
    );
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((path) => !existsSync(new URL(path, root)))).toEqual([]);
  });

  it('gives the size of endEpoch’s readback: training metrics, the finiteness flag, validation metrics', () => {
    const metricsBytes = Math.ceil(metricsLayout().size / 4) * 4;
    expect(page).toContain(`(${metricsBytes} bytes: Kahan-summed loss`);
    expect(page).toContain(
      `the flag (${finiteFlagBytes} bytes) and the validation metrics (${metricsBytes} bytes)`,
    );
    expect(page).toContain(`**1**: \`endEpoch\`, ${2 * metricsBytes + finiteFlagBytes} bytes`);
    expect(page).toContain(`mapped once: ${2 * metricsBytes + finiteFlagBytes} bytes per epoch`);
  });
});
