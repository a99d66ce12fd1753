import type { UserModel } from '../../models.js';
import type { PayloadIssues } from '../../payload.js';
import { decodeIspringUserListPage, parseIspringBody } from './decode.js';
import { toUserModel } from './mapper.js';

/** One page of `GET /users/v2` as the directory listing reads it. */
export interface IspringUserListRead {
  /** The users that could be read (a profile that cannot be is dropped and reported). */
  readonly users: UserModel[];
  /** How many profiles the page held, those dropped included: an empty page ends the list. */
  readonly received: number;
  readonly nextPageToken: string | undefined;
}

/**
 * A users page's body (XML or JSON) read whole: parsed, each profile decoded on its own and mapped
 * to a model. Pure, so that it can run in the page-reading worker (`providers/pages/`).
 */
export async function readIspringUserListBody(
  body: string,
  issues: PayloadIssues,
): Promise<IspringUserListRead> {
  const read = decodeIspringUserListPage(await parseIspringBody(body), issues);
  return {
    users: read.profiles.map(({ profile, path }) => toUserModel(profile, issues, path)),
    received: read.received,
    nextPageToken: read.nextPageToken,
  };
}
