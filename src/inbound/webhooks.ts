import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler, type Router } from 'express';
import type { Directory } from '../directory/directory.js';
import type { DirectoryObserver, WebhookOutcome } from '../directory/observer.js';
import { isValidExternalId } from '../ids.js';
import type { ProviderName } from '../models.js';

/**
 * The vendors' change webhooks (README, "The directory"): `POST /webhooks/thrive` and
 * `POST /webhooks/ispring`. A delivery must be signed with the provider's webhook secret
 * (`THRIVE_WEBHOOK_SECRET`, `ISPRING_WEBHOOK_SECRET`); one with a bad or missing signature gets 401
 * and changes nothing. A valid one names users, which the directory reads again from the provider
 * (never trusting the delivery's copy of them) and applies; the answer comes once that is done, so
 * a vendor that gets a 503 (the provider could not be read) delivers again later.
 *
 * - Thrive: `x-hmac-signature: sha256=<hex>`, an HMAC-SHA256 of the raw body; events
 *   `user.created`, `user.activated`, `user.deactivated`, `user.updated` with
 *   `{ eventType, tenantId, user: { id, … } | null, … }`. Other event types are acknowledged and
 *   ignored, as is `user: null`.
 * - iSpring: `X-Hub-Signature: <hex>`, the SHA-256 of the raw body followed by the secret (with or
 *   without a `sha256=` prefix); `{ type: "USER_REGISTERED", payloads: [{ userId, … }, …] }`, and
 *   `{ type: "CONFIRMATION", payloads: ["{\"code\":\"…\"}"] }` when a subscription is set up: its
 *   code is logged for the operator to confirm the subscription with. Other types are ignored.
 */

/** Deliveries are small: a few users' events. */
const MAX_DELIVERY_BYTES = 256 * 1024;

export interface WebhookOptions {
  readonly directory: Directory;
  readonly secrets: { readonly [P in ProviderName]?: string | undefined };
  readonly observer: DirectoryObserver;
  /** Where an iSpring CONFIRMATION's code is said. */
  readonly onConfirmation: (provider: ProviderName, code: string) => void;
}

/** What a delivery asks for, once its body is read. */
type Delivery =
  | { readonly kind: 'users'; readonly ids: readonly string[] }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'confirmation'; readonly code: string };

class MalformedDelivery extends Error {}

export function webhookRouter(options: WebhookOptions): Router {
  const router = express.Router();
  const raw = express.raw({ type: () => true, limit: MAX_DELIVERY_BYTES });
  for (const provider of ['thrive', 'ispring'] as const) {
    const secret = options.secrets[provider];
    if (secret === undefined || !options.directory.providers().includes(provider)) continue;
    router.post(`/webhooks/${provider}`, raw, handler(provider, secret, options));
  }
  return router;
}

function handler(provider: ProviderName, secret: string, options: WebhookOptions): RequestHandler {
  const verify = provider === 'thrive' ? verifyThrive : verifyIspring;
  const read = provider === 'thrive' ? readThriveDelivery : readIspringDelivery;
  const report = (outcome: WebhookOutcome, users = 0) =>
    options.observer.webhook({ provider, outcome, users });

  return (req, res, next) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signed = verify(req.headers, body, secret);
    if (signed !== true) {
      report('bad_signature');
      res.status(401).json({ error: { code: 'BAD_SIGNATURE', message: signed } });
      return;
    }
    let delivery: Delivery;
    try {
      delivery = read(body);
    } catch (error) {
      report('malformed');
      res.status(400).json({
        error: {
          code: 'MALFORMED_DELIVERY',
          message: error instanceof Error ? error.message : String(error),
        },
      });
      return;
    }
    if (delivery.kind === 'ignored') {
      report('ignored');
      res.status(200).json({ accepted: 0, ignored: delivery.reason });
      return;
    }
    if (delivery.kind === 'confirmation') {
      report('confirmation');
      options.onConfirmation(provider, delivery.code);
      res.status(200).json({ confirmation: true });
      return;
    }
    options.directory.usersChanged(provider, delivery.ids).then((applied) => {
      report('accepted', delivery.ids.length);
      if (applied) res.status(200).json({ accepted: delivery.ids.length });
      else {
        res.status(503).json({
          error: {
            code: 'CHANGE_NOT_APPLIED',
            message: `The users this delivery names could not be read from ${provider} now; deliver it again later.`,
          },
        });
      }
    }, next);
  };
}

