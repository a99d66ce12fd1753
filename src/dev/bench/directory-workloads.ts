import { foldForSearch } from '../../directory/text.js';
import { resolveManagerRuleNow } from '../../manager-walk.js';
import { NO_MANAGER, type ProviderName, type UserModel } from '../../models.js';
import type { DemoOrganisation } from '../../sandbox/seed/index.js';
import type { InMemoryDirectory } from './directory.js';
import { createPlainDirectory } from './plain-directory.js';
import { pickW1User, W1_QUERY } from './workloads.js';
import { PersonIds, personIdKey } from '../../directory/person-ids.js';

/**
 * The directory's workloads (README, "Benchmark"), chosen from the organisation's models before
 * anything is measured, the same way at the bench organisation's size and at the large one's:
 *
 * - D1 `searchUsers(query, first: 20)` of a query (one word, or a first name and the start of a
 *   last name: every word a prefix, as the directory searches) matching a few dozen users;
 * - D2 `directReports(first: 50)` of the user with the most direct reports;
 * - D3 an org chart, five levels of `directReports(first: 100)` below the user whose whole subtree
 *   (everyone who reports to them, directly or not, and themselves) is nearest 1,000 people (in a
 *   smaller organisation: the biggest subtree);
 * - D4 the W1 query, `user(id)`, of W1's user of each provider (in the large organisation, whose
 *   Thrive users are all in their division's audience too, the first with a department and a
 *   group), answered from the index.
 *
 * Managers are resolved as `User.manager` and the plain directory resolve them (the primary rule,
 * walked over the departments); search totals are the plain directory's, the rule B1 answers by.
 */

export type DirectoryWorkloadId = 'D1' | 'D2' | 'D3' | 'D4-ispring' | 'D4-thrive';

export interface DirectoryWorkload {
  readonly id: DirectoryWorkloadId;
  readonly title: string;
  /** The POST body sent to /graphql. */
  readonly body: string;
}

export interface DirectoryWorkloads {
  readonly workloads: readonly DirectoryWorkload[];
  /** D1's query and how many users match it (by B1's rule). */
  readonly search: { readonly query: string; readonly total: number };
  /** D2's user and their number of direct reports. */
  readonly mostReports: { readonly id: string; readonly displayName: string; readonly reports: number };
  /** D3's root and the size of their whole subtree (themselves included). */
  readonly orgChart: { readonly id: string; readonly displayName: string; readonly subtree: number };
}

/** D1 aims at this many matches ("a few dozen"), and takes a query within the range. */
const SEARCH_TARGET = { aim: 36, min: 24, max: 48 } as const;
/** Candidates whose match count is worked out exactly (with B1's rule), nearest the aim first. */
const EXACT_TRIES = 40;
export const ORG_CHART_AIM = 1000;
export const ORG_CHART_LEVELS = 5;

const SEARCH_QUERY = `query D1($query: String!, $first: Int!) {
  searchUsers(query: $query, first: $first) { totalCount nodes { id displayName } }
}`;

const REPORTS_QUERY = `query D2($id: ID!) {
  user(id: $id) { id displayName directReports(first: 50) { totalCount nodes { id displayName } } }
}`;

/** Five levels of `directReports(first: 100)` below one user. */
function orgChartQuery(levels: number): string {
  let selection = 'id displayName';
  for (let level = 0; level < levels; level += 1) {
    selection = `id displayName directReports(first: 100) { totalCount nodes { ${selection} } }`;
  }
  return `query D3($id: ID!) {\n  user(id: $id) { ${selection} }\n}`;
}

const body = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

