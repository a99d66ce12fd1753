import DataLoader from 'dataloader';

/**
 * A DataLoader for entities a provider can give one by id or all at once in a list (iSpring
 * departments and groups, Thrive audiences). Contract section 7: a batch of one key is a request
 * by id; a batch of more reads the list once; once the list is read (or being read) in this
 * operation, every later key is answered from it, with no request at all.
 */
export interface CatalogSource<T> {
  fetchOne(id: string): Promise<T | null>;
  listAll(): Promise<readonly T[]>;
  idOf(entity: T): string;
  /** What a key the provider does not have stands for (null, or a stand-in known only by id). */
  missing(id: string): T | null;
}

/** `onBatch` hears the size of every batch DataLoader hands over (metrics). */
export function createCatalogLoader<T>(
  source: CatalogSource<T>,
  onBatch: (size: number) => void = () => {},
): DataLoader<string, T | null> {
  let listed: Promise<ReadonlyMap<string, T>> | undefined;
  const readList = () =>
    (listed ??= source.listAll().then((all) => new Map(all.map((entity) => [source.idOf(entity), entity]))));

  return new DataLoader<string, T | null>(async (ids) => {
    onBatch(ids.length);
    if (listed !== undefined || ids.length > 1) {
      const byId = await readList();
      return ids.map((id) => byId.get(id) ?? source.missing(id));
    }
    const id = ids[0]!;
    return [(await source.fetchOne(id)) ?? source.missing(id)];
  });
}