// --- signatures ------------------------------------------------------------------------------

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** True, or what is wrong with the signature. */
function verifyThrive(headers: Headers, body: Buffer, secret: string): true | string {
  const header = single(headers['x-hmac-signature']);
  if (header === undefined) return 'The delivery has no x-hmac-signature header.';
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(header.trim())?.[1];
  if (hex === undefined) return 'The x-hmac-signature header is not of the form sha256=<64 hex digits>.';
  const expected = createHmac('sha256', secret).update(body).digest();
  return sameBytes(expected, Buffer.from(hex, 'hex'))
    ? true
    : 'The x-hmac-signature does not match the body.';
}

function verifyIspring(headers: Headers, body: Buffer, secret: string): true | string {
  const header = single(headers['x-hub-signature']);
  if (header === undefined) return 'The delivery has no X-Hub-Signature header.';
  const hex = /^(?:sha256=)?([0-9a-f]{64})$/i.exec(header.trim())?.[1];
  if (hex === undefined) return 'The X-Hub-Signature header is not 64 hex digits (a SHA-256).';
  const expected = createHash('sha256').update(body).update(secret, 'utf8').digest();
  return sameBytes(expected, Buffer.from(hex, 'hex')) ? true : 'The X-Hub-Signature does not match the body.';
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// --- payloads --------------------------------------------------------------------------------

const THRIVE_USER_EVENTS = new Set(['user.created', 'user.activated', 'user.deactivated', 'user.updated']);

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new MalformedDelivery(
      `Expected a JSON body; got ${body.length === 0 ? 'an empty body' : `${body.length} bytes that are not JSON`}.`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readThriveDelivery(body: Buffer): Delivery {
  const delivery = parseJson(body);
  if (!isObject(delivery) || typeof delivery.eventType !== 'string') {
    throw new MalformedDelivery('Expected an object with a string eventType (a Thrive webhook delivery).');
  }
  if (!THRIVE_USER_EVENTS.has(delivery.eventType)) {
    return { kind: 'ignored', reason: `event type ${delivery.eventType.slice(0, 60)} is not a user event` };
  }
  if (delivery.user === null || delivery.user === undefined) {
    return { kind: 'ignored', reason: 'the delivery names no user (user: null)' };
  }
  const id = isObject(delivery.user) ? delivery.user.id : undefined;
  if (typeof id !== 'string' || !isValidExternalId('thrive', id)) {
    throw new MalformedDelivery('Expected user.id to be a Thrive user id (letters, digits, "_" or "-").');
  }
  return { kind: 'users', ids: [id] };
}

function readIspringDelivery(body: Buffer): Delivery {
  const delivery = parseJson(body);
  if (!isObject(delivery) || typeof delivery.type !== 'string' || !Array.isArray(delivery.payloads)) {
    throw new MalformedDelivery(
      'Expected an object with a string type and a payloads array (an iSpring webhook delivery).',
    );
  }
  if (delivery.type === 'CONFIRMATION') {
    const first: unknown = delivery.payloads[0];
    const payload = typeof first === 'string' ? safeParse(first) : first;
    const code = isObject(payload) ? payload.code : undefined;
    if (typeof code !== 'string' || code === '') {
      throw new MalformedDelivery('Expected a CONFIRMATION payload holding a code.');
    }
    return { kind: 'confirmation', code };
  }
  if (delivery.type !== 'USER_REGISTERED') {
    return { kind: 'ignored', reason: `event type ${delivery.type.slice(0, 60)} is not a user event` };
  }
  const ids: string[] = [];
  for (const [index, payload] of delivery.payloads.entries()) {
    const id =
      isObject(payload) && typeof payload.userId === 'string' ? payload.userId.toLowerCase() : undefined;
    if (id === undefined || !isValidExternalId('ispring', id)) {
      throw new MalformedDelivery(`Expected payloads[${index}].userId to be an iSpring user id (a UUID).`);
    }
    ids.push(id);
  }
  return ids.length === 0
    ? { kind: 'ignored', reason: 'the delivery names no user' }
    : { kind: 'users', ids };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
