import { expect } from 'vitest';
import { ProviderError } from '../../src/errors.ts';

/** The `ProviderError` `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to reject, but it resolved');
}

/** `value`, and its URL-encoded form when that differs: how a secret travels in a form body or a query. */
export function formsOf(value: string): string[] {
  const encoded = encodeURIComponent(value);
  return encoded === value ? [value] : [value, encoded];
}

/**
 * Fails when any of `values` (secrets, ids, hosts) appears in `text` (a body, a log, a trace), as
 * given or URL-encoded.
 */
export function expectNoneIn(text: string, values: readonly string[]): void {
  for (const value of values) for (const form of formsOf(value)) expect(text).not.toContain(form);
}

/**
 * Fails when any of `secrets` appears, as given or URL-encoded, in what an error carries or
 * serialises to, its cause included.
 */
export function expectNoSecrets(error: ProviderError, secrets: readonly string[]): void {
  const carried = [
    error.message,
    error.detail ?? '',
    JSON.stringify(error),
    String(error.stack),
    error.cause === undefined ? '' : String(error.cause),
    error.cause === undefined ? '' : JSON.stringify(error.cause),
  ];
  for (const secret of secrets) for (const text of carried) expectNoneIn(text, [secret]);
}
