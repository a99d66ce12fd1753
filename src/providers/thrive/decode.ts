import { PayloadShapeError } from '../../errors.js';
import { isValidExternalId } from '../../ids.js';
import {
  anything,
  array,
  boolean,
  copy,
  fail,
  field,
  lenientField,
  nonEmptyString,
  nullable,
  nullAsAbsent,
  number,
  object,
  oneOf,
  positiveNumber,
  string,
  type Json,
  type PayloadIssues,
  type Reader,
} from '../../payload.js';
import type {
  ThriveAudience,
  ThriveErrorBody,
  ThrivePageBody,
  ThrivePagination,
  ThriveTokenResponseBody,
  ThriveUser,
  ThriveUserPosition,
  ThriveUserRank,
  ThriveUserTags,
} from './wire.js';

/**
 * Guards that narrow parsed JSON into the Thrive wire types, accepting every variant public
 * sources document (users, audiences, list envelopes, error bodies). A value that is not the
 * documented shape throws `PayloadShapeError(path, expected, received)`, where `received` names
 * the kind of value only, never the value.
 *
 * What they do beyond checking:
 * - Only the fields of the wire types are copied; unknown extra fields are dropped.
 * - Every field the docs type as nullable accepts null. A field they type as non-nullable
 *   (`deleted`, `isActive`, `compliance`, …) that arrives as null is treated as absent rather than
 *   rejected: Airbyte's schema inferred from real responses makes every field nullable, and
 *   failing a whole user over a null score nobody reads would be worse than not knowing it.
 * - Ids that the mapper turns into global ids (`id`, `positions[].manager.id`, `positions[].ouId`,
 *   `audiences[]`, `parent.id`) must be in the Thrive id alphabet (`isValidExternalId`).
 * - `additionalFields` values are kept as they came (any JSON value): the docs type the field only
 *   as "object", so a non-string value is not a shape violation; the mapper turns it into text.
 */

const THRIVE_ID = 'a Thrive id (letters, digits, "_" or "-")';

/** Parses a response body. Not JSON → `PayloadShapeError` at the root. */
export function parseThriveJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new PayloadShapeError(
      '(body)',
      'a JSON document',
      body.trim() === '' ? 'an empty body' : `${body.length} characters that are not JSON`,
    );
  }
}

/**
 * `GET /user/{id}`, the items of `GET /users`, and the `BasicUser` of `GET /users/ref/{ref}`. With
 * `issues`, only `id` is strict: any other field that does not fit is left out and noted there.
 */
export const decodeThriveUser = (value: unknown, path = '', issues?: PayloadIssues): ThriveUser => {
  const source = object(value, path);
  const user: ThriveUser = { id: field(source, 'id', path, thriveId) };
  copy(
    user,
    source,
    path,
    {
      ref: nullable(string),
      firstName: nullable(string),
      lastName: nullable(string),
      email: nullable(string),
      role: nullable(string),
      status: nullable(string),
      positions: nullable(array(decodeThrivePosition)),
      additionalFields: nullable(object),
      languageCode: nullable(string),
      deleted: nullAsAbsent(boolean),
      compliance: nullAsAbsent(number),
      level: nullAsAbsent(number),
      firstLogin: nullable(string),
      lastLogin: nullable(string),
      tags: nullable(decodeTags),
      usersFollowing: nullAsAbsent(array(string)),
      tagsFollowing: nullAsAbsent(array(anything)),
      createdAt: nullable(string),
      updatedAt: nullable(string),
      hasPicture: nullAsAbsent(boolean),
      timeZone: nullable(string),
      summary: nullable(string),
      relevancy: nullAsAbsent(number),
      rank: nullable(decodeRank),
      agreedTerms: nullable(oneOf<boolean | string>('a boolean or a string', { boolean, string })),
      onboarded: nullable(boolean),
      audiences: nullable(
        array(
          oneOf<string | { id: string }>(`${THRIVE_ID} or an object with an id`, {
            string: thriveId,
            object: idObject,
          }),
        ),
      ),
      singleSignOn: nullAsAbsent(boolean),
      jobTitle: nullable(string),
    },
    issues,
  );
  return user;
};

/** One `positions[]` item: the documented `UserPosition`, `title` (Airbyte saw it), `manager.name`/`ref`. */
export const decodeThrivePosition = (
  value: unknown,
  path: string,
  issues?: PayloadIssues,
): ThriveUserPosition => {
  const source = object(value, path);
  const position: ThriveUserPosition = {};
  copy(
    position,
    source,
    path,
    {
      id: nullAsAbsent(string),
      manager: decodeManager,
      ouId: nullable(thriveId),
      title: nullable(string),
      isActive: nullAsAbsent(boolean),
      startDate: nullable(string),
      endDate: nullable(string),
      createdAt: nullable(string),
      updatedAt: nullable(string),
    },
    issues,
  );
  return position;
};

/**
 * `GET /audiences/{id}` and the items of `GET /audiences`, as documented. With `issues`,
 * only `id` is strict (a name that cannot be read is null).
 */
