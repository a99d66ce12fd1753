import { createHash, createHmac, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The vendors' outbound webhooks, as their docs describe them, sent by the sandboxes when the
 * organisation changes (changes.ts) to the URLs a test or `SANDBOX_WEBHOOK_*` configures:
 *
 * - Thrive (`user_subscription`): `{"eventType","tenantId","user":{id, reference, firstName,
 *   lastName, email, status, role}|null,"createdAt","dispatchedAt"}`, signed with
 *   `x-hmac-signature: sha256=<hex HMAC-SHA256(raw body, secret)>`; any 2xx is success.
 * - iSpring: `{"type":"USER_REGISTERED","payloads":[{userId, departmentId, login, email}]}`,
 *   registrations made together (in one tick) sent as one list; `{"type":"CONFIRMATION",
 *   "payloads":["{\"code\":\"…\"}"]}` when a subscription is set up (`sendConfirmation`); signed with
 *   `X-Hub-Signature: <hex SHA-256(raw body + secret)>` (a plain hash of the concatenation, not an
 *   HMAC); only 200 is success.
 *
 * Each provider's deliveries go out one at a time, in order; one that fails (another status, a
 * connection error, no answer within `timeoutMs`) is tried again after a backoff that doubles, up to
 * `attempts` in all (the vendors retry for longer: Thrive five times, iSpring for a day; here it is
 * bounded to seconds), and the next waits for it. Every delivery is recorded with its attempts.
 * Tests can hold a provider's deliveries and release them in another order, replay one, or send
 * one with a bad or no signature.
 */

export type WebhookProvider = 'thrive' | 'ispring';

export interface WebhookTarget {
  /** Where deliveries are POSTed: http or https. */
  readonly url: string;
  readonly secret: string;
}

export interface WebhookSettings {
  /** `null` stops deliveries for that provider; absent leaves it as it is. */
  readonly thrive?: WebhookTarget | null;
  readonly ispring?: WebhookTarget | null;
  /** Attempts per delivery, the first included: 1 to 10, default 5. */
  readonly attempts?: number;
  /** The wait before the second attempt, doubling after each: 0 to 10,000 ms, default 100. */
  readonly backoffMs?: number;
  /** How long one attempt may take: 1 to 60,000 ms, default 5,000 (the vendors allow 30 s). */
  readonly timeoutMs?: number;
}

/** How a delivery is signed: as the vendor signs it, with another secret than the configured one, or not at all. */
export type WebhookSignature = 'valid' | 'invalid' | 'missing';

export interface WebhookAttempt {
  /** `Date.now()` when the attempt started. */
  readonly at: number;
  /** The status answered; absent when none was (`error` says why). */
  readonly status?: number;
  /** A connection error or `timeout`. */
  readonly error?: string;
  readonly ms: number;
}

/**
 * `held`: waiting for `release`; `queued`: waiting for the deliveries before it; `sending`: an
 * attempt or a backoff under way; `delivered`: a success status; `failed`: every attempt failed;
 * `abandoned`: the sandbox closed first.
 */
export type WebhookDeliveryState = 'held' | 'queued' | 'sending' | 'delivered' | 'failed' | 'abandoned';

export interface WebhookDelivery {
  /** 1, 2, … in the order deliveries were made, over both providers. */
  readonly id: number;
  readonly provider: WebhookProvider;
  /** Thrive's `eventType`, iSpring's `type` (`USER_REGISTERED`, `CONFIRMATION`), or what `send` was given. */
  readonly event: string;
  readonly url: string;
  /** The raw body, as signed and sent on every attempt. */
  readonly body: string;
  /** The request headers, the signature's among them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signature: WebhookSignature;
  /** The delivery this one replays (`replay`). */
  readonly replayOf?: number;
  readonly state: WebhookDeliveryState;
  readonly attempts: readonly WebhookAttempt[];
  /** The status of the last attempt, when it got one. */
  readonly status?: number;
}

/** A Thrive `user_subscription` event's `user`, with `reference` where the REST user has `ref`. */
export interface ThriveWebhookUser {
  readonly id: string;
  readonly reference: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly status: string | null;
  readonly role: string | null;
}

