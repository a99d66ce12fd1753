import { PayloadShapeError } from '../../errors.js';
import { isValidExternalId } from '../../ids.js';
import {
  array,
  copy,
  fail,
  field,
  lenientField,
  nonEmptyString,
  nullAsAbsent,
  nullable,
  object,
  string,
  type Json,
  type PayloadIssues,
  type Reader,
} from '../../payload.js';
import {
  childrenOf,
  fromXml,
  parseXml,
  repeatedFromXml,
  xmlList,
  xmlObject,
  xmlText,
  type XmlDocument,
  type XmlShape,
  type XmlValue,
} from '../xml.js';
import type {
  IspringDepartment,
  IspringDetailedGroup,
  IspringErrorBody,
  IspringGroup,
  IspringProfileField,
  IspringSubordination,
  IspringTokenResponse,
  IspringUserProfile,
  IspringUserRole,
  IspringUsersPage,
  IspringWorkLeaveStatus,
} from './wire.js';

/**
 * iSpring bodies → wire types, accepting every documented variant (README, "What real tenants send"):
 *
 * - XML (the API's default) and JSON, told apart by the body itself: a server may answer either
 *   whatever was asked for. XML is first turned into the JSON shape (`xml.ts`), then both go
 *   through the same guards.
 * - Envelopes: JSON bare or wrapped in `{"response": …}`; a list as a bare array, under its plural
 *   name (`departments`) or under the item's name (`department`), one item or many; XML items
 *   directly under `<response>` or under a plural wrapper (`<userProfiles>`, `<departments>`).
 * - Values: numbers as numbers or strings (`status`, `expires_in`), `isSmart` as true/false or 0/1,
 *   an empty element (`<parentDepartmentId/>`, `<lastLoginDate/>`) as absent, profile `fields` as
 *   name/value pairs or an object.
 *
 * Ids that become global ids must be iSpring ids (UUIDs). A value that is not the documented shape
 * throws `PayloadShapeError` naming its path and kind, never the value.
 */

const ISPRING_ID = 'an iSpring id (a UUID)';

export type IspringBody = { readonly format: 'json'; readonly json: unknown } | XmlBody;
interface XmlBody {
  readonly format: 'xml';
  readonly document: XmlDocument;
}

/** Reads a response body as XML or JSON, by its first character. */
export async function parseIspringBody(body: string): Promise<IspringBody> {
  const first = body.trimStart()[0];
  if (first === '<') return { format: 'xml', document: await parseXml(body) };
  if (first === '{' || first === '[') {
    try {
      return { format: 'json', json: JSON.parse(body) };
    } catch {
      throw new PayloadShapeError('(body)', 'a JSON document', `${body.length} characters that are not JSON`);
    }
  }
  throw new PayloadShapeError(
    '(body)',
    'an XML or JSON document',
    body.trim() === '' ? 'an empty body' : `${body.length} characters that are neither`,
  );
}

// --- XML shapes (users, departments, groups, as documented) ---------------------------------------

const IDS = xmlList('id', xmlText);
const SUBORDINATION_XML = xmlObject({ subordinationType: xmlText, supervisorId: xmlText });
const FIELD_XML = xmlObject({ name: xmlText, value: xmlText });
const USER_ROLE_XML = xmlObject({ roleId: xmlText, roleType: xmlText, manageableDepartmentIds: IDS });
const USER_XML = xmlObject({
  userId: xmlText,
  role: xmlText,
  roleId: xmlText,
  departmentId: xmlText,
  status: xmlText,
  fields: xmlList('field', FIELD_XML),
  addedDate: xmlText,
  lastLoginDate: xmlText,
  groups: IDS,
  manageableDepartmentIds: IDS,
  userRoles: xmlList('userRole', USER_ROLE_XML),
  subordination: SUBORDINATION_XML,
  coSubordination: SUBORDINATION_XML,
  workLeaveStatus: xmlObject({ workLeaveReason: xmlText, startDate: xmlText, endDate: xmlText }),
  securityPolicyAcceptanceDate: xmlText,
  personalDataConsentAcceptanceDate: xmlText,
  privacyPolicyConsentAcceptanceDate: xmlText,
});
const DEPARTMENT_XML = xmlObject({
  departmentId: xmlText,
  name: xmlText,
  parentDepartmentId: xmlText,
  code: xmlText,
  subordination: SUBORDINATION_XML,
  coSubordination: SUBORDINATION_XML,
});
const GROUP_XML = xmlObject({
  groupId: xmlText,
  name: xmlText,
  isSmart: xmlText,
  usersCount: xmlText,
  userIds: IDS,
});

