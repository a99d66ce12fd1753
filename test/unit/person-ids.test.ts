import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPersonIdForm, PersonIds, personIdKey } from '../../src/directory/person-ids.ts';
import { emailProblem, normaliseEmail, personEmailOf } from '../../src/directory/text.ts';
import { ConfigError, loadConfig, secretsOf } from '../../src/config.ts';

/**
 * The email rule and person ids (README, "One person across both platforms"): one spelling per
 * address, whatever the case, padding and Unicode form; placeholders are no address; ids keyed,
 * well formed and distinct.
 */

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));

describe('normaliseEmail', () => {
  it('is trimmed, NFC and lower case, and a fixed point, for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = normaliseEmail(text);
        expect(normaliseEmail(once)).toBe(once);
        expect(once.normalize('NFC')).toBe(once);
        expect(once.toLowerCase()).toBe(once);
        expect(once.trim()).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives one spelling for the case, padding and NFC/NFD variants of one address', () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.constantFrom('Zoë', 'José', 'Ærø', 'Ἀθηνᾶ', 'ΆΙ', '山田', ''),
        fc.nat(5),
        (address, accented, variant) => {
          const email = `${accented}${address}`;
          const spelled = [
            email.toUpperCase(),
            ` ${email}\n`,
            email.normalize('NFD'),
            email.normalize('NFC').toUpperCase(),
            `\t${email.normalize('NFD').toUpperCase()}  `,
            email,
          ][variant]!;
          expect(normaliseEmail(spelled)).toBe(normaliseEmail(email));
        },
      ),
    );
  });

  it('folds nothing else: plus addresses and dots are other addresses', () => {
    expect(normaliseEmail('ana.lima+hr@x.test')).not.toBe(normaliseEmail('ana.lima@x.test'));
    expect(normaliseEmail('analima@x.test')).not.toBe(normaliseEmail('ana.lima@x.test'));
  });
});

describe('personEmailOf and emailProblem', () => {
  it('an email is a person’s exactly when its normal form has no problem', () => {
    fc.assert(
      fc.property(fc.option(fc.oneof(anyText, fc.emailAddress()), { nil: null }), (email) => {
        const found = personEmailOf(email);
        if (email === null || email === '') expect(found).toBeUndefined();
        else if (emailProblem(normaliseEmail(email)) === undefined) expect(found).toBe(normaliseEmail(email));
        else expect(found).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('every generated address is one; placeholders and broken ones are not, each with its reason', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        expect(emailProblem(normaliseEmail(email))).toBeUndefined();
      }),
    );
    expect(emailProblem('')).toBe('it is empty');
    expect(emailProblem('n/a')).toBe('it has no "@"');
    expect(emailProblem('@x.test')).toBe('nothing comes before its "@"');
    expect(emailProblem('ana@')).toBe('nothing comes after its "@"');
    expect(emailProblem('ana lima@x.test')).toBe('it holds whitespace or a control character');
    expect(emailProblem('ana\u0000@x.test')).toBe('it holds whitespace or a control character');
    expect(emailProblem(`${'a'.repeat(250)}@x.te`)).toBe('it is longer than 254 characters');
    expect(emailProblem(`"a@b"@x.test`)).toBeUndefined();
  });
});

describe('PersonIds', () => {
  const ids = new PersonIds(personIdKey('a key of at least 16', []));

  it('are "person:" and 22 URL-safe characters, the same for the same email, distinct for distinct ones', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.emailAddress().map(normaliseEmail), { minLength: 2, maxLength: 200 }),
        (emails) => {
          const made = emails.map((email) => ids.idOf(email));
          for (const id of made) expect(isPersonIdForm(id)).toBe(true);
          expect(new Set(made).size).toBe(new Set(emails).size);
          expect(made).toEqual(emails.map((email) => ids.idOf(email)));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('depend on the key: another secret, or other credentials, give other ids', () => {
    const email = 'ana.lima@x.test';
    const fromCredentials = (credentials: string[]) =>
      new PersonIds(personIdKey(undefined, credentials)).idOf(email);
    expect(fromCredentials(['one', 'two'])).toBe(fromCredentials(['one', 'two']));
    expect(fromCredentials(['one', 'two'])).not.toBe(fromCredentials(['one', 'three']));
    // The boundaries between credentials count: ["ab", "c"] is not ["a", "bc"].
    expect(fromCredentials(['ab', 'c'])).not.toBe(fromCredentials(['a', 'bc']));
    expect(new PersonIds(personIdKey('another key of 16+', [])).idOf(email)).not.toBe(ids.idOf(email));
    // A secret given is the key, whatever the credentials.
    expect(new PersonIds(personIdKey('a key of at least 16', ['x'])).idOf(email)).toBe(ids.idOf(email));
  });

  it('recognise their own form only', () => {
    expect(isPersonIdForm(ids.idOf('a@b.c'))).toBe(true);
    for (const bad of [
      'person:',
      'person:abc',
      `person:${'A'.repeat(23)}`,
      `Person:${'A'.repeat(22)}`,
      `person:${'A'.repeat(21)}=`,
    ])
      expect(isPersonIdForm(bad), bad).toBe(false);
  });
});

describe('PERSON_ID_SECRET', () => {
  const base = {};

  it('is optional, refused when shorter than 16 characters (without echoing it), and redacted', () => {
    expect(loadConfig(base).directory.personIdSecret).toBeUndefined();
    const config = loadConfig({ ...base, PERSON_ID_SECRET: 'sixteen-chars-ok' });
    expect(config.directory.personIdSecret).toBe('sixteen-chars-ok');
    expect(secretsOf(config)).toContain('sixteen-chars-ok');
    let error: unknown;
    try {
      loadConfig({ ...base, PERSON_ID_SECRET: 'short-one' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('PERSON_ID_SECRET must be at least 16 characters');
    expect((error as Error).message).not.toContain('short-one');
  });
});