export type ThriveWebhookEvent = 'user.created' | 'user.activated' | 'user.deactivated' | 'user.updated';

/** One entry of an iSpring `USER_REGISTERED` delivery's `payloads`. */
export interface IspringRegistration {
  readonly userId: string;
  readonly departmentId: string;
  readonly login: string;
  readonly email: string;
}

export interface SandboxWebhooks {
  /** Sets targets and retry settings; what is absent stays. Throws a RangeError on a bad value. */
  configure(settings: WebhookSettings): void;
  readonly targets: { readonly thrive?: WebhookTarget; readonly ispring?: WebhookTarget };
  /** Every delivery since the start or the last `clear()`, in the order made. */
  readonly deliveries: readonly WebhookDelivery[];
  /**
   * Resolves once every delivery made so far (held ones aside) is delivered or has failed, iSpring
   * registrations not yet batched included. Rejects after `timeoutMs` (default 15,000).
   */
  settled(timeoutMs?: number): Promise<void>;
  /** From now on, the provider's deliveries (both when absent) wait, `held`, until `release`. */
  hold(provider?: WebhookProvider): void;
  /**
   * Sends the held deliveries and stops holding: in the order made, in `'reverse'`, or in the order
   * of the delivery ids given (which must be exactly the held ones of that provider).
   */
  release(provider?: WebhookProvider, order?: 'made' | 'reverse' | readonly number[]): void;
  /** Sends a past delivery's body again, to the same URL, signed as `signature` says (default as it was). */
  replay(id: number, options?: { readonly signature?: WebhookSignature }): WebhookDelivery;
  /**
   * Sends any body (an object is sent as its JSON) as the provider's delivery, signed as `signature`
   * says (default `valid`): for events the changes never make (Thrive's `"user": null`), or a bad signature.
   */
  send(
    provider: WebhookProvider,
    body: unknown,
    options?: { readonly signature?: WebhookSignature },
  ): WebhookDelivery;
  /** iSpring's `CONFIRMATION` delivery, with `code` (default a new UUID). */
  sendConfirmation(code?: string): WebhookDelivery;
  /** Empties the record (deliveries under way finish, unrecorded). */
  clear(): void;
}

/** What the changes API tells the webhooks. */
export interface WebhookEvents {
  thriveUser(event: ThriveWebhookEvent, user: ThriveWebhookUser, atMs: number): void;
  ispringRegistered(registration: IspringRegistration): void;
}

export interface WebhookDispatcher extends SandboxWebhooks, WebhookEvents {
  /** Abandons what is queued, aborts what is under way, and stops. */
  close(): void;
}

/** Registrations in one iSpring delivery at most. */
export const MAX_REGISTRATIONS_PER_DELIVERY = 500;

const DEFAULTS = { attempts: 5, backoffMs: 100, timeoutMs: 5000 };

interface Internal {
  delivery: MutableDelivery;
  secret: string;
}

type MutableDelivery = {
  -readonly [K in keyof WebhookDelivery]: WebhookDelivery[K];
} & { attempts: WebhookAttempt[] };

interface Lane {
  target: WebhookTarget | undefined;
  holding: boolean;
  held: Internal[];
  queue: Internal[];
  running: boolean;
}

