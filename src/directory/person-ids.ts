import { createHash, createHmac } from 'node:crypto';

/**
 * Person ids (README, "One person across both platforms"): `person:` and 22 URL-safe characters, the
 * first 128 bits of an HMAC-SHA256 of the normalised email. Keyed, so that an id reveals nothing of
 * its email: without the key, guessing an email does not confirm it (an unkeyed hash of an email is
 * reversed by hashing a list of guesses). The same key gives the same ids across restarts and
 * replicas; the key is `PERSON_ID_SECRET`, or, when that is unset, one derived from the providers'
 * credentials (so that a deployment needs no new setting, at the price of new ids when every
 * credential it was derived from changes).
 */

export const PERSON_ID_PREFIX = 'person:';
/** 16 bytes of the HMAC, base64url: 22 characters. */
const DIGEST_BYTES = 16;
const PERSON_ID = /^person:[A-Za-z0-9_-]{22}$/;

/** The shortest `PERSON_ID_SECRET` accepted: a shorter key would be guessable. */
export const MIN_PERSON_ID_SECRET_LENGTH = 16;

export class PersonIds {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** The id of the person with this normalised email (`normaliseEmail`). */
  idOf(normalisedEmail: string): string {
    const digest = createHmac('sha256', this.#key).update(normalisedEmail, 'utf8').digest();
    return PERSON_ID_PREFIX + digest.subarray(0, DIGEST_BYTES).toString('base64url');
  }
}

/** True for a string written as a person id (whether or not any person has it). */
export function isPersonIdForm(value: string): boolean {
  return PERSON_ID.test(value);
}

/** How a person id is written, for error messages. */
export const PERSON_ID_FORM = '"person:" followed by 22 letters, digits, "_" or "-"';

/**
 * The key person ids are made with: `secret` (`PERSON_ID_SECRET`) when set, else one derived from
 * the providers' credentials, in a fixed order. Neither is ever the credential itself: the key is a
 * hash, and the ids are HMACs under it.
 */
export function personIdKey(secret: string | undefined, providerSecrets: readonly string[]): Buffer {
  const hash = createHash('sha256').update('learning-directory person ids\u0000');
  if (secret !== undefined) return hash.update(`secret\u0000${secret}`).digest();
  for (const credential of providerSecrets) hash.update(`credential\u0000${credential}\u0000`);
  return hash.digest();
}
