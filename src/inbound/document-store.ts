import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode } from 'graphql';

/**
 * Apollo Server keeps parsed and validated documents by query hash, so that a query seen before is
 * not parsed again. Its default store counts each document as the length of its JSON, while the
 * parsed document on the heap takes several times that (40 distinct 390 kB documents took the heap
 * from 82 to 382 MiB): a few large queries could hold hundreds of megabytes. This store counts a
 * document as what it costs on the heap, estimated from the length of its text, bounds the total,
 * and does not keep a document whose text is large at all: those are built to be large, and are
 * not the queries a client repeats.
 */

/** Heap bytes a parsed document takes per character of its text (measured: about 19 with locations). */
export const HEAP_BYTES_PER_QUERY_CHARACTER = 20;
/** The most heap the store's documents may take, estimated. */
export const DOCUMENT_STORE_MAX_BYTES = 64 * 1024 * 1024;
/** Documents with a longer text are parsed for each request that sends them, never kept. */
export const LARGEST_KEPT_QUERY_CHARACTERS = 64 * 1024;

export function createDocumentStore(): KeyValueCache<DocumentNode> {
  const lru = new InMemoryLRUCache<DocumentNode>({
    maxSize: DOCUMENT_STORE_MAX_BYTES,
    sizeCalculation: (document) => Math.max(1, lengthOf(document) * HEAP_BYTES_PER_QUERY_CHARACTER),
  });
  return {
    get: (key) => lru.get(key),
    async set(key, document, options) {
      if (lengthOf(document) > LARGEST_KEPT_QUERY_CHARACTERS) return;
      await lru.set(key, document, options);
    },
    delete: (key) => lru.delete(key),
  };
}

/** The length of the text a document was parsed from (its end position). */
function lengthOf(document: DocumentNode): number {
  return document.loc?.end ?? LARGEST_KEPT_QUERY_CHARACTERS + 1;
}
