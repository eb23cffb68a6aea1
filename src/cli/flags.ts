// Parsers for flag values: each says what it got and what it expected (commander prints the message and
// exits non-zero before anything runs).

import { InvalidArgumentError } from 'commander';

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got '${value}'.`);
  }
  return number;
}

export function nonNegativeNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new InvalidArgumentError(`expected a number ≥ 0, got '${value}'.`);
  }
  return number;
}

/** A fraction in [0, 1): momentum, dropout, split fractions. */
export function fraction(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !(number >= 0 && number < 1)) {
    throw new InvalidArgumentError(`expected a number in [0, 1), got '${value}'.`);
  }
  return number;
}

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got '${value}'.`);
  }
  return number;
}

export function wholeNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got '${value}'.`);
  }
  return number;
}

export function integer(value: string): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`expected a whole number, got '${value}'.`);
  }
  return number;
}

/** Hidden layer sizes: "3", "64,32", or "none" for no hidden layer (a linear model). */
export function hiddenSizes(value: string): number[] {
  if (value.trim() === 'none') return [];
  const sizes = value.split(',').map((part) => part.trim());
  if (sizes.some((size) => !/^\d+$/.test(size) || Number(size) < 1)) {
    throw new InvalidArgumentError(
      `expected unit counts ≥ 1 separated by commas (e.g. 3 or 64,32), or 'none'; got '${value}'.`,
    );
  }
  return sizes.map(Number);
}

/** Dropout rates per hidden layer: one rate for all, or one per layer, each in [0, 1). */
export function fractions(value: string): number[] {
  return value.split(',').map((part) => fraction(part.trim()));
}
