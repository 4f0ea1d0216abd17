import { expect } from 'vitest';
import { Dns01Error } from '../src/internal.js';

/** The Dns01Error a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<Dns01Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Dns01Error);
    return error as Dns01Error;
  }
  throw new Error('expected a rejection');
}
