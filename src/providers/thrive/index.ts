import { ProviderError } from '../../errors.js';
import { SecretRedactor } from '../../redaction.js';
import type { DepartmentModel, GroupModel, UserModel } from '../../models.js';
import type { CallOptions } from '../http/types.js';
import { createLimit, createResilience } from '../resilience/index.js';
import type { DirectoryProvider, ProviderOptions, ProviderSession } from '../types.js';
import { createThriveClient, type AudienceList, type ThriveClient } from './client.js';
import { thriveSecrets, type ThriveConfig } from './config.js';
import { toDepartmentModel, toGroupModel, unknownDepartment } from './mapper.js';
import type { ThriveAudience } from './wire.js';

export { createThriveClient, type ThriveClient } from './client.js';
export { THRIVE_ENDPOINTS } from './endpoints.js';
export { toDepartmentModel, toGroupModel, toUserModel, unknownDepartment } from './mapper.js';

/** What `createThriveProvider` takes besides its configuration (every provider takes the same). */
export type ThriveProviderOptions = ProviderOptions;

/**
 * Thrive Learning as a `DirectoryProvider` (batching: README, "How requests are batched").
 *
 * - Users: Thrive has no bulk lookup, so a batch is one `GET /user/{id}` per distinct id, at most
 *   `config.concurrency` in flight per session. A failure of one id is that id's value in the map.
 * - Departments and groups are both audiences: one `GET /audiences` read (all pages) per session
 *   serves both lists, and one `GET /audiences/{id}` per id serves both a department and a group
 *   with that id. Once the list is read, ids are answered from it.
 */
export function createThriveProvider(
  config: ThriveConfig,
  options: ThriveProviderOptions = {},
): DirectoryProvider {
  const redactor = options.redactor ?? new SecretRedactor(thriveSecrets(config));
  // One per provider: every session and token request shares its breaker and in-flight bound.
  const resilience = createResilience('thrive', config.resilience, options.clock, options.observer);
  const client = createThriveClient(config, redactor, options.tokenStore, resilience);
  return {
    name: 'thrive',
    userBatchSize: config.userBatchSize,
    openSession: (session) =>
      openThriveSession(client, config.concurrency, {
        deadline: session?.deadline ?? resilience.deadlineFromNow(),
        caller: session?.caller,
      }),
    // `GET /audiences?page=1&perPage=1`: it needs no id that might not exist (a 404 by id would
    // not tell a wrong base URL from an unknown user), every tenant has it, it needs only the
    // read scope, and one audience is the smallest body an authenticated read can return.
    checkCredentials: () => client.checkCredentials(),
    // Departments (organisational units named by audiences) and groups are both audiences.
    sharesOneCatalog: true,
    unknownDepartment,
  };
}

function openThriveSession(client: ThriveClient, concurrency: number, call: CallOptions): ProviderSession {
  // One bound per session: DataLoader may split a large load into several batches at once, and
  // together they still keep at most `concurrency` user requests in flight.
  const limit = createLimit(concurrency);
  let audienceList: Promise<AudienceList> | undefined;
  const audiencesById = new Map<string, Promise<ThriveAudience | null>>();

  const listAudiences = () => (audienceList ??= client.listAudiences(call));

  /**
   * One audience whole (its parent known): from the list when the list has been read and tells
   * parents, else by id (once per id per operation).
   */
  const fetchAudience = (id: string): Promise<ThriveAudience | null> => {
    let pending = audiencesById.get(id);
    if (pending === undefined) {
      const listed = audienceList;
      pending =
        listed === undefined
          ? client.fetchAudience(id, call)
          : listed.then(({ audiences, stubs }) => {
              const found = stubs ? undefined : audiences.find((audience) => audience.id === id);
              return found ?? client.fetchAudience(id, call);
            });
      audiencesById.set(id, pending);
    }
    return pending;
  };

  return {
    async fetchUsers(ids) {
      if (ids.length === 0) return new Map();
      // An OAuth token that cannot be had fails every id alike: the whole call rejects, once.
      await client.prepare(call);
      const distinct = [...new Set(ids)];
      const settled = await Promise.all(
        distinct.map((id) =>
          limit(async (): Promise<[string, UserModel | ProviderError | null]> => {
            try {
              return [id, await client.fetchUser(id, call)];
            } catch (error) {
              if (error instanceof ProviderError) return [id, error];
              throw error;
            }
          }),
        ),
      );
      const found = new Map<string, UserModel | ProviderError>();
      for (const [id, user] of settled) if (user !== null) found.set(id, user);
      return found;
    },

    async fetchDepartment(id): Promise<DepartmentModel | null> {
      const audience = await fetchAudience(id);
      return audience && toDepartmentModel(audience);
    },
    async listDepartments() {
      const { audiences, stubs } = await listAudiences();
      return audiences.map((audience) => toDepartmentModel(audience, stubs));
    },

    async fetchGroup(id): Promise<GroupModel | null> {
      const audience = await fetchAudience(id);
      return audience && toGroupModel(audience);
    },
    async listGroups() {
      const { audiences, stubs } = await listAudiences();
      return audiences.map((audience) => toGroupModel(audience, stubs));
    },
  };
}
