import DataLoader from 'dataloader';
import type { DepartmentModel, GroupModel } from '../models.js';

/**
 * The departments and groups of one provider in one operation, as a DataLoader (contract section
 * 7): a batch that needs one entity reads it by id; a batch that needs more than one reads the
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
}

/**
 * A batch is handed over once the promise jobs and ticks of its round have run (`setImmediate`),
 * not at the first tick as DataLoader does by default: the manager loader's batch, dispatched at
 * that tick, asks for the first department of each walk then. Dispatched earlier, a department a
 * resolver asked for (`User.department`) went by id alone, and the walk that needed the same
 * department a tick later found it loaded and read the list anyway: two requests where one list
 * serves both, depending on the order of the query's fields.
 */
const DISPATCH_AFTER_WALKS = { batchScheduleFn: (dispatch: () => void) => void setImmediate(dispatch) };

/** `onBatch` hears the size of every batch a kind hands over (metrics). */
export function createCatalogLoader(
  source: CatalogSource,
  onBatch: (kind: CatalogKind, size: number) => void = () => {},
): CatalogLoader {
  const lists = new Map<CatalogKind, Promise<ReadonlyMap<string, Entity>>>();
  const readList = (kind: CatalogKind) => {
    let list = lists.get(kind);
    if (list === undefined) {
      list = source
        .listAll(kind)
        .then((all) => new Map<string, Entity>(all.map((entity) => [entity.externalId, entity])));
      lists.set(kind, list);
    }
    return list;
  };
  const forWalk = new Set<string>();

  const loader = new DataLoader<string, Entity | null>(async (keys) => {
    const parsed = keys.map(parseKey);
    const results = new Map<string, Promise<Entity | null>>();
    // The kinds whose keys decide together whether a list is read.
    const groups: ReadonlyArray<readonly CatalogKind[]> = source.shared
      ? [['department', 'group']]
      : [['department'], ['group']];
    for (const kinds of groups) {
      const inGroup = parsed.filter((key) => kinds.includes(key.kind));
      if (inGroup.length === 0) continue;
      for (const kind of kinds) {
        const size = inGroup.filter((key) => key.kind === kind).length;
        if (size > 0) onBatch(kind, size);
      }
      const distinctIds = new Set(inGroup.map((key) => key.id));
      const useList =
        kinds.some((kind) => lists.has(kind)) ||
        distinctIds.size > 1 ||
        inGroup.some((key) => forWalk.has(key.raw));
      for (const key of inGroup) {
        results.set(
          key.raw,
          useList
            ? readList(key.kind).then((byId) => byId.get(key.id) ?? null)
            : source.fetchOne(key.kind, key.id),
        );
      }
    }
    return Promise.all(
      parsed.map(async (key) => {
        try {
          return await results.get(key.raw)!;
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
  }, DISPATCH_AFTER_WALKS);

  return {
    load<K extends CatalogKind>(kind: K, id: string, use?: 'walk') {
      const key = `${kind}:${id}`;
      if (use === 'walk') forWalk.add(key);
      return loader.load(key) as Promise<CatalogEntities[K] | null>;
    },
  };
}

function parseKey(raw: string): { raw: string; kind: CatalogKind; id: string } {
  const separator = raw.indexOf(':');
  return { raw, kind: raw.slice(0, separator) as CatalogKind, id: raw.slice(separator + 1) };
}