/**
 * The documented root of every iSpring answer is `<response>` (a by-id answer may also be the item
 * itself). Anything else (an XHTML maintenance page, `<foo/>`) is not an answer, whatever its
 * status; nor is an error document (`<response><code>500</code><message>…`) sent with 200.
 */
function responseChildren(document: XmlDocument, what: string): Readonly<Record<string, XmlValue[]>> {
  if (document.rootName !== 'response') {
    throw new PayloadShapeError(
      '(body)',
      what,
      `an XML document whose root is <${shortName(document.rootName)}>`,
    );
  }
  const children = childrenOf(document.root);
  if (children.code !== undefined && children.message !== undefined) {
    throw new PayloadShapeError('(body)', what, `an iSpring error document${errorCodeOf(children.code)}`);
  }
  return children;
}

/**
 * The items of a list in an XML document: `item` elements under `<response>`, or under a `plural`
 * wrapper. `<response/>` with no children at all is the empty list only where `emptyIsAnAnswer`;
 * children that are neither (`<response><foo/></response>`) are not this list.
 */
function xmlItems(
  document: XmlDocument,
  plural: string,
  item: string,
  shape: XmlShape,
  emptyIsAnAnswer: boolean,
): unknown[] {
  const what = `a list of <${item}> under <response>`;
  const children = responseChildren(document, what);
  const wrapped = children[plural];
  if (wrapped !== undefined) {
    // `<departments>none</departments>`: text where the items should be is not this list. Read as
    // a list of one unreadable item, it became an empty list once that item was dropped.
    if (wrapped.some((occurrence) => typeof occurrence === 'string' && occurrence.trim() !== '')) {
      throw new PayloadShapeError(`response.${plural}`, `<${item}> elements`, 'text');
    }
    return fromXml(wrapped, xmlList(item, shape)) as unknown[];
  }
  if (children[item] !== undefined) return repeatedFromXml(children[item], shape);
  if (emptyIsAnAnswer && Object.keys(children).length === 0) return [];
  throw new PayloadShapeError('(body)', what, `<response> without <${plural}> or <${item}>`);
}

/** The one item of a by-id answer: `<response><item>…` or `<item>…` as the root. */
function xmlItem(document: XmlDocument, item: string, shape: XmlShape): unknown {
  if (document.rootName === item) return fromXml([document.root], shape);
  const occurrences = responseChildren(document, `<response><${item}>`)[item];
  if (occurrences === undefined) {
    throw new PayloadShapeError(`response.${item}`, `a <${item}> element`, 'no such element');
  }
  return fromXml(occurrences, shape);
}

function xmlScalars(document: XmlDocument, names: readonly string[], what: string): Json {
  const children = responseChildren(document, what);
  const out: Json = {};
  for (const name of names) {
    const value = fromXml(children[name], xmlText);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** ` (code 500)` from an error document's `<code>`, when it is a short number; never its message. */
function errorCodeOf(code: readonly XmlValue[] | unknown): string {
  const text = Array.isArray(code) ? fromXml(code as XmlValue[], xmlText) : code;
  return (typeof text === 'string' || typeof text === 'number') && /^\d{1,4}$/.test(String(text).trim())
    ? ` (code ${String(text).trim()})`
    : '';
}

function shortName(name: string): string {
  return name.length <= 40 ? name : `${name.slice(0, 40)}…`;
}

// --- JSON envelopes --------------------------------------------------------------------------

/** `{"response": X}` → X (the spec's JSON envelope); anything else as it is. */
function unwrapResponse(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'response') return (value as Json).response;
  }
  return value;
}

/** A JSON `ErrorResponse` (`{code, message}`) where an answer was expected is not one. */
function refuseJsonErrorDocument(body: unknown, what: string, expectedKeys: readonly string[]): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const source = body as Json;
  if (source.code === undefined || source.message === undefined) return;
  if (expectedKeys.some((key) => source[key] !== undefined)) return;
  throw new PayloadShapeError('(body)', what, `an iSpring error document${errorCodeOf(source.code)}`);
}

/**
 * A JSON list: a bare array, or under `plural` or `item` (an array or one object). An object that
 * holds neither (`{}`, an error document) and `null` are not this list.
 */
