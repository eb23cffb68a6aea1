// docs/benchmarks.md: its result tables are exactly what bench/runner/tables.ts makes from the results file
// the page names, and it documents every engine, network and option the benchmark has.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchEngineNames } from '../../bench/core/measure.js';
import { benchNetworkNames } from '../../bench/core/networks.js';
import { namedSource, renderDocs } from '../../bench/runner/tables.js';

const page = readFileSync(new URL('../../docs/benchmarks.md', import.meta.url), 'utf8');
const runner = readFileSync(new URL('../../bench/runner/main.ts', import.meta.url), 'utf8');
const compareBuilds = readFileSync(new URL('../../bench/runner/compare-builds.ts', import.meta.url), 'utf8');

describe('docs/benchmarks.md', () => {
  it('holds the tables of the results file it names (npm run bench:tables -- FILE remakes them)', () => {
    const source = namedSource(page);
    expect(source).toMatch(/^bench\/results\/.+\.json$/);
    expect(renderDocs(page, source)).toBe(page);
  });

  it('names every engine and network', () => {
    for (const name of [...benchEngineNames, ...benchNetworkNames]) expect(page).toContain(`\`${name}\``);
  });

  it('gives only options the runner has, and all of them', () => {
    const given = new Set([...page.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((match) => match[1]));
    const known = new Set([...runner.matchAll(/^ {2}--([a-z][a-z-]*)/gm)].map((match) => match[1]));
    expect(known.size).toBeGreaterThan(5);
    // bench:compare's parseArgs options, but --child, which it passes to its own processes
    for (const [, option] of compareBuilds.matchAll(/(\w+): \{ type: '(?:string|boolean)'/g)) {
      if (option !== 'child') known.add(option);
    }
    expect(known).toContain('base');
    // --check is bench:tables's; --expose-gc is node's, which npm run bench passes.
    const others = new Set(['check', 'expose-gc']);
    expect([...given].filter((option) => !known.has(option) && !others.has(option))).toEqual([]);
    expect([...known].filter((option) => !given.has(option))).toEqual([]);
  });
});
