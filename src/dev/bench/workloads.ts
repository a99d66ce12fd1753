import { ISPRING_DEFAULTS } from '../../providers/ispring/config.js';
import { THRIVE_DEFAULTS } from '../../providers/thrive/config.js';
import type { ProviderName, UserModel } from '../../models.js';
import type { DemoOrganisation } from '../../sandbox/seed/index.js';
import type { InMemoryDirectory } from './directory.js';

/**
 * The workloads of README "Benchmark", and the minimum upstream requests and critical-path
 * rounds each one needs, worked out from the organisation data (through the same mappers and the
 * same manager-rule resolution as the subgraph) before anything is measured.
 *
 * The rules applied (as README "How requests are batched" states them):
 * - iSpring users: at each depth, one DataLoader batch per 100 new ids (`ISPRING_MAX_BATCH_SIZE`),
 *   each sent as the fewest `GET /users/v2` whose URLs stay within 4 KB (`idsPerUrl` ids each);
 * - iSpring departments / groups: one request by id when one is needed, one list read when more are
 *   (a manager walk always reads the department list);
 * - Thrive users: one `GET /user/{id}` per distinct user (no bulk lookup), at most
 *   `THRIVE_CONCURRENCY` (100) in flight: a depth of n new users takes ⌈n / 100⌉ rounds;
 * - Thrive audiences (department names and groups together): one by id when one is needed, one list
 *   read when more are.
 * Token requests (`POST` token endpoints) are not data requests and are not counted.
 */

export type WorkloadId = 'W1-ispring' | 'W1-thrive' | 'W2-ispring' | 'W2-thrive' | 'W3';

export interface Workload {
  readonly id: WorkloadId;
  readonly title: string;
  /** The POST body sent to /graphql. */
  readonly body: string;
  readonly minimum: MinimumRequests;
}

export interface MinimumRequests {
  readonly ispring: number;
  readonly thrive: number;
  readonly total: number;
  /** Sequential upstream round trips on the critical path: F = rounds × d. */
  readonly rounds: number;
  /** How the numbers were worked out, for the report. */
  readonly derivation: string;
}

export const ISPRING_BATCH = ISPRING_DEFAULTS.userBatchSize;

/** `GET /users/v2` requests for `count` new ids at one depth: batches of 100, each split by URL length. */
function usersV2Requests(count: number, idsPerUrl: number): number {
  let requests = 0;
  for (let left = count; left > 0; left -= ISPRING_BATCH)
    requests += ceilDiv(Math.min(left, ISPRING_BATCH), idsPerUrl);
  return requests;
}
export const THRIVE_CONCURRENCY = THRIVE_DEFAULTS.concurrency;

export const W1_QUERY = `query W1($id: ID!) {
  user(id: $id) { id displayName department { name } groups { name } }
}`;

const W2_QUERY = `query W2($ids: [ID!]!) {
  users(ids: $ids) {
    id
    displayName
    manager { manager { manager { displayName } } }
    department { name }
    groups { name }
  }
}`;

const W3_QUERY = `query W3($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on User { id displayName email status } }
}`;

function body(query: string, variables: Record<string, unknown>): string {
  return JSON.stringify({ query, variables });
}

const ceilDiv = (n: number, d: number) => Math.ceil(n / d);

/** Requests and rounds for a catalog (departments, groups) whose first batch has `firstBatch` keys. */
function catalogRequests(firstBatch: number): number {
  return firstBatch === 0 ? 0 : 1; // 1 key: by id; more: one list read
}

/** W1: one user, their department and groups. */
async function minimumForOneUser(user: UserModel): Promise<MinimumRequests> {
  const groupIds = [...new Set(user.groupIds)];
  const hasDepartment = user.departmentId !== null;
  let catalog: number;
  let derivation: string;
  if (user.provider === 'thrive') {
    // Departments and groups are both audiences, counted together: one by id, or one list.
    const audiences = new Set([...(hasDepartment ? [user.departmentId!] : []), ...groupIds]);
    catalog = catalogRequests(audiences.size);
    derivation = `1 user + ${catalog} audience ${audiences.size > 1 ? 'list' : 'by id'} (${audiences.size} audiences: the department and the groups together); rounds: user, then the audiences`;
  } else {
    catalog = (hasDepartment ? 1 : 0) + catalogRequests(groupIds.length);
    derivation = `1 user + ${hasDepartment ? 1 : 0} department by id + ${catalogRequests(groupIds.length)} group ${groupIds.length > 1 ? 'list' : 'by id'} (${groupIds.length} group${groupIds.length === 1 ? '' : 's'}); rounds: user, then department and group together`;
  }
  const total = 1 + catalog;
  const rounds = 1 + (catalog > 0 ? 1 : 0);
  return {
    ispring: user.provider === 'ispring' ? total : 0,
    thrive: user.provider === 'thrive' ? total : 0,
    total,
    rounds,
    derivation,
  };
}

