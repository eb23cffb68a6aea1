// The README's library example is examples/library.mjs, verbatim, so the example .ci/run runs is the one
// users read.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('README shows examples/library.mjs verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/library.mjs', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
});

it('README shows examples/data.mjs verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/data.mjs', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
});

it('README shows examples/webgpu.mjs verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/webgpu.mjs', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
});

it('README shows examples/training.mjs verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/training.mjs', import.meta.url), 'utf8');
  expect(readme).toContain(`\`\`\`js\n${example}\`\`\``);
});

it('README shows the round trip of examples/embedding.mjs verbatim; docs/embedding.md the whole file', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const docs = readFileSync(new URL('../docs/embedding.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../examples/embedding.mjs', import.meta.url), 'utf8');
  const start = example.indexOf('// The round trip');
  expect(start).toBeGreaterThan(0);
  const roundTrip = example.slice(start, example.indexOf('\n\n', start) + 1);
  expect(roundTrip.split('\n').length).toBeGreaterThan(10);
  expect(readme).toContain(`\`\`\`js\n${roundTrip}\`\`\``);
  expect(docs).toContain(`\`\`\`js\n${example}\`\`\``);
});