function jsonItems(value: unknown, plural: string, item: string): { items: unknown[]; path: string } {
  const body = unwrapResponse(value);
  if (Array.isArray(body)) return { items: body, path: '' };
  const what = `an array, or an object with "${plural}"`;
  refuseJsonErrorDocument(body, what, [plural, item]);
  const source = object(body, '');
  for (const key of [plural, item]) {
    const inner = source[key];
    if (inner === undefined || inner === null) continue;
    // A string or a number is neither a list nor one item of it (see `xmlItems`).
    if (typeof inner !== 'object') return fail(key, 'an array, or one object', inner);
    return { items: Array.isArray(inner) ? inner : [inner], path: key };
  }
  return fail('', what, body);
}

/** A JSON by-id answer: the object, bare or under `response` or the item's name. */
function jsonItem(value: unknown, item: string, idKey: string): { value: unknown; path: string } {
  const body = unwrapResponse(value);
  refuseJsonErrorDocument(body, `an object with "${idKey}"`, [idKey, item]);
  const source = object(body, '');
  if (source[idKey] === undefined && typeof source[item] === 'object' && source[item] !== null) {
    return { value: source[item], path: item };
  }
  return { value: source, path: '' };
}

// --- decoders of whole bodies ----------------------------------------------------------------

/** A page of user profiles not yet decoded, so that one bad profile fails only its own user. */
export interface IspringRawUsersPage {
  readonly items: readonly { readonly value: unknown; readonly path: string }[];
  readonly nextPageToken: string | undefined;
}

/**
 * `GET /users/v2` (and `/users`, and `POST /users/v2`): the page's envelope, checked: `<response>`
 * with `<userProfiles>` (or `<userProfile>` items directly under it), or the JSON `UsersPageV2`
 * (also a bare list, as `GET /user/v2` sends). `<response/>` alone is not a page.
 */
export function readIspringUsersPage(body: IspringBody): IspringRawUsersPage {
  if (body.format === 'xml') {
    const items = xmlItems(body.document, 'userProfiles', 'userProfile', USER_XML, false);
    const { nextPageToken } = xmlScalars(body.document, ['nextPageToken'], 'a users page');
    return {
      items: items.map((value, index) => ({ value, path: `userProfiles[${index}]` })),
      nextPageToken: pageToken(nextPageToken, 'nextPageToken'),
    };
  }
  const { items, path } = jsonItems(body.json, 'userProfiles', 'userProfile');
  const envelope = unwrapResponse(body.json);
  const token = Array.isArray(envelope) ? undefined : (envelope as Json).nextPageToken;
  return {
    items: items.map((value, index) => ({ value, path: `${path}[${index}]` })),
    nextPageToken: pageToken(token, 'nextPageToken'),
  };
}

/** A users page read whole: each profile decoded on its own (see `decodeIspringUserListPage`). */
export interface IspringUserListPage {
  readonly profiles: readonly { readonly profile: IspringUserProfile; readonly path: string }[];
  /** How many profiles the page held, those dropped included: an empty page ends the list. */
  readonly received: number;
  readonly nextPageToken: string | undefined;
}

/**
 * `GET /users/v2` read page by page for every user (the directory listing): the envelope strict
 * (`readIspringUsersPage`: a body that is not a users page fails), each profile lenient. A profile
 * that cannot be read at all (not an object, no usable `userId`) is dropped and noted in `issues`,
 * as a list's item is (`decodeList`); a field that does not fit is left out and noted.
 */
export function decodeIspringUserListPage(body: IspringBody, issues: PayloadIssues): IspringUserListPage {
  const page = readIspringUsersPage(body);
  const profiles: { profile: IspringUserProfile; path: string }[] = [];
  for (const item of page.items) {
    try {
      profiles.push({ profile: decodeIspringUserProfile(item.value, item.path, issues), path: item.path });
    } catch (error) {
      if (!(error instanceof PayloadShapeError)) throw error;
      issues.addError(error);
    }
  }
  return { profiles, received: page.items.length, nextPageToken: page.nextPageToken };
}

/** The `userId` of a profile not yet decoded, when it is a readable iSpring id (lower case). */
export function userIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Json).userId;
  return typeof id === 'string' && isValidExternalId('ispring', id.trim())
    ? id.trim().toLowerCase()
    : undefined;
}

/** `GET /users/v2`, every profile decoded (strict: any bad profile fails the page). */
export function decodeIspringUsersPage(body: IspringBody): IspringUsersPage {
  const page = readIspringUsersPage(body);
  const userProfiles = page.items.map((item) => decodeIspringUserProfile(item.value, item.path));
  return page.nextPageToken === undefined
    ? { userProfiles }
    : { userProfiles, nextPageToken: page.nextPageToken };
}

