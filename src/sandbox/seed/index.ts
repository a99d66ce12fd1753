import type { DemoAnchors } from './anchors.js';
import { generateIspring } from './ispring.js';
import type { DemoOrganisation } from './organisation.js';
import { People, sharedPeople } from './people.js';
import { Ids, Random } from './random.js';
import { generateThrive } from './thrive.js';

export type { DemoAnchors } from './anchors.js';
export { checkSandboxUsers, createLargeOrganisation, MAX_SANDBOX_USERS } from './large.js';
export type {
  DemoOrganisation,
  ThriveAudienceManagerPermissions,
  ThriveAudienceManagerSeed,
} from './organisation.js';

/**
 * The deterministic demo organisation both sandbox providers serve: one company, "Northwind", whose
 * people are in iSpring Learn (a department tree) and in Thrive Learning (audiences and positions),
 * about fifty of them in both. Every record is typed with the providers' wire types and holds the
 * variants the public sources document, so that every mapping rule (the schema's descriptions) has
 * data to work on. A seeded PRNG (mulberry32) makes it the same on every call and every machine:
 * nothing here reads the clock or `Math.random`.
 *
 * iSpring is generated first, then Thrive from the same PRNG, so the order of the draws (and so
 * every id) depends on both; ispring.ts and thrive.ts say the order of their steps.
 */

/** The seed of the PRNG: change it and every id changes. */
const SEED = 0x5eed_2024;

export function createDemoOrganisation(): DemoOrganisation {
  return generate().organisation;
}

function generate(): { organisation: DemoOrganisation; anchors: DemoAnchors } {
  const random = new Random(SEED);
  const ids = new Ids(random);
  const people = new People(random);
  const ispring = generateIspring(random, ids, people);
  const thrive = generateThrive(random, ids, people, sharedPeople(ispring.shareable));
  return {
    organisation: {
      thrive: { users: thrive.users, audiences: thrive.audiences, audienceManagers: thrive.audienceManagers },
      ispring: { users: ispring.users, departments: ispring.departments, groups: ispring.groups },
    },
    anchors: { ispring: ispring.anchors, thrive: thrive.anchors, sharedEmail: thrive.sharedEmail },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The anchors of `createDemoOrganisation()`'s data (the same on every call). */
export const DEMO: DemoAnchors = deepFreeze(generate().anchors);
