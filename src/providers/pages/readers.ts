import type { PayloadIssue, PayloadIssues } from '../../payload.js';
import { readIspringUserListBody } from '../ispring/user-pages.js';
import { readThriveUserPageBody } from '../thrive/user-pages.js';

/**
 * The page bodies read off the main thread (`off-thread.ts`), one row per kind: a pure function of
 * the body, the issues a lenient decode notes, and one argument of its own. A provider's row names
 * its own reader; the worker (`worker.ts`) runs the row a request names.
 */
export const PAGE_READERS = {
  /** `GET /users/v2` pages of the iSpring directory listing. */
  ispringUsers: readIspringUserListBody,
  /** `GET /users` pages of the Thrive directory listing; the argument is `updatedSince` in ms. */
  thriveUsers: readThriveUserPageBody,
} satisfies Record<string, (body: string, issues: PayloadIssues, argument: never) => unknown>;

export type PageKind = keyof typeof PAGE_READERS;
export type PageArgument<K extends PageKind> = Parameters<(typeof PAGE_READERS)[K]>[2];
export type PageValue<K extends PageKind> = Awaited<ReturnType<(typeof PAGE_READERS)[K]>>;

/** A request to the worker, and its answers. */
export interface PageRequest {
  readonly id: number;
  readonly kind: PageKind;
  readonly body: string;
  readonly argument: unknown;
}

export type PageReply =
  /** The value as JSON (one string crosses the threads in one copy), and the issues noted. */
  | { readonly id: number; readonly json: string; readonly issues: readonly PayloadIssue[] }
  /** The body did not have the shape expected: a `PayloadShapeError` again on the main thread. */
  | { readonly id: number; readonly shape: PayloadIssue }
  /** Anything else the reader threw (a mistake of ours, not the body's). */
  | { readonly id: number; readonly failure: string };
