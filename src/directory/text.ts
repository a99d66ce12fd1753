/**
 * How the directory compares text: search folds case and accents away, and emails are compared in
 * one normal form (README, "The directory").
 */

const COMBINING_MARKS = /\p{M}+/gu;
/** ASCII has no marks to drop: lower case alone folds it, without a Unicode normalisation. */
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Text as search compares it: decomposed (NFD) so that accents become marks of their own, the marks
 * dropped, then lower case. "José" and "jose" fold alike, "Zoë" and "zoe"; scripts without case
 * or accents ("山田") are left as they are.
 */
export function foldForSearch(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase();
}

/**
 * An email as the directory compares it: trimmed, Unicode NFC, lower case; nothing else (no
 * plus-address or dot folding: those are the mail server's rules, not the address's).
 */
export function normaliseEmail(email: string): string {
  if (ASCII.test(email)) return email.trim().toLowerCase();
  // NFC again after lower case: lower-casing a few composed Greek letters ("Ά" with a subscript
  // iota) leaves a string NFC would compose further, and one email must have one spelling.
  return email.trim().normalize('NFC').toLowerCase().normalize('NFC');
}

/** The longest address SMTP carries (RFC 5321's path limit, less its angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Why a normalised email is not an address a person can be found by, or undefined when it is one:
 * some text, an "@", some text, no whitespace or control characters, at most 254 characters. The
 * rule is deliberately loose (no RFC 5322 grammar: tenants hold what their admins typed), but it
 * keeps placeholders such as "n/a" or "-" from joining everyone who has them into one person.
 */
export function emailProblem(normalised: string): string | undefined {
  if (normalised === '') return 'it is empty';
  if (normalised.length > MAX_EMAIL_LENGTH) return `it is longer than ${MAX_EMAIL_LENGTH} characters`;
  if (/[\s\p{Cc}]/u.test(normalised)) return 'it holds whitespace or a control character';
  const at = normalised.lastIndexOf('@');
  if (at === -1) return 'it has no "@"';
  if (at === 0) return 'nothing comes before its "@"';
  if (at === normalised.length - 1) return 'nothing comes after its "@"';
  return undefined;
}

/** The normalised email of a user's `email`, when it is an address a person can be found by. */
export function personEmailOf(email: string | null | undefined): string | undefined {
  if (!email) return undefined;
  const normalised = normaliseEmail(email);
  return emailProblem(normalised) === undefined ? normalised : undefined;
}

/**
 * An item's place in the directory's lists: its name folded as search folds it, then its id, so
 * that plain string order is name order with the id breaking ties (the separator sorts before any
 * character of a name). Users are ordered by display name, departments and groups by name.
 */
export function orderKey(name: string | null, id: string): string {
  // Joined, not concatenated: a join is one flat string, where `+` keeps a tree of the parts, and
  // the index keeps a key per user.
  return [foldForSearch(name ?? ''), id].join('\u0000');
}

/** The id an `orderKey` ends with. */
export function idOfOrderKey(key: string): string {
  return key.slice(key.lastIndexOf('\u0000') + 1);
}

/**
 * `value` as a string of its own: a string cut out of another (a word of a text, a field of a
 * response body) may be a slice of it, and one built by `+` a pair of pointers to its parts; either
 * keeps the text it came from alive for as long as the copy is held. A JSON round trip makes a
 * flat copy. V8 makes neither kind below 13 characters, so a shorter value is its own already.
 */
export function ownString(value: string): string {
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}
