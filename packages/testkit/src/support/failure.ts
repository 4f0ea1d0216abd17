import { expect } from 'vitest';
import { Dns01Error } from '@dns01/provider-client';

export interface FailureExpectations {
  /** The error must carry a hint (what to do about it). */
  hint?: boolean;
}

/**
 * The Dns01Error a promise rejects with. Fails the test when the promise
 * resolves, rejects with anything else, or with an error whose one-line form
 * spans lines (or, with `hint`, that has no hint).
 */
export async function failure(promise: Promise<unknown>, expectations: FailureExpectations = {}): Promise<Dns01Error> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error('expected a rejection, the promise resolved');
  expect(outcome.error).toBeInstanceOf(Dns01Error);
  const error = outcome.error as Dns01Error;
  expect(error.oneLine).not.toMatch(/\n/);
  if (expectations.hint) expect(error.hint ?? '').not.toBe('');
  return error;
}