/** `tenantId`: what Thrive's events carry. */
export function createWebhookDispatcher(options: {
  readonly tenantId: string;
  readonly settings?: WebhookSettings;
}): WebhookDispatcher {
  const tenantId = options.tenantId;
  let retry = { ...DEFAULTS };
  const lanes: Record<WebhookProvider, Lane> = {
    thrive: { target: undefined, holding: false, held: [], queue: [], running: false },
    ispring: { target: undefined, holding: false, held: [], queue: [], running: false },
  };
  let deliveries: MutableDelivery[] = [];
  const internals = new Map<number, Internal>();
  let nextId = 1;
  let closed = false;
  /** iSpring registrations made in this tick, and the target they go to. */
  let batch: { target: WebhookTarget; registrations: IspringRegistration[] } | undefined;
  let batchTimer: NodeJS.Immediate | undefined;
  const inFlight = new Set<AbortController>();
  /** Backoffs under way, each with what ends it early (`close`). */
  const timers = new Map<NodeJS.Timeout, () => void>();
  let idleWaiters: Array<() => void> = [];

  const checkTarget = (provider: WebhookProvider, target: WebhookTarget): WebhookTarget => {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new RangeError(
        `The ${provider} webhook URL must be an absolute http(s) URL; got ${JSON.stringify(target.url)}.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RangeError(
        `The ${provider} webhook URL must be http or https; got ${JSON.stringify(url.protocol)}.`,
      );
    }
    if (typeof target.secret !== 'string' || target.secret === '') {
      throw new RangeError(`The ${provider} webhook secret must be a non-empty string.`);
    }
    return Object.freeze({ url: target.url, secret: target.secret });
  };

  const checkWhole = (
    name: string,
    value: number | undefined,
    min: number,
    max: number,
    fallback: number,
  ) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(
        `Webhook ${name} must be a whole number from ${min} to ${max}; got ${String(value)}.`,
      );
    }
    return value;
  };

  const configure = (settings: WebhookSettings): void => {
    // Everything is checked before anything changes.
    const next = {
      attempts: checkWhole('attempts', settings.attempts, 1, 10, retry.attempts),
      backoffMs: checkWhole('backoffMs', settings.backoffMs, 0, 10_000, retry.backoffMs),
      timeoutMs: checkWhole('timeoutMs', settings.timeoutMs, 1, 60_000, retry.timeoutMs),
    };
    const targets: Partial<Record<WebhookProvider, WebhookTarget | null>> = {};
    for (const provider of ['thrive', 'ispring'] as const) {
      const target = settings[provider];
      if (target === undefined) continue;
      targets[provider] = target === null ? null : checkTarget(provider, target);
    }
    retry = next;
    for (const [provider, target] of Object.entries(targets) as Array<
      [WebhookProvider, WebhookTarget | null]
    >) {
      lanes[provider].target = target ?? undefined;
    }
  };

  const sign = (
    provider: WebhookProvider,
    body: string,
    secret: string,
    signature: WebhookSignature,
  ): Record<string, string> => {
    if (signature === 'missing') return {};
    // Signed with another secret: well formed, and wrong.
    const key = signature === 'valid' ? secret : `${secret}-not-the-secret`;
    return provider === 'thrive'
      ? { 'x-hmac-signature': `sha256=${createHmac('sha256', key).update(body).digest('hex')}` }
      : {
          'X-Hub-Signature': createHash('sha256')
            .update(body + key)
            .digest('hex'),
        };
  };

  const make = (
    provider: WebhookProvider,
    target: WebhookTarget,
    event: string,
    body: string,
    signature: WebhookSignature,
    replayOf?: number,
  ): Internal => {
    const delivery: MutableDelivery = {
      id: nextId++,
      provider,
      event,
      url: target.url,
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'learning-directory-sandbox',
        ...sign(provider, body, target.secret, signature),
      },
      signature,
      ...(replayOf === undefined ? {} : { replayOf }),
      state: 'queued',
      attempts: [],
    };
    const internal: Internal = { delivery, secret: target.secret };
    deliveries.push(delivery);
    internals.set(delivery.id, internal);
    return internal;
  };

  const enqueue = (internal: Internal): WebhookDelivery => {
    const lane = lanes[internal.delivery.provider];
    if (closed) {
      internal.delivery.state = 'abandoned';
    } else if (lane.holding) {
      internal.delivery.state = 'held';
      lane.held.push(internal);
    } else {
      lane.queue.push(internal);
      run(internal.delivery.provider);
    }
    return internal.delivery;
  };

  const targetOf = (provider: WebhookProvider): WebhookTarget => {
    const target = lanes[provider].target;
    if (!target) throw new Error(`No ${provider} webhook URL is configured (webhooks.configure).`);
    return target;
  };

  const flushBatch = (): void => {
    if (batchTimer) clearImmediate(batchTimer);
    batchTimer = undefined;
    const pending = batch;
    batch = undefined;
    if (!pending) return;
    for (let start = 0; start < pending.registrations.length; start += MAX_REGISTRATIONS_PER_DELIVERY) {
      const payloads = pending.registrations.slice(start, start + MAX_REGISTRATIONS_PER_DELIVERY);
      const body = JSON.stringify({ type: 'USER_REGISTERED', payloads });
      enqueue(make('ispring', pending.target, 'USER_REGISTERED', body, 'valid'));
    }
  };

  const isIdle = () =>
    batch === undefined && Object.values(lanes).every((lane) => !lane.running && lane.queue.length === 0);

  const wakeIdle = () => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.set(timer, resolve);
    });

  const run = (provider: WebhookProvider): void => {
    const lane = lanes[provider];
    if (lane.running) return;
    lane.running = true;
    void (async () => {
      try {
        for (let internal = lane.queue.shift(); internal && !closed; internal = lane.queue.shift()) {
          try {
            await deliver(internal);
          } catch (error) {
            // A bug here must not stop the lane: the delivery fails, and says why.
            internal.delivery.state = 'failed';
            internal.delivery.attempts.push({ at: Date.now(), error: String(error), ms: 0 });
          }
        }
      } finally {
        lane.running = false;
        wakeIdle();
      }
    })();
  };

  const success = (provider: WebhookProvider, status: number) =>
    provider === 'thrive' ? status >= 200 && status < 300 : status === 200;

  const deliver = async (internal: Internal): Promise<void> => {
    const { delivery } = internal;
    delivery.state = 'sending';
    for (let attempt = 1; attempt <= retry.attempts; attempt += 1) {
      if (closed) break;
      const result = await post(delivery);
      delivery.attempts.push(result);
      if (result.status !== undefined) delivery.status = result.status;
      if (result.status !== undefined && success(delivery.provider, result.status)) {
        delivery.state = 'delivered';
        return;
      }
      if (attempt < retry.attempts && !closed) await wait(retry.backoffMs * 2 ** (attempt - 1));
    }
    delivery.state = closed ? 'abandoned' : 'failed';
  };

  const post = (delivery: WebhookDelivery): Promise<WebhookAttempt> => {
    const at = Date.now();
    const started = performance.now();
    const controller = new AbortController();
    inFlight.add(controller);
    return new Promise<WebhookAttempt>((resolve) => {
      let done = false;
      const finish = (outcome: { status?: number; error?: string }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        inFlight.delete(controller);
        resolve({ at, ...outcome, ms: Math.round(performance.now() - started) });
      };
      const timer = setTimeout(() => {
        finish({ error: 'timeout' });
        controller.abort();
      }, retry.timeoutMs);
      const url = new URL(delivery.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const body = Buffer.from(delivery.body, 'utf8');
      // A connection per delivery (no keep-alive), so that nothing stays open towards the receiver.
      const req = send(
        url,
        {
          method: 'POST',
          agent: false,
          headers: { ...delivery.headers, 'content-length': String(body.length) },
          signal: controller.signal,
        },
        (res: IncomingMessage) => {
          res.on('error', () => {});
          res.resume();
          res.on('end', () => finish({ status: res.statusCode ?? 0 }));
          res.on('close', () => finish({ status: res.statusCode ?? 0 }));
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => finish({ error: error.code ?? error.message }));
      req.end(body);
    });
  };

  const dispatcher: WebhookDispatcher = {
    configure,
    get targets() {
      return {
        ...(lanes.thrive.target ? { thrive: lanes.thrive.target } : {}),
        ...(lanes.ispring.target ? { ispring: lanes.ispring.target } : {}),
      };
    },
    get deliveries() {
      return deliveries;
    },
    settled(timeoutMs = 15_000) {
      flushBatch();
      if (isIdle()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          idleWaiters = idleWaiters.filter((waiter) => waiter !== wake);
          const pending = deliveries.filter((d) => d.state === 'queued' || d.state === 'sending');
          reject(
            new Error(
              `Webhook deliveries did not settle within ${timeoutMs} ms: ${pending.map((d) => `#${d.id} ${d.provider} ${d.event} (${d.state}, ${d.attempts.length} attempts)`).join(', ')}.`,
            ),
          );
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        idleWaiters.push(wake);
      });
    },
    hold(provider) {
      for (const name of provider ? [provider] : (['thrive', 'ispring'] as const)) {
        if (name === 'ispring') flushBatch();
        lanes[name].holding = true;
      }
    },
    release(provider, order = 'made') {
      if (Array.isArray(order) && provider === undefined) {
        throw new RangeError(
          'release(provider, ids) needs the provider whose held deliveries the ids order.',
        );
      }
      if (provider === 'ispring' || provider === undefined) flushBatch();
      for (const name of provider ? [provider] : (['thrive', 'ispring'] as const)) {
        const lane = lanes[name];
        let held = lane.held;
        if (order === 'reverse') held = [...held].reverse();
        else if (Array.isArray(order)) {
          const ids = order as readonly number[];
          const byId = new Map(held.map((internal) => [internal.delivery.id, internal]));
          if (
            ids.length !== held.length ||
            !ids.every((id) => byId.has(id)) ||
            new Set(ids).size !== ids.length
          ) {
            throw new RangeError(
              `release(${name}, order) must list exactly the held ${name} deliveries (${held.map((internal) => internal.delivery.id).join(', ') || 'none'}); got ${ids.join(', ') || 'none'}.`,
            );
          }
          held = ids.map((id) => byId.get(id)!);
        }
        lane.holding = false;
        lane.held = [];
        for (const internal of held) {
          internal.delivery.state = 'queued';
          lane.queue.push(internal);
        }
        if (lane.queue.length > 0) run(name);
      }
    },
    replay(id, replayOptions = {}) {
      // Registrations batched before this were made first, and go first.
      flushBatch();
      const original = internals.get(id);
      if (!original) throw new RangeError(`No webhook delivery #${id} to replay.`);
      const { delivery } = original;
      const target = { url: delivery.url, secret: original.secret };
      const signature = replayOptions.signature ?? delivery.signature;
      return enqueue(make(delivery.provider, target, delivery.event, delivery.body, signature, id));
    },
    send(provider, body, sendOptions = {}) {
      if (provider === 'ispring') flushBatch();
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      let event = 'custom';
      if (typeof body === 'object' && body !== null) {
        const named = (body as { eventType?: unknown; type?: unknown })[
          provider === 'thrive' ? 'eventType' : 'type'
        ];
        if (typeof named === 'string') event = named;
      }
      return enqueue(make(provider, targetOf(provider), event, text, sendOptions.signature ?? 'valid'));
    },
    sendConfirmation(code = randomUUID()) {
      flushBatch();
      const body = JSON.stringify({ type: 'CONFIRMATION', payloads: [JSON.stringify({ code })] });
      return enqueue(make('ispring', targetOf('ispring'), 'CONFIRMATION', body, 'valid'));
    },
    clear() {
      deliveries = [];
      internals.clear();
    },
    thriveUser(event, user, atMs) {
      const target = lanes.thrive.target;
      if (!target || closed) return;
      const body = JSON.stringify({
        eventType: event,
        tenantId,
        user,
        createdAt: new Date(atMs).toISOString(),
        dispatchedAt: new Date(Math.max(Date.now(), atMs)).toISOString(),
      });
      enqueue(make('thrive', target, event, body, 'valid'));
    },
    ispringRegistered(registration) {
      const target = lanes.ispring.target;
      if (!target || closed) return;
      // Registrations made together go as one list: those of this tick, to the same target.
      if (batch && batch.target !== target) flushBatch();
      if (!batch) {
        batch = { target, registrations: [] };
        batchTimer = setImmediate(flushBatch);
      }
      batch.registrations.push(registration);
    },
    close() {
      if (closed) return;
      flushBatch();
      closed = true;
      for (const lane of Object.values(lanes)) {
        for (const internal of [...lane.held, ...lane.queue]) internal.delivery.state = 'abandoned';
        lane.held = [];
        lane.queue = [];
      }
      for (const controller of inFlight) controller.abort();
      for (const [timer, end] of timers) {
        clearTimeout(timer);
        end();
      }
      timers.clear();
      // The lanes' loops end at their next step; whoever waits for them need not.
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const wake of waiters) wake();
    },
  };
  if (options.settings) configure(options.settings);
  return dispatcher;
}
