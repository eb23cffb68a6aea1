// The README and the docs/ pages are kept true by checking them against the code: their code samples are the
// files in examples/ (which .ci/run runs), every flag they name is a flag of the command line (with the
// default they give), every fit option and error code they name exists (and every one is documented), and
// every relative link leads to a file and heading that exist.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerBench } from '../../src/cli/bench-command.js';
import { registerEval } from '../../src/cli/eval-command.js';
import { registerPredict } from '../../src/cli/predict-command.js';
import { registerTrain } from '../../src/cli/train-command.js';
import { fitOptionKeys } from '../../src/train/options.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`)];

describe('code samples are the examples .ci/run runs, verbatim', () => {
  for (const [page, example] of [
    ['README.md', 'examples/library.mjs'],
    ['docs/training.md', 'examples/training.mjs'],
    ['docs/webgpu-design.md', 'examples/webgpu.mjs'],
    ['docs/data.md', 'examples/data.mjs'],
    ['docs/embedding.md', 'examples/embedding.mjs'],
  ]) {
    it(`${page} shows ${example}`, () => {
      expect(read(page)).toContain(`\`\`\`js\n${read(example)}\`\`\``);
    });
  }
});

it("README.md shows examples/embedding.mjs's round trip (from its comment to the blank line), verbatim", () => {
  const example = read('examples/embedding.mjs');
  const start = example.indexOf('// The round trip');
  expect(start).toBeGreaterThan(0);
  const roundTrip = example.slice(start, example.indexOf('\n\n', start) + 1);
  expect(roundTrip.split('\n').length).toBeGreaterThan(10);
  expect(read('README.md')).toContain(`\`\`\`js\n${roundTrip}\`\`\``);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

const headings = (text: string) =>
  new Set(
    text
      .replace(/```[\s\S]*?```/g, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => anchor(line.replace(/^#+ /, ''))),
  );

describe('links', () => {
  for (const page of pages) {
    it(`${page}: every relative link leads to a file, and its #anchor to a heading there`, () => {
      const text = read(page).replace(/```[\s\S]*?```/g, '');
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
      for (const link of links.filter((target) => !/^[a-z]+:/.test(target))) {
        const [path, hash] = link.split('#');
        const target = path === '' ? page : relative(root, join(root, dirname(page), path));
        let targetText: string;
        try {
          targetText = read(target);
        } catch {
          throw new Error(`${page}: the link ${link} leads to ${target}, which does not exist`);
        }
        if (hash) expect(headings(targetText), `${page}: ${link}`).toContain(hash);
      }
    });
  }
});

describe('the command line as the pages describe it', () => {
  const program = new Command('webgpu-mlp');
  for (const register of [registerTrain, registerEval, registerPredict, registerBench]) register(program);
  const command = (name: string) => program.commands.find((each) => each.name() === name) as Command;
  const flags = new Set(['--help', '--version']);
  for (const each of program.commands) for (const option of each.options) flags.add(option.long as string);

  for (const page of ['README.md', 'docs/cli.md', 'docs/data.md']) {
    it(`${page} names only flags the commands have`, () => {
      const named = read(page).match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [];
      expect(named.length).toBeGreaterThan(0);
      for (const flag of named) expect(flags, `${page}: ${flag}`).toContain(flag);
    });
  }

  it("the README's table of train flags gives train's defaults", () => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('| flag | default | meaning |'));
    const rows = table.split('\n').slice(2);
    const rowsChecked: string[] = [];
    for (const row of rows.slice(
      0,
      rows.findIndex((line) => !line.startsWith('|')),
    )) {
      const [names, defaults] = row.split(' | ').map((cell) => cell.replace(/^\| /, ''));
      const rowFlags = names.match(/--[a-z-]+/g) ?? [];
      const rowDefaults = defaults.match(/`[^`]+`/g)?.map((value) => value.slice(1, -1)) ?? [];
      rowFlags.forEach((flag, i) => {
        const option = command('train').options.find((each) => each.long === flag);
        expect(option, flag).toBeDefined();
        // a default written as code is commander's default (boolean flags: off); others are said in words
        if (rowDefaults[i] !== undefined && !rowDefaults[i].includes('<')) {
          expect(String(option?.defaultValue), flag).toBe(rowDefaults[i]);
          rowsChecked.push(flag);
        }
      });
    }
    expect(rowsChecked).toEqual(
      expect.arrayContaining(['--data', '--task', '--hidden', '--lr', '--backend']),
    );
  });
});

describe('library names the pages use', () => {
  it('docs/training.md lists every fit option, and only those', () => {
    const training = read('docs/training.md');
    const table = training.slice(training.indexOf('| option | default | meaning |')).split('\n').slice(2);
    const documented = table
      .slice(
        0,
        table.findIndex((line) => !line.startsWith('|')),
      )
      .flatMap((row) => [...row.split(' | ')[0].matchAll(/`(\w+)/g)].map((match) => match[1]));
    expect(documented.sort()).toEqual([...fitOptionKeys].sort());
  });

  it('every error code a page names exists, and docs/api.md or docs/reliability.md names each one', () => {
    const codes = [...read('src/errors.ts').matchAll(/\| '([a-z-]+)'/g)].map((match) => match[1]);
    expect(codes.length).toBeGreaterThan(5);
    for (const page of pages) {
      for (const [, code] of read(page).matchAll(/MlpError\('([a-z-]+)'\)/g)) {
        expect(codes, `${page}: MlpError('${code}')`).toContain(code);
      }
    }
    const errorPages = read('docs/api.md') + read('docs/reliability.md') + read('docs/webgpu-design.md');
    for (const code of codes) expect(errorPages, code).toContain(`'${code}'`);
  });
});
