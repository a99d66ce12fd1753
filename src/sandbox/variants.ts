/**
 * Variants: behaviours of a sandbox that real tenants may or may not show, switchable while the
 * server runs. The defaults follow the newest evidence about what real tenants send; the other
 * values keep older, more lenient behaviours that tests select (`setVariants`). Routes read the
 * current variants on every request, so a test may flip one between two requests.
 */

/** The shape of the access tokens a sandbox issues. */
export type AccessTokenShape = 'normal' | 'crlf' | 'space';

export interface IspringVariants {
  /**
   * Status of a by-id read (GET /user/{id}, /user/{id}/v2, /department/{id}, /group/{id}) of an
   * unknown id: 400 (real tenants answer 400 with an ErrorResponse) or 404. The body is the
   * ErrorResponse `User not found`, `Department not found` or `Group not found` either way.
   */
  notFoundStatus: 400 | 404;
  /**
   * How the user lists (GET /users, /users/v2, and also GET /user, /user/v2) read the array filters
   * userIds, departments, groups, logins and emails: 'brackets' reads only `name[]=` (plain `name=`
   * and `name[0]=` are ignored, as if absent); 'any' reads `name`, `name[]` and `name[0]`; 'ignored'
   * ignores every filter. `%5B%5D` counts as brackets (it decodes to `[]`).
   */
  arrayFilters: 'brackets' | 'any' | 'ignored';
  /**
   * GET (or POST) /users/v2 with a userIds list that holds an id no user has: 'omit' leaves it out;
   * 'reject' answers 400 `User not found` (ErrorResponse) for the whole request.
   */
  unknownUserIdInBatch: 'omit' | 'reject';
  /**
   * POST /users/v2: 'served' answers the filter; 'refused' answers 405 with an ErrorResponse (and
   * `Allow: GET`); 'ignored' answers like 'served' with every user, whatever the body.
   */
  postUsers: 'served' | 'refused' | 'ignored';
  /**
   * JSON bodies: 'spec' wraps by-id reads in `{"response": {…}}` and answers GET /department as
   * `{"departments": […]}` and GET /group as `{"groups": […]}`, as the vendor's OpenAPI file
   * declares them; 'bare' sends the bare object or array. Pages (`{"userProfiles": […],
   * "nextPageToken"}`, `{"departments": …}`, `{"groups": …}`), GET /user lists, tokens and errors
   * are the same either way.
   */
  jsonEnvelopes: 'spec' | 'bare';
  /**
   * The last page of a token-paged list (GET /users, /users/v2, /departments, /groups, and the one
   * page of POST /users/v2): 'absent' leaves nextPageToken out; 'empty' sends
   * `<nextPageToken></nextPageToken>` or `"nextPageToken":""`.
   */
  pageEnd: 'absent' | 'empty';
  /**
   * XML layout: 'compact' (one line, `<?xml version="1.0" encoding="UTF-8"?>`) or 'pretty'
   * (indented by two spaces, `<?xml version="1.0"?>` without an encoding, as a real account's
   * department sample reads).
   */
  xmlStyle: 'compact' | 'pretty';
  /** Access tokens issued: 'normal', 'crlf' (with "\r\n" inside) or 'space' (with a space inside). */
  accessToken: AccessTokenShape;
  /** `expires_in` of the tokens issued from now on, and how long each is accepted. */
  tokenLifetimeSeconds: number;
}

export interface ThriveVariants {
  /**
   * How the OAuth token endpoint takes the client's credentials:
   * - 'basic' (Cognito-style): an `application/x-www-form-urlencoded` body only (anything else gets
   *   400 `invalid_request`), the client id and secret only in a Basic header: without one (even
   *   with client_id and client_secret in the form) 401 `invalid_client`;
   * - 'post' (client_secret_post): a form body only (anything else 400 `invalid_request`), the
   *   client id and secret only as form fields: a Basic header gets 401 `invalid_client`;
   * - 'either': JSON or form, credentials in a Basic header or in the body.
   */
  tokenClientAuth: 'basic' | 'post' | 'either';
  /**
   * GET /audiences items: 'stubs' (AudienceStub: only id, name, reference, apiControlled, category
   * and type, so no `parent` key and no timestamps) or 'full' (the object GET /audiences/{id}
   * returns, which always has what the record has, parent included).
   */
  audienceList: 'stubs' | 'full';
  /**
   * GET /users `updatedSince`: false honours it (only users whose `updatedAt` is on or after it;
   * a value that is not an ISO 8601 date or date-time is 400); true ignores the parameter
   * altogether, as an API that does not know it would, and answers every user.
   */
  usersIgnoreUpdatedSince: boolean;
  /**
   * 401 and 403 of the API: 'documented' `{status, error, message}` or 'gateway'
   * `{"message":"Unauthorized"}` / `{"message":"Forbidden"}` as an API gateway words them.
   */
  authErrors: 'documented' | 'gateway';
  /**
   * The 404 of a record looked up (GET /user/{id}, /users/ref/{ref}, /audiences/{id} and its members
   * and managers): `message` as a 'string' (`User not found`) or an 'object'
   * (`{"id": <the id asked for>, "reason": "User not found"}`).
   */
  notFoundMessage: 'string' | 'object';
  /**
   * GET /user/{id} where the id is not 24 hexadecimal characters: 400 `{"status":400,"error":"Bad
   * Request","message":"id must be a valid ObjectId"}`, or the 404 of an unknown user.
   */
  malformedUserId: 400 | 404;
  /** Access tokens issued: 'normal', 'crlf' (with "\r\n" inside) or 'space' (with a space inside). */
  accessToken: AccessTokenShape;
  /** `expires_in` of the tokens issued from now on, and how long each is accepted. */
  tokenLifetimeSeconds: number;
}