export const decodeThriveAudience = (value: unknown, path = '', issues?: PayloadIssues): ThriveAudience => {
  const source = object(value, path);
  const audience: ThriveAudience = {
    id: field(source, 'id', path, thriveId),
    name:
      issues === undefined
        ? field(source, 'name', path, string)
        : (lenientField(source, 'name', path, nullable(string), issues) ?? null),
  };
  copy(
    audience,
    source,
    path,
    {
      reference: nullable(string),
      apiControlled: nullAsAbsent(boolean),
      category: nullAsAbsent(string),
      type: nullAsAbsent(string),
      parent: nullable(decodeAudienceParent),
      createdAt: nullable(string),
      updatedAt: nullable(string),
    },
    issues,
  );
  return audience;
};

/**
 * The documented `{pagination, results}` envelope around items read by `item`. The envelope is
 * strict; with `issues`, an item that cannot be read (not an object, no usable id) is dropped and
 * noted, and the others are kept.
 */
export function decodeThrivePage<T>(
  value: unknown,
  item: Reader<T>,
  path = '',
  issues?: PayloadIssues,
): ThrivePageBody<T> {
  const source = object(value, path);
  const page: ThrivePageBody<T> = { results: field(source, 'results', path, array(item), issues) };
  copy(page, source, path, { pagination: nullable(decodePagination) });
  return page;
}

export const decodeThriveAudiencePage = (
  value: unknown,
  issues?: PayloadIssues,
): ThrivePageBody<ThriveAudience> => decodeThrivePage(value, decodeThriveAudience, '', issues);

export const decodeThriveUserPage = (value: unknown, issues?: PayloadIssues): ThrivePageBody<ThriveUser> =>
  decodeThrivePage(value, decodeThriveUser, '', issues);

/** Error body, as the user pages document it: `message` is a string or an object. */
export const decodeThriveErrorBody = (value: unknown, path = ''): ThriveErrorBody => {
  const source = object(value, path);
  return {
    status: field(source, 'status', path, number),
    error: field(source, 'error', path, string),
    message: field(
      source,
      'message',
      path,
      oneOf<string | Json>('a string or an object', { string, object }),
    ),
  };
};

/** `POST /oauth2/token/{tenantId}` (undocumented: read as a Cognito-style RFC 6749 §5.1 answer). */
export const decodeThriveTokenResponse = (value: unknown, path = ''): ThriveTokenResponseBody => {
  const source = object(value, path);
  const token: ThriveTokenResponseBody = {
    access_token: field(source, 'access_token', path, nonEmptyString),
  };
  copy(token, source, path, { expires_in: nullAsAbsent(positiveNumber), token_type: nullAsAbsent(string) });
  return token;
};

// ---------------------------------------------------------------------------------------------

/**
 * `positions[].manager`: null, or `{id, name?, ref?}`. A manager without a usable id (`{}`,
 * `{"id": null}`, `{"id": ""}`, which an OpenAPI-derived client types as nullable) is no manager,
 * as null is; an id outside the alphabet is a misfit.
 */
const decodeManager: Reader<ThriveUserPosition['manager'] | undefined> = (value, path) => {
  if (value === null) return null;
  const source = object(value, path);
  if (source.id === undefined || source.id === null || source.id === '') return null;
  const manager: NonNullable<ThriveUserPosition['manager']> = { id: field(source, 'id', path, thriveId) };
  copy(manager, source, path, { name: nullable(string), ref: nullable(string) });
  return manager;
};

/** Docs: `skills` a string and `usersFollowing`/`tagsFollowing` nested here; Airbyte: `skills` an array. */
const decodeTags: Reader<ThriveUserTags> = (value, path) => {
  const source = object(value, path);
  const tags: ThriveUserTags = {};
  copy(tags, source, path, {
    skills: nullAsAbsent(
      oneOf<string | string[]>('a string or an array of strings', { string, array: array(string) }),
    ),
    usersFollowing: nullAsAbsent(array(string)),
    tagsFollowing: nullAsAbsent(array(anything)),
  });
  return tags;
};

/** Docs: `{currentCategory: string, currentRank}`; Airbyte: `{currentCategory: number, currentLevel}`. */
const decodeRank: Reader<ThriveUserRank> = (value, path) => {
  const source = object(value, path);
  const rank: ThriveUserRank = {};
  copy(rank, source, path, {
    currentCategory: nullAsAbsent(oneOf<string | number>('a string or a number', { string, number })),
    currentRank: nullAsAbsent(number),
    currentLevel: nullAsAbsent(number),
  });
  return rank;
};

const decodeAudienceParent: Reader<NonNullable<ThriveAudience['parent']>> = (value, path) => {
  const source = object(value, path);
  const parent: NonNullable<ThriveAudience['parent']> = { id: field(source, 'id', path, thriveId) };
  copy(parent, source, path, { name: nullable(string), reference: nullable(string) });
  return parent;
};

const decodePagination: Reader<ThrivePagination> = (value, path) => {
  const source = object(value, path);
  return {
    totalResults: field(source, 'totalResults', path, number),
    totalPages: field(source, 'totalPages', path, number),
    page: field(source, 'page', path, number),
    perPage: field(source, 'perPage', path, number),
  };
};

const idObject: Reader<{ id: string }> = (value, path) => ({
  id: field(object(value, path), 'id', path, thriveId),
});

const thriveId: Reader<string> = (value, path) =>
  typeof value === 'string' && isValidExternalId('thrive', value) ? value : fail(path, THRIVE_ID, value);
