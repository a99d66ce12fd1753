import DataLoader from 'dataloader';
import type { DepartmentModel, GroupModel } from '../models.js';

/**
 * The departments and groups of one provider in one operation, as a DataLoader (the README's
 * batching rules): a batch that needs one entity reads it by id; a batch that needs more than one reads the
 * list; once a list is read (or being read) in this operation, every later key it covers is
 * answered from it, with no request at all. A key loaded for a walk (the supervisor walk, `parent`,
 * `ancestors`) reads the list even alone, since a walk needs more than one.
 *
 * Where departments and groups come from one list (Thrive's audiences, `shared`), "more than one"
 * counts both kinds together, and one read by id serves a department and a group of the same id.
 */
export type CatalogKind = 'department' | 'group';

export interface CatalogEntities {
  readonly department: DepartmentModel;
  readonly group: GroupModel;
}

type Entity = CatalogEntities[CatalogKind];

/** The provider's reads, for either kind (a department read gives departments, a group read groups). */
export interface CatalogSource {
  /** True when one list serves both kinds. */
  readonly shared: boolean;
  fetchOne(kind: CatalogKind, id: string): Promise<Entity | null>;
  listAll(kind: CatalogKind): Promise<readonly Entity[]>;
}

export interface CatalogLoader {
  /** The entity, or null when the provider has none with that id. */
  load<K extends CatalogKind>(kind: K, id: string, use?: 'walk'): Promise<CatalogEntities[K] | null>;
  /** What `load` of this key gave, once it has given it (undefined before, or when it failed). */
  peek<K extends CatalogKind>(kind: K, id: string): CatalogEntities[K] | null | undefined;
}

/**
 * A batch is handed over one round later than DataLoader's default (which is the `process.nextTick`
 * after the current promise jobs): the manager loader's batch, dispatched at that first tick, asks
 * for the first department of each walk then, and those keys must join the batch. Dispatched at
 * the first tick, a department a resolver asked for (`User.department`) went by id alone, and the
 * walk that needed the same department a tick later found it loaded and read the list anyway: two
 * requests where one list serves both, depending on the order of the query's fields.
 *
 * Not `setImmediate`: that waits for the event loop's I/O phase, where other operations start, and
 * measured warm throughput of 100-user pages at half of this (`npm run bench`, W4·W2).
 */
const resolved = Promise.resolve();
const afterOneRound = (then: () => void) => void resolved.then(() => process.nextTick(then));
const DISPATCH_AFTER_WALKS = {
  batchScheduleFn: (dispatch: () => void) => afterOneRound(() => afterOneRound(dispatch)),
};

/**
 * A list's entities by the provider's own id, made once per list. The directory index hands every
 * operation the same list until its catalog changes, and so does the cache while it holds one: at
 * 100,000 users per provider, mapping Thrive's thousands of audiences again for each operation
 * was nearly all of a by-id read's 11 ms.
 */
const mapsOfLists = new WeakMap<readonly Entity[], ReadonlyMap<string, Entity>>();
export function byExternalId(list: readonly Entity[]): ReadonlyMap<string, Entity> {
  let map = mapsOfLists.get(list);
  if (map === undefined) {
    map = new Map(list.map((entity) => [entity.externalId, entity]));
    mapsOfLists.set(list, map);
  }
  return map;
}

/** `onBatch` hears the size of every batch a kind hands over (metrics). */
export function createCatalogLoader(
  source: CatalogSource,
  onBatch: (kind: CatalogKind, size: number) => void = () => {},
): CatalogLoader {
  const lists = new Map<CatalogKind, Promise<ReadonlyMap<string, Entity>>>();
  const readList = (kind: CatalogKind) => {
    let list = lists.get(kind);
    if (list === undefined) {
      list = source.listAll(kind).then(byExternalId);
      lists.set(kind, list);
    }
    return list;
  };
  const forWalk = new Set<string>();
  const settled = new Map<string, Entity | null>();

  const loader = new DataLoader<string, Entity | null>(async (keys) => {
    const parsed = keys.map(parseKey);
    const answers = new Array<Entity | null | Error>(keys.length);
    const reads: Array<Promise<void>> = [];
    for (const kinds of groupsOf(source.shared)) {
      const inGroup = parsed.filter((key) => kinds.includes(key.kind));
      if (inGroup.length === 0) continue;
      for (const kind of kinds) {
        const size = inGroup.filter((key) => key.kind === kind).length;
        if (size > 0) onBatch(kind, size);
      }
      const useList =
        kinds.some((kind) => lists.has(kind)) ||
        new Set(inGroup.map((key) => key.id)).size > 1 ||
        inGroup.some((key) => forWalk.has(key.raw));
      if (!useList) {
        // One id (of one kind, or of both where they share a list): read by id.
        for (const key of inGroup) {
          reads.push(
            settle(
              source.fetchOne(key.kind, key.id),
              (entity) => (answers[key.index] = entity),
              (error) => (answers[key.index] = error),
            ),
          );
        }
        continue;
      }
      for (const kind of kinds) {
        const ofKind = inGroup.filter((key) => key.kind === kind);
        if (ofKind.length === 0) continue;
        reads.push(
          settle(
            readList(kind),
            (byId) => {
              for (const key of ofKind) answers[key.index] = byId.get(key.id) ?? null;
            },
            (error) => {
              for (const key of ofKind) answers[key.index] = error;
            },
          ),
        );
      }
    }
    await Promise.all(reads);
    for (const key of parsed) {
      const answer = answers[key.index]!;
      if (!(answer instanceof Error)) settled.set(key.raw, answer);
    }
    return answers;
  }, DISPATCH_AFTER_WALKS);

  return {
    load<K extends CatalogKind>(kind: K, id: string, use?: 'walk') {
      const key = `${kind}:${id}`;
      if (use === 'walk') forWalk.add(key);
      return loader.load(key) as Promise<CatalogEntities[K] | null>;
    },
    peek<K extends CatalogKind>(kind: K, id: string) {
      return settled.get(`${kind}:${id}`) as CatalogEntities[K] | null | undefined;
    },
  };
}

function parseKey(raw: string, index: number): { raw: string; index: number; kind: CatalogKind; id: string } {
  const separator = raw.indexOf(':');
  return { raw, index, kind: raw.slice(0, separator) as CatalogKind, id: raw.slice(separator + 1) };
}

const SHARED: ReadonlyArray<readonly CatalogKind[]> = [['department', 'group']];
const SEPARATE: ReadonlyArray<readonly CatalogKind[]> = [['department'], ['group']];

/** The kinds whose keys decide together whether a list is read. */
function groupsOf(shared: boolean): ReadonlyArray<readonly CatalogKind[]> {
  return shared ? SHARED : SEPARATE;
}

/**
 * Waits for `pending` and hands its value to `use`, or its failure to `fail`; never rejects, so
 * that one failed read fails only its own keys.
 */
async function settle<T>(
  pending: Promise<T>,
  use: (value: T) => void,
  fail: (error: Error) => void,
): Promise<void> {
  try {
    use(await pending);
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
  }
}
