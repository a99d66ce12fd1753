import { PROVIDER_NAMES } from '../provider-facts.js';
import { isValidExternalId } from '../ids.js';
import {
  USER_STATUS_VALUES,
  type DepartmentModel,
  type GroupModel,
  type ManagerRule,
  type ProviderName,
  type UserModel,
} from '../models.js';
import { array, boolean, fail, field, nullable, object, string, type Json, type Reader } from '../payload.js';
import type { CacheEntry, CacheKind } from './store.js';

/**
 * Entries read back from a shared store (Redis) are checked before they are used: a value of the
 * right kind but the wrong shape (written by another version, or by anyone who can write to that
 * Redis) would otherwise be served until its TTL, as a sticky internal error or as text it carries;
 * and an entry under one user's key that holds another user is someone else's record. The checks
 * are the same kind of guards the providers' payloads pass (`providers/payload.ts`), on the models.
 *
 * `checkEntry` gives the entry when it may be used, or why not.
 */
export function checkEntry(
  key: string,
  entry: unknown,
): { ok: true; entry: CacheEntry } | { ok: false; kind: string; why: string } {
  const expected = expectedOf(key);
  const kindOf =
    typeof (entry as { kind?: unknown } | null)?.kind === 'string'
      ? (entry as { kind: string }).kind
      : 'unknown';
  try {
    const source = object(entry, '');
    const kind = field(source, 'kind', '', string);
    if (expected !== undefined && kind !== expected.kind)
      return fail('kind', `"${expected.kind}" (the key's kind)`, kind);
    const value = source.value;
    switch (kind as CacheKind) {
      case 'user':
        if (value !== null) sameEntity(readUser(value, 'value'), expected);
        break;
      case 'department':
        if (value !== null) sameEntity(readDepartment(value, 'value'), expected);
        break;
      case 'group':
        if (value !== null) sameEntity(readGroup(value, 'value'), expected);
        break;
      case 'departments':
        for (const department of array(readDepartment)(value, 'value')) sameProvider(department, expected);
        break;
      case 'groups':
        for (const group of array(readGroup)(value, 'value')) sameProvider(group, expected);
        break;
      case 'token':
        string(value, 'value');
        break;
      default:
        return fail('kind', 'a kind of cache entry', kind);
    }
    return { ok: true, entry: entry as CacheEntry };
  } catch (error) {
    return { ok: false, kind: kindOf, why: error instanceof Error ? error.message : 'unreadable' };
  }
}

/** What a key says its entry holds: `user:<provider>:<id>`, `departments:<provider>`, `token:…`. */
function expectedOf(key: string): { kind: string; provider?: ProviderName; externalId?: string } | undefined {
  const [kind, provider, ...rest] = key.split(':');
  if (kind === undefined) return undefined;
  if (kind === 'token') return { kind };
  if (!PROVIDER_NAMES.includes(provider as ProviderName)) return { kind };
  return rest.length === 0
    ? { kind, provider: provider as ProviderName }
    : { kind, provider: provider as ProviderName, externalId: rest.join(':') };
}

function sameEntity(
  entity: { id: string; provider: ProviderName; externalId: string },
  expected: ReturnType<typeof expectedOf>,
): void {
  sameProvider(entity, expected);
  if (expected?.externalId !== undefined && entity.externalId !== expected.externalId) {
    fail('value.externalId', "the key's id", entity.externalId);
  }
}

function sameProvider(entity: { provider: ProviderName }, expected: ReturnType<typeof expectedOf>): void {
  if (expected?.provider !== undefined && entity.provider !== expected.provider) {
    fail('value.provider', `"${expected.provider}" (the key's provider)`, entity.provider);
  }
}

// --- models ----------------------------------------------------------------------------------

const optionalText = nullable(string);

const providerName: Reader<ProviderName> = (value, path) =>
  PROVIDER_NAMES.includes(value as ProviderName)
    ? (value as ProviderName)
    : fail(path, 'a provider name', value);

/** `<provider>:<id in its alphabet>`, the only ids models hold. */
const globalId: Reader<string> = (value, path) => {
  const text = string(value, path);
  const separator = text.indexOf(':');
  const provider = text.slice(0, separator) as ProviderName;
  return separator > 0 &&
    PROVIDER_NAMES.includes(provider) &&
    isValidExternalId(provider, text.slice(separator + 1))
    ? text
    : fail(path, 'a global id', value);
};

