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
  return email.trim().normalize('NFC').toLowerCase();
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