export function createDirectoryWorkloads(
  organisation: DemoOrganisation,
  models: InMemoryDirectory,
): DirectoryWorkloads {
  const users = [...models.users.values()];
  const plain = createPlainDirectory(
    users,
    [...models.departments.values()],
    [...models.groups.values()],
    new PersonIds(personIdKey('bench person ids', [])),
  );
  const searchTotal = (query: string) => {
    const found = plain.searchUsers(query, {});
    return found.ranked ? found.ids.length : found.sortKeys.length;
  };
  const candidates = searchCandidates(users);
  const search = pickQuery(candidates, SEARCH_TARGET, searchTotal);

  const managers = managersOf(models);
  const reportCounts = new Map<string, number>();
  for (const manager of managers.values()) {
    if (manager !== null) reportCounts.set(manager, (reportCounts.get(manager) ?? 0) + 1);
  }
  const [mostId, mostCount] = [...reportCounts].reduce((best, entry) =>
    entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0]) ? entry : best,
  );
  const subtrees = subtreeSizes(managers);
  const [rootId, rootSize] = [...subtrees].reduce((best, entry) => {
    const distance = Math.abs(entry[1] - ORG_CHART_AIM);
    const bestDistance = Math.abs(best[1] - ORG_CHART_AIM);
    return distance < bestDistance || (distance === bestDistance && entry[0] < best[0]) ? entry : best;
  });

  const d4 = (provider: ProviderName): DirectoryWorkload => {
    const ids =
      provider === 'ispring'
        ? organisation.ispring.users.map((user) => `ispring:${user.userId}`)
        : organisation.thrive.users.map((user) => `thrive:${user.id}`);
    const user = d4User(provider, ids, models);
    return {
      id: provider === 'ispring' ? 'D4-ispring' : 'D4-thrive',
      title: `D4 user(id) from the index (the W1 query), ${provider === 'ispring' ? 'iSpring' : 'Thrive'}: ${user.displayName}`,
      body: body(W1_QUERY, { id: user.id }),
    };
  };
  const nameOf = (id: string) => models.users.get(id)!.displayName;

  return {
    workloads: [
      {
        id: 'D1',
        title: `D1 searchUsers(query: ${JSON.stringify(search.query)}, first: 20): ${search.total} matches`,
        body: body(SEARCH_QUERY, { query: search.query, first: 20 }),
      },
      {
        id: 'D2',
        title: `D2 directReports(first: 50) of ${nameOf(mostId)}, who has the most (${mostCount})`,
        body: body(REPORTS_QUERY, { id: mostId }),
      },
      {
        id: 'D3',
        title: `D3 org chart: ${ORG_CHART_LEVELS} levels of directReports(first: 100) below ${nameOf(rootId)} (a subtree of ${rootSize} people)`,
        body: body(orgChartQuery(ORG_CHART_LEVELS), { id: rootId }),
      },
      d4('ispring'),
      d4('thrive'),
    ],
    search,
    mostReports: { id: mostId, displayName: nameOf(mostId), reports: mostCount },
    orgChart: { id: rootId, displayName: nameOf(rootId), subtree: rootSize },
  };
}

/** W1's user where there is one; else the first user with a department and a group. */
function d4User(provider: ProviderName, ids: readonly string[], models: InMemoryDirectory): UserModel {
  try {
    return pickW1User(provider, ids, models);
  } catch {
    for (const id of ids) {
      const user = models.users.get(id);
      if (!user || user.departmentId === null || !models.departments.has(user.departmentId)) continue;
      if (user.groupIds.some((group) => group !== user.departmentId && models.groups.has(group))) return user;
    }
    throw new Error(`D4: no ${provider} user with a department and a group in the organisation.`);
  }
}

/**
 * Queries built from users' names and emails, each with how many users it matches by those alone
 * (an estimate: a query can match a login or ref too, which B1's count then includes). The words
 * are those of the display name and of the email's local part (`ana.wood17`: ana, wood17); the
 * queries, every prefix of two letters or more of a word, and the first name followed by the
 * start of another word. In a large organisation every first and last name is shared by dozens of
 * people; the emails' numbers (`wood17`) tell them apart.
 */
