import DataLoader from 'dataloader';
import { ProviderNotConfiguredError } from '../errors.js';
import { externalIdOf, providerOf } from '../ids.js';
import type { DepartmentModel, GroupModel, ProviderName, UserModel } from '../models.js';
import type { UpstreamCaller } from '../providers/observer.js';
import type { DirectoryProvider } from '../providers/types.js';
import { createCatalogLoader } from './catalog.js';
import { createManagerLoader, type ManagerRequest } from './managers.js';

/**
 * The loaders of one GraphQL operation (made per request in the context factory, never shared).
 * Every entity the resolvers need goes through them, so within one operation each user,
 * department and group is fetched at most once, and the fetches of one depth are batched
 * (contract section 7). Ids here are global ids that were already validated.
 */
export interface Loaders {
  user(id: string): Promise<UserModel | null>;
  department(id: string): Promise<DepartmentModel | null>;
  group(id: string): Promise<GroupModel | null>;
  /** The user id a manager rule resolves to, or null (see `managers.ts`). */
  manager(request: ManagerRequest): Promise<string | null>;
}

export type ProviderRegistry = ReadonlyMap<ProviderName, DirectoryProvider>;

/** The loaders' entities, as batch-size metrics name them. */
export type LoaderEntity = 'user' | 'department' | 'group';

/** Hears the size of every batch a loader hands to its provider (metrics). */
export type LoaderBatchObserver = (provider: ProviderName, entity: LoaderEntity, size: number) => void;

interface ProviderLoaders {
  readonly users: DataLoader<string, UserModel | null>;
  readonly departments: DataLoader<string, DepartmentModel | null>;
  readonly groups: DataLoader<string, GroupModel | null>;
}

export function createLoaders(
  providers: ProviderRegistry,
  options: { onBatch?: LoaderBatchObserver | undefined; caller?: UpstreamCaller | undefined } = {},
): Loaders {
  const { onBatch = () => {}, caller } = options;
  const byProvider = new Map<ProviderName, ProviderLoaders>();
  for (const [name, provider] of providers) {
    byProvider.set(
      name,
      createProviderLoaders(provider, caller, (entity, size) => onBatch(name, entity, size)),
    );
  }

  const loadersFor = (globalId: string): ProviderLoaders => {
    const provider = providerOf(globalId);
    const loaders = byProvider.get(provider);
    if (!loaders) throw new ProviderNotConfiguredError(provider);
    return loaders;
  };

  const department = async (id: string) => loadersFor(id).departments.load(externalIdOf(id));
  const managers = createManagerLoader(department);

  return {
    user: async (id) => loadersFor(id).users.load(externalIdOf(id)),
    department,
    group: async (id) => loadersFor(id).groups.load(externalIdOf(id)),
    manager: (request) => managers.load(request),
  };
}

function createProviderLoaders(
  provider: DirectoryProvider,
  caller: UpstreamCaller | undefined,
  onBatch: (entity: LoaderEntity, size: number) => void,
): ProviderLoaders {
  const session = provider.openSession({ caller });
  return {
    users: new DataLoader<string, UserModel | null>(
      async (ids) => {
        onBatch('user', ids.length);
        const found = await session.fetchUsers(ids);
        // Matched by id, never by position: an id the provider did not return is null, and an
        // error for one id is that id's error alone.
        return ids.map((id) => found.get(id) ?? null);
      },
      { maxBatchSize: provider.userBatchSize },
    ),
    departments: createCatalogLoader<DepartmentModel>(
      {
        fetchOne: (id) => session.fetchDepartment(id),
        listAll: () => session.listDepartments(),
        idOf: (department) => department.externalId,
        missing: (id) => provider.unknownDepartment(id),
      },
      (size) => onBatch('department', size),
    ),
    groups: createCatalogLoader<GroupModel>(
      {
        fetchOne: (id) => session.fetchGroup(id),
        listAll: () => session.listGroups(),
        idOf: (group) => group.externalId,
        missing: () => null,
      },
      (size) => onBatch('group', size),
    ),
  };
}
