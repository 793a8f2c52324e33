// Assertions on the typed errors validators throw.
import { expect } from 'chai';
import { AppError } from '../../src/errors.js';

/** Runs `fn`, expects an INVALID_ARGUMENT AppError, and returns the field it names. */
export function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(AppError);
    expect((err as AppError).kind).to.equal('invalid_argument');
    return (err as AppError).field;
  }
  throw new Error('expected INVALID_ARGUMENT');
}
