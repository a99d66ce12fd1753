import { describeKind, PayloadShapeError } from '../errors.js';
import type { PayloadIssues } from '../payload.js';

/**
 * Dates as providers send them, normalised to the one form the models carry: an ISO-8601 UTC
 * date-time with milliseconds (`Date.prototype.toISOString()`). Shared by every provider.
 *
 * Accepted: `YYYY-MM-DD` (midnight UTC), and `YYYY-MM-DD[T or space]HH:MM[:SS[.fraction]]` with
 * `Z`, `±HH:MM`, `±HHMM`, `±HH` or no zone at all. A date-time without a zone is read as UTC: no
 * provider states another zone, and reading it in the server's zone would make the same payload
 * mean different instants on different machines. Components are range-checked (no 31 February,
 * no hour 24), and fractions beyond milliseconds are truncated.
 */

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** The expectation named in `PayloadShapeError`s for dates. */
export const DATE_TIME_EXPECTATION = 'an ISO-8601 date (YYYY-MM-DD) or date-time';

/** The instant `value` names, as `toISOString()`, or null when `value` is not an accepted form. */
export function toIsoDateTime(value: string): string | null {
  const match = DATE_TIME.exec(value.trim());
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const offsetMinutes = zoneOffsetMinutes(zone);
  if (offsetMinutes === null) return null;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi - offsetMinutes, s, ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * `toIsoDateTime` for a payload field: throws `PayloadShapeError` naming `path` when the value is
 * not an accepted date (the value itself never goes into the error).
 */
export function normaliseDateTime(value: string, path: string): string {
  const iso = toIsoDateTime(value);
  if (iso === null) throw new PayloadShapeError(path, DATE_TIME_EXPECTATION, describeKind(value));
  return iso;
}

/**
 * `normaliseDateTime` for an optional field: null, undefined and blank text are no date. With
 * `issues`, a value that is not a date (`0000-00-00`, `n/a`) is no date either, and is noted there:
 * one unreadable date never costs the whole record.
 */
export function normaliseOptionalDateTime(
  value: string | null | undefined,
  path: string,
  issues?: PayloadIssues,
): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const iso = toIsoDateTime(value);
  if (iso !== null) return iso;
  const error = new PayloadShapeError(path, DATE_TIME_EXPECTATION, describeKind(value));
  if (issues === undefined) throw error;
  issues.addError(error);
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Minutes east of UTC; null when the offset is out of range. */
function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}
