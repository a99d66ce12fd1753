import DataLoader from 'dataloader';
import type { Directory } from '../directory/directory.js';
import { ProviderNotConfiguredError } from '../errors.js';
import { externalIdOf, providerOf, toGlobalId } from '../ids.js';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { UpstreamCaller } from '../providers/observer.js';
import type { DirectoryProvider, ProviderRegistry, ProviderSession } from '../providers/types.js';
import {
  byExternalId,
  createCatalogLoader,
  type CatalogEntities,
  type CatalogKind,
  type CatalogLoader,
} from './catalog.js';
import { createManagerLoader, type ManagerRequest } from './managers.js';

/**
 * The loaders of one GraphQL operation (made per request in the context factory, never shared).
 * Every entity the resolvers need goes through them, so within one operation each user,
 * department and group is fetched at most once, and the fetches of one depth are batched
 * (README, "How requests are batched"). Ids here are global ids that were already validated.
 */
export interface Loaders {
  user(id: string): Promise<UserModel | null>;
  /**
   * A department, or null when the provider has none. `walk`: it is needed for a walk (the
   * supervisor walk, `parent`, `ancestors`), which reads the list even for one (README, batching).
   */
  department(id: string, use?: 'walk'): Promise<DepartmentModel | null>;
  /**
   * The department a position or user names: as `department`, but an id the provider has no entity
   * for may still stand for one (a Thrive organisational unit no audience names).
   */
  namedDepartment(id: string): Promise<DepartmentModel | null>;
  group(id: string, use?: 'walk'): Promise<GroupModel | null>;
  /**
   * The parent id of a department or group: its own `parentId`, or, when it came from a list that
   * does not tell parents (`parentUnknown`), the one a read by id gives.
   */
  parentOf(entity: DepartmentModel | GroupModel, kind: CatalogKind): Promise<string | null>;
  /** The user id a manager rule resolves to, or null (see `managers.ts`). */
  manager(request: ManagerRequest): Promise<string | null>;

  // The same, now, without waiting: the value (null: there is none) when this operation has loaded
  // it already, or the provider's session has it at hand (the cross-request cache, the directory
  // index); undefined when only a load can tell. A resolver that answers from them lets graphql-js
  // complete the field at once, with no promise: a warm operation runs as if from plain maps. They
  // never start a request, so the requests an operation makes are those of the loads it still
  // needs (README, "How requests are batched").
  peekUser(id: string): UserModel | null | undefined;
  peekNamedDepartment(id: string): DepartmentModel | null | undefined;
  peekGroup(id: string): GroupModel | null | undefined;
  peekManager(request: ManagerRequest): string | null | undefined;
}

/** Peeks of loaders that have nothing at hand: every field goes through its load. */
export const NOTHING_AT_HAND: Pick<
  Loaders,
  'peekUser' | 'peekNamedDepartment' | 'peekGroup' | 'peekManager'
> = Object.freeze({
  peekUser: () => undefined,
  peekNamedDepartment: () => undefined,
  peekGroup: () => undefined,
  peekManager: () => undefined,
});

/** The loaders' entities, as batch-size metrics name them. */
export type LoaderEntity = 'user' | 'department' | 'group';

/** Hears the size of every batch a loader hands to its provider (metrics). */
export type LoaderBatchObserver = (provider: ProviderName, entity: LoaderEntity, size: number) => void;

interface ProviderLoaders {
  readonly provider: DirectoryProvider;
  /** The operation's session of the provider (with the cache and the index in front). */
  readonly session: ProviderSession;
  readonly users: DataLoader<string, UserModel | null>;
  /** Departments and groups (`<kind>:<id>`), and lists, the session had at hand in this operation. */
  readonly atHand: Map<string, DepartmentModel | GroupModel | null>;
  readonly listsAtHand: Map<CatalogKind, readonly (DepartmentModel | GroupModel)[]>;
  readonly catalog: CatalogLoader;
  /** Reads by id that never come from a list: for parents a list does not tell. */
  readonly whole: DataLoader<string, DepartmentModel | GroupModel | null>;
}

