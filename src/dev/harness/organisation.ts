import {
  createDemoOrganisation,
  createLargeOrganisation,
  type DemoOrganisation,
} from '../../sandbox/seed/index.js';

/**
 * The organisation the bench serves: the sandbox's demo organisation, then deterministic copies of
 * its users appended after the originals, so that W3 (500 `_entities` representations, half per
 * provider, 20 % repeated, i.e. 200 distinct users per provider) has enough distinct users. The demo
 * organisation has 160 Thrive and 171 iSpring users.
 *
 * A copy is its original with a new id, a new email, login and ref, and everything else the same:
 * the same departments, groups, positions and managers. Nobody names a copy as a manager or a
 * supervisor, so the originals answer exactly as in the demo organisation, and W1/W2 (which use the
 * first users) are the same as on `npm start`. The sandbox process and the baseline B1 both build
 * it with this function, so they serve the same data.
 */

/** Users per provider in the bench organisation (originals first, copies after). */
export const BENCH_USERS_PER_PROVIDER = 240;

export function createBenchOrganisation(): DemoOrganisation {
  const organisation = createDemoOrganisation();
  const thrive = organisation.thrive.users;
  const ispring = organisation.ispring.users;

  for (let copy = 0; thrive.length < BENCH_USERS_PER_PROVIDER; copy += 1) {
    const original = thrive[copy % thrive.length]!;
    const clone = structuredClone(original);
    const n = String(copy + 1).padStart(4, '0');
    clone.id = `be9c0000000000000000${n}`; // 24 characters, like Thrive's Mongo ids
    if (clone.ref != null) clone.ref = `bench-copy-${n}`;
    if (clone.email != null) clone.email = `bench.copy.${n}@northwind.example`;
    thrive.push(clone);
  }

  for (let copy = 0; ispring.length < BENCH_USERS_PER_PROVIDER; copy += 1) {
    const original = ispring[copy % ispring.length]!;
    const clone = structuredClone(original);
    const n = String(copy + 1).padStart(12, '0');
    clone.userId = `be9c0000-0000-4000-8000-${n}`;
    clone.fields = (clone.fields ?? []).map((field) => {
      const name = field.name.trim().toUpperCase();
      if (name === 'EMAIL' && field.value) return { ...field, value: `bench.copy.${n}@northwind.example` };
      if (name === 'LOGIN' && field.value) return { ...field, value: `bench.copy.${n}` };
      return field;
    });
    ispring.push(clone);
  }
  return organisation;
}

/**
 * The organisation a bench process serves: the bench organisation, or with `users` the sandbox's
 * large organisation of that many users per provider (`createLargeOrganisation`, the function
 * `startSandbox({ users })` builds it with), so that the sandbox process and B1 hold the same data.
 */
export function organisationFor(users: number | undefined): DemoOrganisation {
  return users === undefined ? createBenchOrganisation() : createLargeOrganisation(users);
}
