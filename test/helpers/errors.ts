// The MlpError a piece of work fails with, for tests of how the library refuses misuse and faults.
import { expect } from 'vitest';
import { MlpError } from '../../src/errors.js';

/** The MlpError `work` throws or rejects with; fails the test if it succeeds or fails otherwise. */
export async function rejection(work: () => unknown): Promise<MlpError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(MlpError);
    return error as MlpError;
  }
  throw new Error('expected an MlpError, got none');
}