/** "The token's lifetime is 1800 seconds", as the vendor's docs say. */
export const DEFAULT_ISPRING_TOKEN_LIFETIME_SECONDS = 1800;
/** Thrive's token endpoint answers `expires_in: 3600`. */
export const DEFAULT_THRIVE_TOKEN_LIFETIME_SECONDS = 3600;

export const DEFAULT_ISPRING_VARIANTS: Readonly<IspringVariants> = Object.freeze({
  notFoundStatus: 400,
  arrayFilters: 'brackets',
  unknownUserIdInBatch: 'omit',
  postUsers: 'served',
  jsonEnvelopes: 'spec',
  pageEnd: 'absent',
  xmlStyle: 'compact',
  accessToken: 'normal',
  tokenLifetimeSeconds: DEFAULT_ISPRING_TOKEN_LIFETIME_SECONDS,
});

export const DEFAULT_THRIVE_VARIANTS: Readonly<ThriveVariants> = Object.freeze({
  tokenClientAuth: 'basic',
  audienceList: 'stubs',
  usersIgnoreUpdatedSince: false,
  authErrors: 'documented',
  notFoundMessage: 'string',
  malformedUserId: 400,
  accessToken: 'normal',
  tokenLifetimeSeconds: DEFAULT_THRIVE_TOKEN_LIFETIME_SECONDS,
});

/** The values each variant may take: a list, or `'seconds'` for a positive finite number. */
export type VariantValues<V> = { readonly [K in keyof V]-?: readonly V[K][] | 'seconds' };

const TOKEN_SHAPES: readonly AccessTokenShape[] = ['normal', 'crlf', 'space'];

export const ISPRING_VARIANT_VALUES: VariantValues<IspringVariants> = Object.freeze<
  VariantValues<IspringVariants>
>({
  notFoundStatus: [400, 404],
  arrayFilters: ['brackets', 'any', 'ignored'],
  unknownUserIdInBatch: ['omit', 'reject'],
  postUsers: ['served', 'refused', 'ignored'],
  jsonEnvelopes: ['spec', 'bare'],
  pageEnd: ['absent', 'empty'],
  xmlStyle: ['compact', 'pretty'],
  accessToken: TOKEN_SHAPES,
  tokenLifetimeSeconds: 'seconds',
});

export const THRIVE_VARIANT_VALUES: VariantValues<ThriveVariants> = Object.freeze<
  VariantValues<ThriveVariants>
>({
  tokenClientAuth: ['basic', 'post', 'either'],
  audienceList: ['stubs', 'full'],
  usersIgnoreUpdatedSince: [false, true],
  authErrors: ['documented', 'gateway'],
  notFoundMessage: ['string', 'object'],
  malformedUserId: [400, 404],
  accessToken: TOKEN_SHAPES,
  tokenLifetimeSeconds: 'seconds',
});

/**
 * The current variants of one server. `set` checks every value before applying any, so a refused
 * call changes nothing; `reset` goes back to the variants the server started with.
 */
export class VariantSettings<V extends object> {
  readonly #label: string;
  readonly #values: VariantValues<V>;
  readonly #initial: Readonly<V>;
  #current: Readonly<V>;

  /**
   * @param label names the server in errors (`iSpring`, `Thrive`).
   * @param defaults every variant's default; `initial` is checked and applied over them.
   */
  constructor(label: string, values: VariantValues<V>, defaults: Readonly<V>, initial: Partial<V> = {}) {
    this.#label = label;
    this.#values = values;
    this.#initial = Object.freeze({ ...defaults, ...this.#checked(initial) });
    this.#current = this.#initial;
  }

  get current(): Readonly<V> {
    return this.#current;
  }

  set(partial: Partial<V>): void {
    this.#current = Object.freeze({ ...this.#current, ...this.#checked(partial) });
  }

  reset(): void {
    this.#current = this.#initial;
  }

  /** The defined entries of `partial`; throws a RangeError naming the first bad one. */
  #checked(partial: Partial<V>): Partial<V> {
    if (typeof partial !== 'object' || partial === null) {
      throw new TypeError(`${this.#label} variants must be an object; got ${String(partial)}.`);
    }
    const known = Object.keys(this.#values);
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(partial)) {
      if (value === undefined) continue;
      if (!known.includes(name)) {
        throw new RangeError(
          `${this.#label} has no variant ${JSON.stringify(name)}; its variants are ${known.join(', ')}.`,
        );
      }
      const allowed = this.#values[name as keyof V];
      if (allowed === 'seconds') {
        if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
          throw new RangeError(
            `The ${this.#label} variant ${name} must be a positive number of seconds; got ${JSON.stringify(value)}.`,
          );
        }
      } else if (!(allowed as readonly unknown[]).includes(value)) {
        throw new RangeError(
          `The ${this.#label} variant ${name} must be ${allowed.map((one) => JSON.stringify(one)).join(' or ')}; got ${JSON.stringify(value)}.`,
        );
      }
      out[name] = value;
    }
    return out as Partial<V>;
  }
}