export function createLoaders(
  providers: ProviderRegistry,
  options: {
    onBatch?: LoaderBatchObserver | undefined;
    caller?: UpstreamCaller | undefined;
    /** Answers by-id reads from its index where its entries are fresh enough. */
    directory?: Directory | undefined;
  } = {},
): Loaders {
  const { onBatch = () => {}, caller, directory } = options;
  // Made when an operation first needs a provider: most operations read one provider only, and
  // the warm path pays for every loader it makes.
  const byProvider = new Map<ProviderName, ProviderLoaders>();
  // What this operation has at hand, by global id, for the `peek…` reads: the users its loaders
  // loaded and those their sessions had; the departments and groups its fields found.
  const usersAtHand = new Map<string, UserModel | null>();
  const departmentsAtHand = new Map<string, DepartmentModel | null>();
  const groupsAtHand = new Map<string, GroupModel | null>();
  const loadersFor = (globalId: string): ProviderLoaders => {
    const name = providerOf(globalId);
    let loaders = byProvider.get(name);
    if (loaders) return loaders;
    const provider = providers.get(name);
    if (!provider) throw new ProviderNotConfiguredError(name);
    loaders = createProviderLoaders(
      provider,
      caller,
      directory,
      (entity, size) => onBatch(name, entity, size),
      usersAtHand,
    );
    byProvider.set(name, loaders);
    return loaders;
  };

  const department = async (id: string, use?: 'walk') =>
    loadersFor(id).catalog.load('department', externalIdOf(id), use);
  /** The loaders of a configured provider; undefined for another (its load throws, not its peek). */
  const loadersIfServed = (globalId: string) =>
    providers.has(providerOf(globalId)) ? loadersFor(globalId) : undefined;
  /**
   * A department or group at hand: loaded by this operation, or its session's by id (whole), or,
   * for a field rather than a walk, in its session's list (where a Thrive audience may not know
   * its parent, as a list read by the catalog loader would give it too).
   */
  const peekCatalog = <K extends CatalogKind>(kind: K, globalId: string, use?: 'walk') => {
    const loaders = loadersIfServed(globalId);
    if (!loaders) return undefined;
    const externalId = externalIdOf(globalId);
    const loaded = loaders.catalog.peek(kind, externalId);
    if (loaded !== undefined) return loaded;
    // What the session had at hand is kept for the rest of the operation: one cache read per
    // entity (and per list), however many users name it.
    const session = loaders.session;
    const whole = remember(loaders.atHand, `${kind}:${externalId}`, () =>
      kind === 'department' ? session.peekDepartment?.(externalId) : session.peekGroup?.(externalId),
    );
    if (whole !== undefined || use === 'walk') return whole as CatalogEntities[K] | null | undefined;
    const list = remember(loaders.listsAtHand, kind, () =>
      kind === 'department' ? session.peekDepartmentList?.() : session.peekGroupList?.(),
    );
    // An id the list lacks is not "none": the load asks for it by id (it may be newer than the list).
    return list && (byExternalId(list).get(externalId) as CatalogEntities[K] | undefined);
  };
  const managers = createManagerLoader(
    (id) => department(id, 'walk'),
    (id) => peekCatalog('department', id, 'walk'),
  );

  return {
    user: async (id) => loadersFor(id).users.load(externalIdOf(id)),
    department,
    async namedDepartment(id) {
      const loaders = loadersFor(id);
      const externalId = externalIdOf(id);
      return (
        (await loaders.catalog.load('department', externalId)) ??
        loaders.provider.unknownDepartment(externalId)
      );
    },
    group: async (id, use) => loadersFor(id).catalog.load('group', externalIdOf(id), use),
    async parentOf(entity, kind) {
      if (entity.parentUnknown !== true) return entity.parentId;
      const whole = await loadersFor(entity.id).whole.load(`${kind}:${entity.externalId}`);
      return whole?.parentId ?? null;
    },
    manager: (request) => managers.load(request),

    // By global id first: a page names the same managers many times, and this is one lookup.
    peekUser: (id) =>
      remember(usersAtHand, id, () => loadersIfServed(id)?.session.peekUser?.(externalIdOf(id))),
    peekNamedDepartment: (id) =>
      remember(departmentsAtHand, id, () => {
        const found = peekCatalog('department', id);
        return found === null ? loadersFor(id).provider.unknownDepartment(externalIdOf(id)) : found;
      }),
    peekGroup: (id) => remember(groupsAtHand, id, () => peekCatalog('group', id)),
    peekManager: (request) => managers.peek(request),
  };
}

function createProviderLoaders(
  provider: DirectoryProvider,
  caller: UpstreamCaller | undefined,
  directory: Directory | undefined,
  onBatch: (entity: LoaderEntity, size: number) => void,
  /** Where the users this loader loads are kept, by global id, for the operation's peeks. */
  usersAtHand: Map<string, UserModel | null>,
): ProviderLoaders {
  const upstream = provider.openSession({ caller });
  const session = directory ? directory.session(provider, upstream) : upstream;
  return {
    provider,
    session,
    atHand: new Map(),
    listsAtHand: new Map(),
    // One DataLoader batch is every user a round asks for; the provider gets it in batches of at
    // most `userBatchSize`, and all of them are answered together. Were each answered as it came
    // (DataLoader's `maxBatchSize`), the users of one depth would reach the next depth's manager
    // resolutions in several rounds, and that depth would cost several user batches.
    users: new DataLoader<string, UserModel | null>(async (ids) => {
      const batches: string[][] = [];
      for (let start = 0; start < ids.length; start += provider.userBatchSize) {
        batches.push(ids.slice(start, start + provider.userBatchSize));
      }
      const settled = await Promise.allSettled(
        batches.map((batch) => {
          onBatch('user', batch.length);
          return session.fetchUsers(batch);
        }),
      );
      // Matched by id, never by position: an id the provider did not return is null, and an
      // error for one id is that id's error alone; a batch that failed as a whole fails its ids.
      return settled.flatMap((outcome, index) =>
        batches[index]!.map((id) => {
          if (outcome.status === 'rejected') return asError(outcome.reason);
          const value = outcome.value.get(id) ?? null;
          if (!(value instanceof Error)) usersAtHand.set(toGlobalId(provider.name, id), value);
          return value;
        }),
      );
    }),
    catalog: createCatalogLoader(
      {
        shared: provider.sharesOneCatalog,
        fetchOne: (kind, id) =>
          kind === 'department' ? session.fetchDepartment(id) : session.fetchGroup(id),
        listAll: (kind) => (kind === 'department' ? session.listDepartments() : session.listGroups()),
      },
      (kind, size) => onBatch(kind, size),
    ),
    whole: new DataLoader<string, DepartmentModel | GroupModel | null>(async (keys) =>
      Promise.all(
        keys.map((key) => {
          const [kind, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
          return (kind === 'department' ? session.fetchDepartment(id) : session.fetchGroup(id)).catch(
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          );
        }),
      ),
    ),
  };
}

/** What `found` holds for `key`, else what `find` gives (kept in `found` when it gives something). */
function remember<K, V>(found: Map<K, V>, key: K, find: () => V | undefined): V | undefined {
  const known = found.get(key);
  if (known !== undefined) return known;
  const value = find();
  if (value !== undefined) found.set(key, value);
  return value;
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
