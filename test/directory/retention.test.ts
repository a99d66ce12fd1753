import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInMemoryDirectory } from '../../src/dev/bench/directory.ts';
import { DirectoryIndex } from '../../src/directory/index-store.ts';
import type { DepartmentModel, UserModel } from '../../src/models.ts';
import { createIspringProvider } from '../../src/providers/ispring/index.ts';
import { createThriveProvider } from '../../src/providers/thrive/index.ts';
import type { ProviderListing } from '../../src/providers/types.ts';
import { SecretRedactor } from '../../src/redaction.ts';
import { sandboxProviderConfigs, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { createDemoOrganisation } from '../../src/sandbox/seed/index.ts';
import { heapAfterCollection } from '../helpers/heap.ts';
import { recordingObserver } from '../helpers/observer.ts';

/**
 * What the index keeps alive. A string parsed out of a response body is often a slice of it (the
 * XML parser cuts every text out of the body), and V8 keeps the whole body for as long as one slice
 * lives: one user kept from a page of 1,000 would keep the page. Here a single user of each page
 * is put into the index, by the sync's path (`prepare`, then `putUsers`) and by the live path's
 * (`putUsers` alone), everything else is dropped, and the heap after a full collection must have
 * grown by far less than the pages it was read from.
 */

const USERS = 5000;
const PAGE_SIZE = 1000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ users: USERS });
}, 60_000);
afterAll(() => sandbox.close());

function listingOf(provider: 'thrive' | 'ispring'): ProviderListing {
  const options = { redactor: new SecretRedactor([]), observer: recordingObserver().observer };
  const configs = sandboxProviderConfigs(sandbox, { thrive: 'basic', ispring: 'headers' });
  return provider === 'thrive'
    ? createThriveProvider({ ...configs.thrive, userPageSize: PAGE_SIZE }, options).listing
    : createIspringProvider({ ...configs.ispring, userPageSize: PAGE_SIZE }, options).listing;
}

/**
 * Reads every page and keeps the first user of each (`keep`); returns how many pages there were
 * and how many bytes of body their users came in (the bytes of the users as JSON, a lower bound of
 * the body's own size).
 */
async function keepOnePerPage(listing: ProviderListing, keep: (users: UserModel[]) => void) {
  let cursor: string | null = null;
  let pages = 0;
  let bytes = 0;
  do {
    const page = await listing.readUsersPage(cursor);
    pages += 1;
    bytes += JSON.stringify(page.users).length;
    keep(page.users.slice(0, 1));
    cursor = page.next;
  } while (cursor !== null);
  return { pages, bytes };
}

describe.each(['ispring', 'thrive'] as const)('the index keeps no page of %s alive', (provider) => {
  for (const path of ['sync', 'live'] as const) {
    it(`for the users it holds, put by the ${path} path`, async () => {
      const listing = listingOf(provider);
      const index = new DirectoryIndex();
      // Warm-up: the first read loads code and fills caches that would count as growth.
      await keepOnePerPage(listing, () => {});
      const before = heapAfterCollection();
      const { pages, bytes } = await keepOnePerPage(listing, (users) => {
        const put = path === 'sync' ? index.prepare(users) : users;
        index.putUsers(put, Date.now());
      });
      const grown = heapAfterCollection() - before;

      expect(pages).toBeGreaterThanOrEqual(USERS / PAGE_SIZE);
      expect(index.userCount(provider)).toBe(pages);
      // Each page is at least some hundreds of kilobytes; the users kept, a few kilobytes each.
      expect(bytes / pages).toBeGreaterThan(200_000);
      expect(grown).toBeLessThan(bytes / 10);
    }, 60_000);
  }
});

describe('the index keeps one string per department, title and manager', () => {
  it('however many users mention them', () => {
    // Every user names the same department (as its own, its position's and its manager rule's) and
    // the same job title, each as a string of its own, as users parsed from separate pages do.
    const demo = ispringDemoModels();
    const department = { ...demo.department, id: `ispring:${'d'.repeat(2000)}` };
    const title = 'T'.repeat(2000);
    const count = 2000;
    const mentionsBytes = count * 4 * 2000;
    const index = new DirectoryIndex();
    index.replaceCatalog('ispring', [department], []);
    const template = demo.user;
    const before = heapAfterCollection();
    for (let n = 0; n < count; n += 1) {
      const user: UserModel = {
        ...template,
        id: `ispring:user-${n}`,
        externalId: `user-${n}`,
        email: `user${n}@example.test`,
        departmentId: department.id,
        jobTitle: title,
        managerRules: [{ kind: 'department', departmentId: department.id, slot: 'supervisor' }],
        positions: [
          {
            title: null,
            departmentId: department.id,
            manager: { kind: 'department', departmentId: department.id, slot: 'supervisor' },
            isPrimary: true,
            isActive: true,
            startDate: null,
            endDate: null,
          },
        ],
      };
      // Parsed from text, as a provider's answer is: strings of its own, not the template's.
      index.putUsers([JSON.parse(JSON.stringify(user)) as UserModel], Date.now());
    }
    const grown = heapAfterCollection() - before;
    expect(index.userCount('ispring')).toBe(count);
    expect(index.user(`ispring:user-0`)?.user.departmentId).toBe(department.id);
    // Shared, the mentions cost nothing; the rest of a user costs some kilobytes.
    expect(grown).toBeLessThan(mentionsBytes / 2);
  });
});

/** An iSpring user and department of the demo organisation, as the mappers make them. */
function ispringDemoModels(): { user: UserModel; department: DepartmentModel } {
  const demo = createInMemoryDirectory(createDemoOrganisation());
  const isIspring = (model: { provider: string }) => model.provider === 'ispring';
  return {
    user: [...demo.users.values()].find(isIspring)!,
    department: [...demo.departments.values()].find(isIspring)!,
  };
}
