import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  createDocumentStore,
  DOCUMENT_STORE_MAX_BYTES,
  HEAP_BYTES_PER_QUERY_CHARACTER,
  LARGEST_KEPT_QUERY_CHARACTERS,
} from '../../src/inbound/document-store.ts';

/** A query of about `characters` characters (its text padded with a comment). */
const queryOf = (characters: number, tag: string) => {
  const text = `{ __typename } # ${tag}`;
  return parse(`${text}${' '.repeat(Math.max(0, characters - text.length))}`);
};

describe('the store of parsed documents', () => {
  it('keeps a small document and gives it back', async () => {
    const store = createDocumentStore();
    const document = queryOf(200, 'small');
    await store.set('a', document);
    expect(await store.get('a')).toBe(document);
  });

  it('does not keep a document whose text is over 64 kB', async () => {
    const store = createDocumentStore();
    await store.set('large', queryOf(LARGEST_KEPT_QUERY_CHARACTERS + 1, 'large'));
    expect(await store.get('large')).toBeUndefined();
  });

  it('holds no more than its heap bound, counting each document at about 20 bytes per character', async () => {
    const store = createDocumentStore();
    const characters = LARGEST_KEPT_QUERY_CHARACTERS;
    const fits = Math.floor(DOCUMENT_STORE_MAX_BYTES / (characters * HEAP_BYTES_PER_QUERY_CHARACTER));
    for (let i = 0; i < fits + 10; i += 1) await store.set(`q${i}`, queryOf(characters, String(i)));
    let kept = 0;
    for (let i = 0; i < fits + 10; i += 1) if ((await store.get(`q${i}`)) !== undefined) kept += 1;
    expect(kept).toBe(fits);
    // The least recently used went first.
    expect(await store.get('q0')).toBeUndefined();
    expect(await store.get(`q${fits + 9}`)).toBeDefined();
  });
});
