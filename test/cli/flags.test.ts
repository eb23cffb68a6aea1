import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  fraction,
  fractions,
  hiddenSizes,
  integer,
  positiveInteger,
  positiveNumber,
} from '../../src/cli/flags.js';
import { formatTable, percent } from '../../src/cli/table.js';

describe('flag values', () => {
  it('parses what is valid', () => {
    expect(positiveNumber('0.3')).toBe(0.3);
    expect(fraction('0')).toBe(0);
    expect(positiveInteger('100')).toBe(100);
    expect(integer('-7')).toBe(-7);
    expect(hiddenSizes('3')).toEqual([3]);
    expect(hiddenSizes('64, 32')).toEqual([64, 32]);
    expect(hiddenSizes('none')).toEqual([]);
    expect(fractions('0.2,0.1')).toEqual([0.2, 0.1]);
  });

  it('says what it got and what it expected', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => positiveNumber('0'), /expected a number > 0, got '0'/],
      [() => positiveNumber('abc'), /got 'abc'/],
      [() => positiveNumber(''), /got ''/],
      [() => fraction('1'), /expected a number in \[0, 1\), got '1'/],
      [() => positiveInteger('1.5'), /expected a whole number ≥ 1, got '1.5'/],
      [() => positiveInteger('0'), /got '0'/],
      [() => integer('1e3'), /expected a whole number, got '1e3'/],
      [() => hiddenSizes('3,0'), /unit counts ≥ 1.*got '3,0'/],
      [() => fractions('0.2,2'), /got '2'/],
    ];
    for (const [parse, message] of cases) {
      expect(parse).toThrow(InvalidArgumentError);
      expect(parse).toThrow(message);
    }
  });
});

describe('tables', () => {
  it('pads columns, right-aligns numbers', () => {
    expect(
      formatTable(
        ['set', 'n', 'accuracy'],
        [
          ['train', 277, '95.0%'],
          ['test', 8, percent(0.5)],
        ],
      ),
    ).toBe(
      ['set      n  accuracy', '─────  ───  ────────', 'train  277     95.0%', 'test     8     50.0%'].join(
        '\n',
      ),
    );
    expect(percent(undefined)).toBe('–');
  });
});
