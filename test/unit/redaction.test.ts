import { describe, expect, it } from 'vitest';
import { SecretRedactor } from '../../src/redaction.ts';

/**
 * `SecretRedactor` on its own: the secrets it takes, the order it replaces them in, and the forms
 * of a secret it finds (as given, and URL-encoded, as a form body or a query string carries it).
 */

describe('SecretRedactor', () => {
  it('replaces every occurrence of a secret with [REDACTED]', () => {
    const redactor = new SecretRedactor(['s3cret-value']);
    expect(redactor.redact('s3cret-value, and again s3cret-value.')).toBe(
      '[REDACTED], and again [REDACTED].',
    );
  });

  it('redacts a secret with / + = and & where it appears URL-encoded, as in a form body', () => {
    const secret = 'k/9+Qz=x&y';
    const encoded = encodeURIComponent(secret);
    // The premise: the encoded form is not the secret, and a form body (got's `form`) holds it.
    expect(encoded).toBe('k%2F9%2BQz%3Dx%26y');
    const body = new URLSearchParams({ client_id: 'abc', client_secret: secret }).toString();
    expect(body).toBe(`client_id=abc&client_secret=${encoded}`);

    const redactor = new SecretRedactor([secret]);
    expect(redactor.redact(`POST /token ${body}&grant_type=client_credentials`)).toBe(
      'POST /token client_id=abc&client_secret=[REDACTED]&grant_type=client_credentials',
    );
  });

  it('redacts the same secret as given and URL-encoded in one text', () => {
    const secret = 'a/b+c=d';
    const redactor = new SecretRedactor([secret]);
    expect(redactor.redact(`raw ${secret} encoded ${encodeURIComponent(secret)}`)).toBe(
      'raw [REDACTED] encoded [REDACTED]',
    );
  });

  it.each([
    ['shorter first', ['abcd', 'abcdefgh']],
    ['longer first', ['abcdefgh', 'abcd']],
  ])('redacts the longer of two overlapping secrets whole, given %s', (_, secrets) => {
    const redactor = new SecretRedactor(secrets);
    const redacted = redactor.redact('long abcdefgh, short abcd.');
    expect(redacted).toBe('long [REDACTED], short [REDACTED].');
    expect(redacted).not.toContain('efgh');
  });

  it('redacts the longer of two overlapping secrets whole when it is added after the shorter', () => {
    const redactor = new SecretRedactor(['abcd']);
    redactor.add('abcdefgh');
    expect(redactor.redact('long abcdefgh, short abcd.')).toBe('long [REDACTED], short [REDACTED].');
  });

  it('ignores secrets shorter than 4 characters, empty or missing, given or added', () => {
    const redactor = new SecretRedactor(['abc', '', null, undefined, 'wxyz']);
    redactor.add('pqr');
    redactor.add('');
    redactor.add(null);
    redactor.add(undefined);
    expect(redactor.redact('abc pqr wxyz')).toBe('abc pqr [REDACTED]');
  });

  it('redacts a secret it was given twice, or added again, once', () => {
    // A secret that is part of the marker shows a second pass: it would turn the marker of the
    // first into "[[REDACTED]]".
    const given = new SecretRedactor(['REDACTED', 'REDACTED']);
    expect(given.redact('a REDACTED b')).toBe('a [REDACTED] b');

    const added = new SecretRedactor(['REDACTED']);
    added.add('REDACTED');
    expect(added.redact('a REDACTED b')).toBe('a [REDACTED] b');
  });

  it('redacts a secret added after it was made', () => {
    const redactor = new SecretRedactor([]);
    expect(redactor.redact('token tok-123456')).toBe('token tok-123456');
    redactor.add('tok-123456');
    expect(redactor.redact('token tok-123456')).toBe('token [REDACTED]');
  });
});