/** `GET /user/{id}` and `/user/{id}/v2`. With `issues`, only `userId` is strict. */
export function decodeIspringUser(body: IspringBody, issues?: PayloadIssues): IspringUserProfile {
  if (body.format === 'xml') {
    return decodeIspringUserProfile(xmlItem(body.document, 'userProfile', USER_XML), 'userProfile', issues);
  }
  const { value, path } = jsonItem(body.json, 'userProfile', 'userId');
  return decodeIspringUserProfile(value, path, issues);
}

/**
 * `GET /department` (no paging) and one page of `GET /departments`. Every account has at least its
 * root department, so an empty list is not an answer. With `issues`, a department that cannot be
 * read (no usable id) is dropped and noted, and a field that does not fit is left out.
 */
export function decodeIspringDepartmentList(body: IspringBody, issues?: PayloadIssues): IspringDepartment[] {
  const { items, path } =
    body.format === 'xml'
      ? {
          items: xmlItems(body.document, 'departments', 'department', DEPARTMENT_XML, false),
          path: 'department',
        }
      : jsonItems(body.json, 'departments', 'department');
  if (items.length === 0) {
    throw new PayloadShapeError('(body)', 'a list with at least the root department', 'an empty list');
  }
  return decodeList(items, path, decodeIspringDepartment, issues);
}

/** `GET /department/{id}`. */
export function decodeIspringDepartmentById(body: IspringBody, issues?: PayloadIssues): IspringDepartment {
  if (body.format === 'xml') {
    return decodeIspringDepartment(
      xmlItem(body.document, 'department', DEPARTMENT_XML),
      'department',
      issues,
    );
  }
  const { value, path } = jsonItem(body.json, 'department', 'departmentId');
  return decodeIspringDepartment(value, path, issues);
}

/** `GET /group` (no paging) and one page of `GET /groups`; an account may have none (`<response/>`). */
export function decodeIspringGroupList(body: IspringBody, issues?: PayloadIssues): IspringGroup[] {
  if (body.format === 'xml') {
    return decodeList(
      xmlItems(body.document, 'groups', 'group', GROUP_XML, true),
      'group',
      decodeIspringGroup,
      issues,
    );
  }
  const { items, path } = jsonItems(body.json, 'groups', 'group');
  return decodeList(items, path, decodeIspringGroup, issues);
}

/** `GET /group/{id}`: `DetailedGroup`. */
export function decodeIspringGroupById(body: IspringBody, issues?: PayloadIssues): IspringDetailedGroup {
  if (body.format === 'xml') {
    return decodeIspringGroup(xmlItem(body.document, 'group', GROUP_XML), 'group', issues);
  }
  const { value, path } = jsonItem(body.json, 'group', 'groupId');
  return decodeIspringGroup(value, path, issues);
}

/** `POST /api/v3/token`: JSON, or XML with root `<response>`. */
export function decodeIspringTokenResponse(body: IspringBody): IspringTokenResponse {
  const source =
    body.format === 'xml'
      ? xmlScalars(body.document, ['access_token', 'expires_in', 'token_type'], 'a token response')
      : object(unwrapResponse(body.json), '');
  const token: IspringTokenResponse = {
    access_token: field(source, 'access_token', '', nonEmptyString),
    token_type: field(source, 'token_type', '', string),
  };
  copy(token, source, '', { expires_in: emptyAsAbsent(positiveInteger) });
  return token;
}

/** `ErrorResponse`: `{code, message}` or `<response><code/><message/></response>`. */
export function decodeIspringErrorBody(body: IspringBody): IspringErrorBody {
  let source: Json;
  if (body.format === 'xml') {
    if (body.document.rootName !== 'response') {
      throw new PayloadShapeError(
        '(body)',
        'an error document',
        `a document whose root is <${shortName(body.document.rootName)}>`,
      );
    }
    source = {};
    const children = childrenOf(body.document.root);
    for (const name of ['code', 'message']) {
      const value = fromXml(children[name], xmlText);
      if (value !== undefined) source[name] = value;
    }
  } else {
    source = object(unwrapResponse(body.json), '');
  }
  return {
    code: field(source, 'code', '', integerLike),
    message: field(source, 'message', '', string),
  };
}

