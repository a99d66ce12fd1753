import type { UserModel } from '../../models.js';
import type { PayloadIssues } from '../../payload.js';
import { toIsoDateTime } from '../dates.js';
import { decodeThriveUserPage, parseThriveJson } from './decode.js';
import { toUserModel } from './mapper.js';
import type { ThrivePagination } from './wire.js';

/** One page of `GET /users` as the listing reads it. */
export interface UsersPage {
  /** The users that could be read (one without a usable id is dropped and reported). */
  readonly users: readonly UserModel[];
  /** How many items `results` held, those dropped included: an empty page ends the list. */
  readonly received: number;
  /** Absent when Thrive sent none (the reader then stops on a short page). */
  readonly pagination: ThrivePagination | undefined;
  /**
   * Asked with `updatedSince`: true when a user's `updatedAt` is earlier than it, so Thrive did
   * not apply the filter. Decided here, from the wire records: the models carry no `updatedAt`.
   */
  readonly olderThanAsked: boolean;
}

/**
 * A `GET /users` page's body read whole: parsed, decoded and mapped to models; `since` is the
 * `updatedSince` it was asked with (ms), if any. Pure, so that it can run in the page-reading
 * worker (`providers/pages/`).
 */
export function readThriveUserPageBody(
  body: string,
  issues: PayloadIssues,
  since: number | undefined,
): UsersPage {
  const json = parseThriveJson(body);
  const page = decodeThriveUserPage(json, issues);
  // The envelope has been checked: `results` is an array.
  const received = (json as { results: unknown[] }).results.length;
  const olderThanAsked =
    since !== undefined &&
    page.results.some((user) => {
      const updatedAt = user.updatedAt == null ? null : toIsoDateTime(user.updatedAt);
      return updatedAt !== null && Date.parse(updatedAt) < since;
    });
  const users = page.results.map((user) => toUserModel(user, issues));
  return { users, received, pagination: page.pagination ?? undefined, olderThanAsked };
}