/** ISO-8601 date-times, as the mappers write them and the DateTime scalar serves them. */
const dateTime: Reader<string | null> = (value, path) =>
  value === null ||
  (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value))
    ? value
    : fail(path, 'an ISO-8601 date-time or null', value);

const USER_STATUSES: ReadonlySet<string> = new Set(USER_STATUS_VALUES);

const managerRule: Reader<ManagerRule> = (value, path) => {
  const source = object(value, path);
  switch (source.kind) {
    case 'none':
      return { kind: 'none' };
    case 'user':
      return { kind: 'user', userId: field(source, 'userId', path, globalId) };
    case 'department': {
      const slot = field(source, 'slot', path, string);
      if (slot !== 'supervisor' && slot !== 'functional')
        return fail(`${path}.slot`, 'supervisor or functional', slot);
      return { kind: 'department', departmentId: field(source, 'departmentId', path, globalId), slot };
    }
    default:
      return fail(`${path}.kind`, 'none, user or department', source.kind);
  }
};

function identity(source: Json, path: string): { id: string; provider: ProviderName; externalId: string } {
  const id = field(source, 'id', path, globalId);
  const provider = field(source, 'provider', path, providerName);
  const externalId = field(source, 'externalId', path, string);
  if (id !== `${provider}:${externalId}`) fail(`${path}.id`, '"<provider>:<externalId>"', id);
  return { id, provider, externalId };
}

function readUser(value: unknown, path: string): UserModel {
  const source = object(value, path);
  identity(source, path);
  for (const name of [
    'ref',
    'login',
    'email',
    'firstName',
    'lastName',
    'jobTitle',
    'phone',
    'country',
    'languageCode',
    'timeZone',
    'role',
    'providerStatus',
  ]) {
    field(source, name, path, optionalText);
  }
  field(source, 'displayName', path, string);
  const status = field(source, 'status', path, string);
  if (!USER_STATUSES.has(status)) fail(`${path}.status`, 'a UserStatus', status);
  field(source, 'createdAt', path, dateTime);
  field(source, 'lastLoginAt', path, dateTime);
  field(
    source,
    'positions',
    path,
    array((item, at) => {
      const position = object(item, at);
      field(position, 'title', at, optionalText);
      field(position, 'departmentId', at, nullable(globalId));
      field(position, 'manager', at, managerRule);
      field(position, 'isPrimary', at, boolean);
      field(position, 'isActive', at, boolean);
      field(position, 'startDate', at, dateTime);
      field(position, 'endDate', at, dateTime);
      return position;
    }),
  );
  field(source, 'managerRules', path, array(managerRule));
  field(source, 'departmentId', path, nullable(globalId));
  field(source, 'groupIds', path, array(globalId));
  field(source, 'manageableDepartmentIds', path, array(globalId));
  field(
    source,
    'customFields',
    path,
    array((item, at) => {
      const custom = object(item, at);
      field(custom, 'name', at, string);
      field(custom, 'value', at, optionalText);
      return custom;
    }),
  );
  return source as unknown as UserModel;
}

function readDepartment(value: unknown, path: string): DepartmentModel {
  const source = object(value, path);
  identity(source, path);
  field(source, 'name', path, optionalText);
  field(source, 'code', path, optionalText);
  field(source, 'parentId', path, nullable(globalId));
  if (source.parentUnknown !== undefined) boolean(source.parentUnknown, `${path}.parentUnknown`);
  field(source, 'supervisor', path, managerRule);
  field(source, 'functionalManager', path, managerRule);
  return source as unknown as DepartmentModel;
}

function readGroup(value: unknown, path: string): GroupModel {
  const source = object(value, path);
  identity(source, path);
  field(source, 'name', path, optionalText);
  field(source, 'isSmart', path, nullable(boolean));
  field(source, 'parentId', path, nullable(globalId));
  if (source.parentUnknown !== undefined) boolean(source.parentUnknown, `${path}.parentUnknown`);
  return source as unknown as GroupModel;
}
