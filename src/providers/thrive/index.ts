import { ProviderError } from '../../errors.js';
import { SecretRedactor } from '../../redaction.js';
import type { DepartmentModel, GroupModel, UserModel } from '../../models.js';
import type { CallOptions } from '../http/types.js';
import { createLimit, createResilience } from '../resilience/index.js';
import type {
  DirectoryProvider,
  ProviderListing,
  ProviderOptions,
  ProviderSession,
  UserListPage,
} from '../types.js';
import { toIsoDateTime } from '../dates.js';
import { createThriveClient, type AudienceList, type ThriveClient } from './client.js';
import { THRIVE_DEFAULTS, thriveSecrets, type ThriveConfig } from './config.js';
import { THRIVE_ENDPOINTS } from './endpoints.js';
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
    listing: createThriveListing(client, config),
  };
}

/**
 * Bounds a user list whose pagination never ends (a misbehaving server), at ten million users:
 * the page after the one that reaches it is not asked for.
 */
const MAX_LISTED_USERS = 10_000_000;

/**
 * Thrive's whole content for the directory index.
 *
 * - Users: `GET /users?page=<n>&perPage=<userPageSize>`, the cursor the next page number. The list
 *   ends at `pagination.totalPages` (an empty tenant says 0), on an empty page, or, when Thrive
 *   sends no `pagination`, on a short page (as `listAudiences` reads audiences).
 * - Departments and groups: every audience, whole. Where the list sends stubs without `parent`, each
 *   audience is read by id as well (at most `config.concurrency` at a time), since only that read
 *   tells its parent; one that is gone by then is left out, one that fails fails the call. Calls
 *   made while another is reading share its reads, so a sync that asks for both lists at once
 *   reads the audiences once.
 *
 * Every request has its own `UPSTREAM_DEADLINE_MS` (no session bounds a listing).
 */
function createThriveListing(client: ThriveClient, config: ThriveConfig): ProviderListing {
  const perPage = config.userPageSize ?? THRIVE_DEFAULTS.userPageSize;
  const maxPages = Math.ceil(MAX_LISTED_USERS / perPage);
  let reading: Promise<readonly ThriveAudience[]> | undefined;

  async function readWholeAudiences(): Promise<readonly ThriveAudience[]> {
    const { audiences, stubs } = await client.listAudiences();
    if (!stubs) return audiences;
    const limit = createLimit(config.concurrency);
    // Once a read has failed the call has failed: the reads still waiting for a place are not sent.
    let failed = false;
    const whole = await Promise.all(
      audiences.map((audience) =>
        limit(async () => {
          if (failed) return null;
          try {
            return await client.fetchAudience(audience.id);
          } catch (error) {
            failed = true;
            throw error;
          }
        }),
      ),
    );
    return whole.filter((audience): audience is ThriveAudience => audience !== null);
  }

  const wholeAudiences = (): Promise<readonly ThriveAudience[]> => {
    if (reading) return reading;
    const pending = readWholeAudiences();
    reading = pending;
    const settle = () => {
      if (reading === pending) reading = undefined;
    };
    pending.then(settle, settle);
    return pending;
  };

  return {
    supportsUpdatedSince: true,

    async readUsersPage(cursor, options): Promise<UserListPage> {
      const page = cursor === null ? 1 : pageNumberOf(cursor);
      const asked = options?.updatedSince;
      const updatedSince = asked === undefined ? undefined : toIsoDateTime(asked);
      if (updatedSince === null) {
        throw new RangeError(
          `updatedSince must be an ISO 8601 date or date-time; got ${JSON.stringify(asked)}.`,
        );
      }
      const read = await client.readUsersPage(page, { perPage, updatedSince });
      const last = read.pagination
        ? page >= read.pagination.totalPages
        : // No pagination: a short page is the last one.
          read.received < perPage;
      const next = last || read.received === 0 ? null : page + 1;
      if (next !== null && next > maxPages) {
        throw new ProviderError(
          'UPSTREAM_BAD_RESPONSE',
          'thrive',
          `Thrive's ${THRIVE_ENDPOINTS.users} kept returning full pages after ${maxPages} pages; stopped reading.`,
          { endpoint: THRIVE_ENDPOINTS.users },
        );
      }
      return {
        users: read.users,
        next: next === null ? null : String(next),
        ...(updatedSince === undefined ? {} : { ignoredUpdatedSince: read.olderThanAsked }),
        ...(read.pagination ? { totalUsers: read.pagination.totalResults } : {}),
      };
    },

    async readAllDepartments() {
      return (await wholeAudiences()).map((audience) => toDepartmentModel(audience));
    },

    async readAllGroups() {
      return (await wholeAudiences()).map((audience) => toGroupModel(audience));
    },
  };
}

/** A cursor this listing gave out: a page number from 2. */
function pageNumberOf(cursor: string): number {
  if (!/^[1-9]\d{0,8}$/.test(cursor)) {
    throw new RangeError(`${JSON.stringify(cursor)} is not a cursor of Thrive's user list (a page number).`);
  }
  return Number(cursor);
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
