import { describe, expect, it } from 'vitest';
import { InvalidIdError, isValidExternalId, parseGlobalId, toGlobalId } from '../../src/ids.ts';

describe('global ids', () => {
  it('parses a Thrive id and an iSpring id into provider and own id', () => {
    expect(parseGlobalId('thrive:646767d82535201223349e09')).toEqual({
      provider: 'thrive',
      externalId: '646767d82535201223349e09',
    });
    expect(parseGlobalId('ispring:f29d887c-5cff-11e9-9e6a-0a580af40692')).toEqual({
      provider: 'ispring',
      externalId: 'f29d887c-5cff-11e9-9e6a-0a580af40692',
    });
  });

  it('round-trips through toGlobalId', () => {
    const id = toGlobalId('thrive', 'abc_DEF-123');
    expect(parseGlobalId(id)).toEqual({ provider: 'thrive', externalId: 'abc_DEF-123' });
  });

  it.each([
    ['', 'no provider prefix'],
    ['646767d82535201223349e09', 'no provider prefix'],
    [':abc', 'no provider prefix'],
    ['moodle:abc', 'prefix must be'],
    ['thrive:', 'empty'],
    ['thrive:../admin', 'letters, digits'],
    ['thrive:a/b', 'letters, digits'],
    ['thrive:a%2Fb', 'letters, digits'],
    ['thrive:a b', 'letters, digits'],
    ['thrive:a\u0000b', 'letters, digits'],
    ['thrive:аbc', 'letters, digits'], // Cyrillic "а"
    ['ispring:not-a-uuid', 'UUID'],
    ['ispring:f29d887c-5cff-11e9-9e6a-0a580af40692/../x', 'UUID'],
    [`thrive:${'a'.repeat(130)}`, 'longer than 128'],
  ])('rejects %j, saying why and what is expected', (value, why) => {
    let caught: unknown;
    try {
      parseGlobalId(value, 'ids[2]');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidIdError);
    const message = (caught as Error).message;
    expect(message).toContain('ids[2]');
    expect(message).toContain(why);
    expect(message).toContain('thrive:646767d82535201223349e09');
  });

  it('does not echo long or unprintable input back in the message', () => {
    const long = `thrive:${'x'.repeat(10_000)}`;
    expect(() => parseGlobalId(long)).toThrow(/a 10007-character string/);
    expect(() => parseGlobalId('thrive:a\u0000b')).not.toThrow(/\u0000/);
  });

  it('rejects values that are not strings', () => {
    expect(() => parseGlobalId(42)).toThrow(InvalidIdError);
    expect(() => parseGlobalId(null)).toThrow(InvalidIdError);
  });

  it('checks ids read from upstream payloads against the same alphabet', () => {
    expect(isValidExternalId('ispring', 'f29d887c-5cff-11e9-9e6a-0a580af40692')).toBe(true);
    expect(isValidExternalId('ispring', '../department')).toBe(false);
    expect(isValidExternalId('thrive', '646767d825')).toBe(true);
    expect(isValidExternalId('thrive', '')).toBe(false);
  });
});