// --- items -----------------------------------------------------------------------------------

/**
 * One user profile (`User` / `UserV2`). The spec marks most fields required, but the docs' own
 * samples leave many out (no `roleId`, no subordination), so only `userId` is required here. With
 * `issues`, a field that does not fit is left out and noted (the user is kept).
 */
export const decodeIspringUserProfile = (
  value: unknown,
  path = '',
  issues?: PayloadIssues,
): IspringUserProfile => {
  const source = object(value, path);
  const profile: IspringUserProfile = { userId: field(source, 'userId', path, ispringId) };
  copy(
    profile,
    source,
    path,
    {
      role: emptyAsAbsent(string),
      roleId: emptyAsAbsent(string),
      departmentId: emptyAsAbsent(ispringId),
      status: emptyAsAbsent(statusValue),
      fields: nullAsAbsent(profileFields),
      addedDate: emptyAsAbsent(string),
      lastLoginDate: emptyAsAbsent(string),
      groups: nullAsAbsent(idList),
      manageableDepartmentIds: nullAsAbsent(idList),
      userRoles: nullAsAbsent(listOf(decodeUserRole)),
      subordination: emptyAsAbsent(decodeSubordination),
      coSubordination: emptyAsAbsent(decodeSubordination),
      workLeaveStatus: emptyAsAbsent(decodeWorkLeaveStatus),
      securityPolicyAcceptanceDate: emptyAsAbsent(string),
      personalDataConsentAcceptanceDate: emptyAsAbsent(string),
      privacyPolicyConsentAcceptanceDate: emptyAsAbsent(string),
    },
    issues,
  );
  return profile;
};

export const decodeIspringDepartment = (
  value: unknown,
  path = '',
  issues?: PayloadIssues,
): IspringDepartment => {
  const source = object(value, path);
  const department: IspringDepartment = {
    departmentId: field(source, 'departmentId', path, ispringId),
    name:
      (issues === undefined
        ? field(source, 'name', path, nullable(string))
        : lenientField(source, 'name', path, nullable(string), issues)) ?? '',
  };
  copy(
    department,
    source,
    path,
    {
      parentDepartmentId: emptyAsAbsent(ispringId),
      code: emptyAsAbsent(text),
      subordination: emptyAsAbsent(decodeSubordination),
      coSubordination: emptyAsAbsent(decodeSubordination),
    },
    issues,
  );
  return department;
};

export const decodeIspringGroup = (
  value: unknown,
  path = '',
  issues?: PayloadIssues,
): IspringDetailedGroup => {
  const source = object(value, path);
  const group: IspringDetailedGroup = {
    groupId: field(source, 'groupId', path, ispringId),
    name:
      (issues === undefined
        ? field(source, 'name', path, nullable(string))
        : lenientField(source, 'name', path, nullable(string), issues)) ?? '',
    // Absent reads as unknown, as an empty element does: without `?? null` the reader was handed
    // `undefined` and failed the whole group ("received a undefined").
    isSmart:
      lenientField({ isSmart: source.isSmart ?? null }, 'isSmart', path, emptyAsAbsent(smartFlag), issues) ??
      '',
  };
  copy(
    group,
    source,
    path,
    { usersCount: emptyAsAbsent(integerLike), userIds: nullAsAbsent(idList) },
    issues,
  );
  return group;
};

const decodeSubordination: Reader<IspringSubordination> = (value, path, issues) => {
  const source = object(value, path);
  const subordination: IspringSubordination = {
    subordinationType: field(source, 'subordinationType', path, nonEmptyString),
  };
  copy(subordination, source, path, { supervisorId: emptyAsAbsent(ispringId) }, issues);
  return subordination;
};

const decodeUserRole: Reader<IspringUserRole> = (value, path, issues) => {
  const source = object(value, path);
  const role: IspringUserRole = { roleId: field(source, 'roleId', path, string) };
  copy(
    role,
    source,
    path,
    {
      roleType: emptyAsAbsent(string),
      manageableDepartmentIds: nullAsAbsent(idList),
    },
    issues,
  );
  return role;
};

const decodeWorkLeaveStatus: Reader<IspringWorkLeaveStatus> = (value, path, issues) => {
  const source = object(value, path);
  const status: IspringWorkLeaveStatus = {
    workLeaveReason: field(source, 'workLeaveReason', path, string),
    startDate: field(source, 'startDate', path, string),
  };
  copy(status, source, path, { endDate: emptyAsAbsent(string) }, issues);
  return status;
};