function searchCandidates(users: readonly UserModel[]): Map<string, number> {
  const wordsOf = (text: string) =>
    foldForSearch(text)
      .split(/[\s\p{P}\p{Z}]+/u)
      .filter((word) => word !== '');
  const counts = new Map<string, number>();
  for (const user of users) {
    const name = wordsOf(user.displayName);
    const email = user.email ? wordsOf(user.email.slice(0, Math.max(0, user.email.indexOf('@')))) : [];
    const words = new Set([...name, ...email]);
    const mine = new Set<string>();
    for (const word of words) {
      for (let length = 2; length <= word.length; length += 1) mine.add(word.slice(0, length));
    }
    const first = name[0];
    for (const word of words) {
      if (first === undefined || word === first) continue;
      for (let length = 1; length <= word.length; length += 1) mine.add(`${first} ${word.slice(0, length)}`);
    }
    for (const query of mine) counts.set(query, (counts.get(query) ?? 0) + 1);
  }
  return counts;
}

/**
 * The candidate nearest `target.aim` whose exact total (B1's rule) is within the target's range:
 * candidates are tried nearest the aim first (then shorter, then in code-unit order); failing
 * that, the nearest exact total found, as long as it is from 1 to `target.max`.
 */
function pickQuery(
  candidates: ReadonlyMap<string, number>,
  target: { aim: number; min: number; max: number },
  exactTotal: (query: string) => number,
): { query: string; total: number } {
  const ordered = [...candidates]
    .sort(
      ([a, countA], [b, countB]) =>
        Math.abs(countA - target.aim) - Math.abs(countB - target.aim) ||
        a.length - b.length ||
        (a < b ? -1 : a > b ? 1 : 0),
    )
    .slice(0, EXACT_TRIES);
  let nearest: { query: string; total: number } | undefined;
  for (const [query] of ordered) {
    const total = exactTotal(query);
    if (total >= target.min && total <= target.max) return { query, total };
    if (total >= 1 && total <= target.max) {
      if (!nearest || Math.abs(total - target.aim) < Math.abs(nearest.total - target.aim))
        nearest = { query, total };
    }
  }
  if (nearest) return nearest;
  throw new Error(`No search query of the organisation matches ${target.min} to ${target.max} users.`);
}

/** Each user's manager as `User.manager` resolves it, when that manager is a user of the organisation. */
function managersOf(models: InMemoryDirectory): Map<string, string | null> {
  const managers = new Map<string, string | null>();
  for (const user of models.users.values()) {
    const id = resolveManagerRuleNow(
      { rule: user.managerRules[0] ?? NO_MANAGER, subjectId: user.id },
      (departmentId) => models.departments.get(departmentId) ?? null,
    );
    managers.set(user.id, id !== null && models.users.has(id) ? id : null);
  }
  return managers;
}

/**
 * The size of every user's subtree (themselves and everyone below them), leaves first. Users on a
 * loop of managers (none in the organisations the bench builds, but the data allows it) are left
 * out: their subtree has no root.
 */
function subtreeSizes(managers: ReadonlyMap<string, string | null>): Map<string, number> {
  const pending = new Map<string, number>();
  for (const manager of managers.values()) {
    if (manager !== null) pending.set(manager, (pending.get(manager) ?? 0) + 1);
  }
  const sizes = new Map<string, number>();
  const ready = [...managers.keys()].filter((id) => !pending.has(id));
  for (const id of ready) sizes.set(id, 1);
  while (ready.length > 0) {
    const id = ready.pop()!;
    const manager = managers.get(id) ?? null;
    if (manager === null) continue;
    sizes.set(manager, (sizes.get(manager) ?? 1) + sizes.get(id)!);
    const left = pending.get(manager)! - 1;
    pending.set(manager, left);
    if (left === 0) ready.push(manager);
  }
  for (const [id, left] of pending) if (left > 0) sizes.delete(id);
  return sizes;
}

// ---------------------------------------------------------------------------------------------
// Answers

/** How many users an org chart answer (D3) shows, its root included. */
export function peopleInOrgChart(answer: unknown): number {
  interface Node {
    readonly directReports?: { readonly nodes: readonly Node[] };
  }
  const count = (node: Node | null | undefined): number =>
    node ? 1 + (node.directReports?.nodes ?? []).reduce((sum, child) => sum + count(child), 0) : 0;
  return count((answer as { data?: { user?: Node } }).data?.user);
}
