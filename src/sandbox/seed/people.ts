import type { Random } from './random.js';

/**
 * People and dates of the demo organisation: names (with the non-ASCII, apostrophe and hyphen cases
 * the mappings must carry), unique emails, dates in each vendor's format, and who is in both.
 */

const EMAIL_DOMAIN = 'northwind.example';
/** How many people are in both providers. */
const SHARED_PEOPLE = 50;

export const DAY_MS = 86_400_000;
/** 2019-01-01T00:00:00Z: every date of the demo organisation is after it. */
const EPOCH_MS = Date.UTC(2019, 0, 1);

/** A whole-second instant some days after the epoch. */
export function instant(random: Random, fromDay: number, toDay: number): number {
  return EPOCH_MS + random.int(fromDay, toDay) * DAY_MS + random.int(6 * 3600, 19 * 3600) * 1000;
}

/** `2021-01-01T09:00:00Z`, as Thrive's samples write it. */
export function thriveDate(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `2021-09-14`, as iSpring's samples write dates. */
export function ispringDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `2021-09-14T08:30:00+00:00`, the date-time form iSpring uses elsewhere. */
export function ispringDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

export interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

// prettier-ignore
export const FIRST_NAMES = [
  'Olivia', 'Liam', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Ava', 'George', 'Mia', 'Arthur',
  'Freya', 'Leo', 'Grace', 'Harry', 'Lily', 'Oscar', 'Ella', 'Jack', 'Sophia', 'Henry',
  'Ivy', 'Charlie', 'Florence', 'Theo', 'Willow', 'Alfie', 'Evie', 'Jacob', 'Daisy', 'Thomas',
  'Zoë', 'José', 'Siobhán', 'Ngozi', 'Björn', 'Amélie', 'Priya', 'Mateo', 'Aisha', 'Hiroshi',
  'Elena', 'Kwame', 'Ingrid', 'Rafael', 'Mei', 'Dmitri', 'Chloé', 'Tomasz', 'Fatima', 'Lars',
  'Ana', 'Yusuf', 'Nora', 'Pedro', 'Hannah', 'Samuel', 'Leila', 'Finn', 'Ruth', 'Omar',
] as const;

// prettier-ignore
export const LAST_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Patel', 'Robinson',
  'Wright', 'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson',
  'Clarke', 'Müller', 'Núñez', "O'Brien", 'Okafor-Smith', 'Ångström', 'Lefèvre', 'Kowalski', 'Rossi', 'García',
  'Nakamura', 'Chen', 'Mensah', 'Ivanova', 'Haddad', 'Lindqvist', 'Moreau', 'Silva', 'Novak', 'Khan',
  'Schmidt', 'Dubois', 'Costa', 'Fischer', 'Yilmaz', 'Murphy', 'Kelly', 'Byrne', 'Ahmed', 'Singh',
  'Martin', 'Bennett', 'Cooper', 'Hughes', 'Price', 'Reid', 'Fraser', 'Baker',
] as const;

export function asciiWord(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '');
}

export class People {
  private readonly names = new Set<string>();
  private readonly emails = new Set<string>();

  constructor(private readonly random: Random) {}

  next(fixed?: { firstName: string; lastName: string }): Person {
    for (;;) {
      const firstName = fixed?.firstName ?? this.random.pick(FIRST_NAMES);
      const lastName = fixed?.lastName ?? this.random.pick(LAST_NAMES);
      const name = `${firstName} ${lastName}`;
      if (this.names.has(name) && !fixed) continue;
      this.names.add(name);
      const local = `${asciiWord(firstName)}.${asciiWord(lastName)}`;
      let email = `${local}@${EMAIL_DOMAIN}`;
      for (let n = 2; this.emails.has(email); n += 1) email = `${local}${n}@${EMAIL_DOMAIN}`;
      this.emails.add(email);
      return { firstName, lastName, email };
    }
  }
}

/**
 * The people in both providers, from iSpring's shareable members: every third one, then the rest
 * in order, until there are enough.
 */
export function sharedPeople<T>(candidates: readonly T[]): T[] {
  return [...candidates.filter((_, i) => i % 3 === 1), ...candidates.filter((_, i) => i % 3 !== 1)].slice(
    0,
    SHARED_PEOPLE,
  );
}