/**
 * Profile fields: name/value pairs (every sample, JSON and XML), or an object keyed by name (the
 * shape the spec's `UserProfileFields` schema suggests). Values are text; a number is read as its
 * text, and an empty value (`<value/>`, `""`) or null as no value.
 */
const profileFields: Reader<IspringProfileField[]> = (value, path, issues) => {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) {
    return listOf(profileField)(value, path, issues);
  }
  const fields: IspringProfileField[] = [];
  for (const name of Object.keys(value)) {
    // A value that does not fit is left out (and noted, with `issues`); null and "" are no value.
    const read = lenientField(value as Json, name, path, fieldText, issues);
    if (read !== undefined) fields.push({ name, value: read });
  }
  return fields;
};

const profileField: Reader<IspringProfileField> = (value, path) => {
  const source = object(value, path);
  return {
    name: field(source, 'name', path, nonEmptyString),
    value: source.value === undefined ? null : fieldText(source.value, `${path}.value`),
  };
};

const fieldText: Reader<string | null> = (value, path) => {
  if (value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return fail(path, 'a string', value);
};

// --- primitives ------------------------------------------------------------------------------

/** A UUID, trimmed and in lower case: one spelling of each id for requests and cache keys. */
const ispringId: Reader<string> = (value, path) =>
  typeof value === 'string' && isValidExternalId('ispring', value.trim())
    ? value.trim().toLowerCase()
    : fail(path, ISPRING_ID, value);

/** Text that may come as a number in JSON (`code`: "5" in XML, maybe 5 in JSON). */
const text: Reader<string> = (value, path) =>
  typeof value === 'number' && Number.isFinite(value) ? String(value) : string(value, path);

/** An integer as a JSON number or as text (XML has only text). Kept as it came. */
const integerLike: Reader<number | string> = (value, path) => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return value.trim();
  return fail(path, 'an integer', value);
};

/**
 * `status`: an integer as a number or text, kept as it came; other text is kept too (trimmed).
 * The schema maps a status it does not know to UNKNOWN (`UserStatus`) with the raw value in
 * `providerStatus`, so an unexpected value (`abc`) must not make the whole user unreadable, as
 * `integerLike` alone did.
 */
const statusValue: Reader<number | string> = (value, path) =>
  typeof value === 'string' ? value.trim() : integerLike(value, path);

const positiveInteger: Reader<number> = (value, path) => {
  const read = integerLike(value, path);
  const number = Number(read);
  return number > 0 ? number : fail(path, 'a positive integer', value);
};

/** `isSmart`: true/false (GET /group, the spec) or 0/1 (GET /groups, GET /group/{id}). */
const smartFlag: Reader<boolean> = (value, path) => {
  if (typeof value === 'boolean') return value;
  const normalised = String(value).trim().toLowerCase();
  if (normalised === 'true' || normalised === '1') return true;
  if (normalised === 'false' || normalised === '0') return false;
  return fail(path, 'true, false, 1 or 0', value);
};

/** A list of ids: an array, or the XML-shaped `{"id": […]}` / `{"id": "…"}` a converter may emit. */
const idList: Reader<string[]> = (value, path, issues) => {
  if (value === '') return [];
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value) {
    const inner = (value as Json).id;
    return listOf(ispringId)(Array.isArray(inner) ? inner : [inner], `${path}.id`, issues);
  }
  return listOf(ispringId)(value, path, issues);
};

/** An array, or one item where XML-to-JSON converters drop the array around a single item. */
function listOf<T>(item: Reader<T>): Reader<T[]> {
  return (value, path, issues) =>
    Array.isArray(value) || typeof value !== 'object' || value === null
      ? array(item)(value, path, issues)
      : [item(value, path, issues)];
}

/** An empty string (an empty XML element) and null read as absent. */
function emptyAsAbsent<T>(read: Reader<T>): Reader<T | undefined> {
  return (value, path, issues) =>
    value === null || (typeof value === 'string' && value.trim() === '')
      ? undefined
      : read(value, path, issues);
}

function pageToken(value: unknown, path: string): string | undefined {
  return emptyAsAbsent(string)(value ?? null, path);
}

/** Each item read at its index; with `issues`, an item that cannot be read is dropped and noted. */
function decodeList<T>(
  items: readonly unknown[],
  path: string,
  read: Reader<T>,
  issues?: PayloadIssues,
): T[] {
  return array(read)(items, path, issues).slice();
}