/**
 * W2: `users(ids)` with three levels of `manager`, `department { name }`, `groups { name }`, all ids
 * of one provider. Walks the manager chain depth by depth with the subgraph's own rule resolution.
 */
async function minimumForPage(
  provider: ProviderName,
  ids: readonly string[],
  directory: InMemoryDirectory,
  idsPerUrl: number,
): Promise<MinimumRequests> {
  const fetched = new Set<string>();
  const newPerDepth: number[] = [];
  let current = [...new Set(ids)];
  let departmentRuleAtDepth0 = false;
  for (let depth = 0; depth <= 3 && current.length > 0; depth += 1) {
    const fresh = current.filter((id) => !fetched.has(id));
    fresh.forEach((id) => fetched.add(id));
    newPerDepth.push(fresh.length);
    if (depth === 3) break;
    const next = new Set<string>();
    for (const id of current) {
      const user = directory.users.get(id);
      const rule = user?.managerRules[0];
      if (!user || !rule) continue;
      if (depth === 0 && rule.kind === 'department') departmentRuleAtDepth0 = true;
      const managerId = await directory.manager({ rule, subjectId: user.id });
      if (managerId !== null) next.add(managerId);
    }
    current = [...next];
  }
  const top = ids.map((id) => directory.users.get(id)).filter((user): user is UserModel => !!user);
  const departmentKeys = new Set(top.map((user) => user.departmentId).filter((id) => id !== null));
  const groupKeys = new Set(top.flatMap((user) => user.groupIds));
  if (departmentKeys.size < 2 || groupKeys.size < 2) {
    throw new Error(
      `W2 (${provider}): the bench assumes the requested users name several departments and groups (one list read each); got ${departmentKeys.size} and ${groupKeys.size}.`,
    );
  }
  const depthsWithRequests = newPerDepth.filter((n) => n > 0).length;

  if (provider === 'ispring') {
    const userRequests = newPerDepth.reduce((sum, n) => sum + usersV2Requests(n, idsPerUrl), 0);
    const total = userRequests + 1 + 1;
    // The department list is read before depth 1 when a depth-0 manager is inherited through a
    // department (the walk needs it); the group list goes alongside.
    const rounds = depthsWithRequests + (departmentRuleAtDepth0 || depthsWithRequests === 1 ? 1 : 0);
    return {
      ispring: total,
      thrive: 0,
      total,
      rounds,
      derivation: `users/v2 (≤ ${idsPerUrl} ids per 4 KB URL): new ids per depth [${newPerDepth.join(', ')}] → ${newPerDepth.map((n) => usersV2Requests(n, idsPerUrl)).join(' + ')} = ${userRequests}; + 1 department list + 1 group list; rounds: ${depthsWithRequests} user depths${departmentRuleAtDepth0 ? ' + 1 department list (inherited managers need it before depth 1)' : ''}`,
    };
  }
  const userRequests = fetched.size;
  const total = userRequests + 1;
  const userRounds = newPerDepth.reduce((sum, n) => sum + ceilDiv(n, THRIVE_CONCURRENCY), 0);
  // The audience list is read alongside depth 1.
  const rounds = userRounds + (depthsWithRequests === 1 ? 1 : 0);
  return {
    ispring: 0,
    thrive: total,
    total,
    rounds,
    derivation: `GET /user/{id}: ${userRequests} distinct users (new per depth [${newPerDepth.join(', ')}]) + 1 audience list; rounds: ${newPerDepth.map((n) => ceilDiv(n, THRIVE_CONCURRENCY)).join(' + ')} = ${userRounds} (≤ ${THRIVE_CONCURRENCY} Thrive requests in flight)`,
  };
}

function minimumForEntities(ispringUnique: number, thriveUnique: number, idsPerUrl: number): MinimumRequests {
  const ispring = usersV2Requests(ispringUnique, idsPerUrl);
  const thrive = thriveUnique;
  const rounds = Math.max(ispring > 0 ? 1 : 0, ceilDiv(thriveUnique, THRIVE_CONCURRENCY));
  return {
    ispring,
    thrive,
    total: ispring + thrive,
    rounds,
    derivation: `iSpring ${ispringUnique} ids in batches of ${ISPRING_BATCH}, ≤ ${idsPerUrl} per 4 KB URL = ${ispring} users/v2 (one round); Thrive ${thriveUnique} distinct users, ⌈${thriveUnique} / ${THRIVE_CONCURRENCY}⌉ = ${ceilDiv(thriveUnique, THRIVE_CONCURRENCY)} rounds`,
  };
}

/** W1's users: the first of each provider with a department and exactly one group (other than it). */
export function pickW1User(
  provider: ProviderName,
  ids: readonly string[],
  directory: InMemoryDirectory,
): UserModel {
  for (const id of ids) {
    const user = directory.users.get(id);
    if (!user || user.departmentId === null || !directory.departments.has(user.departmentId)) continue;
    const groups = [...new Set(user.groupIds)];
    if (groups.length === 1 && groups[0] !== user.departmentId && directory.groups.has(groups[0]!))
      return user;
  }
  throw new Error(`W1: no ${provider} user with a department and exactly one group in the organisation.`);
}

/** A deterministic shuffle (mulberry32), so that W3 interleaves the providers the same way every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export const W3_REPRESENTATIONS = 500;
export const W3_REPEATED_SHARE = 0.2;

/**
 * `ispringIdsPerUrl`: how many ids one `GET /users/v2` URL holds against the sandbox the bench runs
 * (`idsPerUrl` of its base URL).
 */
export async function createWorkloads(
  organisation: DemoOrganisation,
  directory: InMemoryDirectory,
  ispringIdsPerUrl: number,
): Promise<Workload[]> {
  const ispringIds = organisation.ispring.users.map((user) => `ispring:${user.userId}`);
  const thriveIds = organisation.thrive.users.map((user) => `thrive:${user.id}`);

  const w1i = pickW1User('ispring', ispringIds, directory);
  const w1t = pickW1User('thrive', thriveIds, directory);

  // W2: the first 100 users of each provider, as test/subgraph/batching.test.ts does.
  const w2i = ispringIds.slice(0, 100);
  const w2t = thriveIds.slice(0, 100);

  // W3: 500 representations, 250 per provider; 20 % of all are repeats (50 per provider) of the
  // 200 distinct users of each provider; interleaved by a fixed shuffle.
  const perProvider = W3_REPRESENTATIONS / 2;
  const uniquePerProvider = perProvider - (W3_REPRESENTATIONS * W3_REPEATED_SHARE) / 2;
  if (ispringIds.length < uniquePerProvider || thriveIds.length < uniquePerProvider) {
    throw new Error(`W3 needs ${uniquePerProvider} distinct users per provider.`);
  }
  const withRepeats = (ids: readonly string[]) => {
    const unique = ids.slice(0, uniquePerProvider);
    const repeats = Array.from(
      { length: perProvider - uniquePerProvider },
      (_, i) => unique[(i * 4) % unique.length]!,
    );
    return [...unique, ...repeats];
  };
  const representations = shuffled([...withRepeats(ispringIds), ...withRepeats(thriveIds)], 3).map((id) => ({
    __typename: 'User',
    id,
  }));

  return [
    {
      id: 'W1-ispring',
      title: `W1 user(id) iSpring: ${w1i.displayName}`,
      body: body(W1_QUERY, { id: w1i.id }),
      minimum: await minimumForOneUser(w1i),
    },
    {
      id: 'W1-thrive',
      title: `W1 user(id) Thrive: ${w1t.displayName}`,
      body: body(W1_QUERY, { id: w1t.id }),
      minimum: await minimumForOneUser(w1t),
    },
    {
      id: 'W2-ispring',
      title: 'W2 users(100 iSpring ids), 3 manager levels, department, groups',
      body: body(W2_QUERY, { ids: w2i }),
      minimum: await minimumForPage('ispring', w2i, directory, ispringIdsPerUrl),
    },
    {
      id: 'W2-thrive',
      title: 'W2 users(100 Thrive ids), 3 manager levels, department, groups',
      body: body(W2_QUERY, { ids: w2t }),
      minimum: await minimumForPage('thrive', w2t, directory, ispringIdsPerUrl),
    },
    {
      id: 'W3',
      title: `W3 _entities: ${W3_REPRESENTATIONS} User representations, 250 per provider, 20 % repeated`,
      body: body(W3_QUERY, { representations }),
      minimum: minimumForEntities(uniquePerProvider, uniquePerProvider, ispringIdsPerUrl),
    },
  ];
}
