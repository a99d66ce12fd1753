import http from 'node:http';
import https from 'node:https';
import { got, type CancelableRequest, type Got, type Response } from 'got';

/**
 * got as every request of this project uses it, data and token requests alike: one keep-alive
 * agent per protocol, and nothing of got's own machinery that this layer does itself (retries,
 * status errors, redirects): see `exchange.ts` and `client.ts`.
 */

/**
 * Agents shared by every client: keep-alive, so each upstream request reuses a socket. The sockets
 * per host are bounded by each provider's in-flight bound (`*_MAX_IN_FLIGHT`, at most 1000), not
 * here: a lower bound here would queue requests out of sight of the deadline and the metrics.
 */
const keepAliveAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
};

/** Base options for every got instance of this project (token endpoints included). */
export function createGot(options: {
  baseUrl: string;
  timeoutMs: number;
  headers?: Record<string, string>;
}): Got {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    timeout: { request: options.timeoutMs },
    agent: keepAliveAgents,
    // Status codes are interpreted by `statusError`, in one place.
    throwHttpErrors: false,
    // Retries belong to the resilience layer; got's own would retry behind its back.
    retry: { limit: 0 },
    followRedirect: false,
    responseType: 'text',
    headers: { 'user-agent': 'learning-directory-subgraph', ...options.headers },
  });
}

/** A response body larger than the bound: the request was cancelled before it was all read. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The response body is larger than ${maxBytes} bytes.`);
  }
}

/**
 * Awaits a got request, cancelling it as soon as its body is known to exceed `maxBytes`: from
 * `Content-Length` before any of it is read, or from the bytes read so far (after decompression)
 * when it has none. Throws `BodyTooLargeError` then.
 */
export async function receive(
  request: CancelableRequest<Response<string>>,
  maxBytes: number,
): Promise<Response<string>> {
  let tooLarge = false;
  request.on('downloadProgress', (progress) => {
    if (!tooLarge && (progress.transferred > maxBytes || (progress.total ?? 0) > maxBytes)) {
      tooLarge = true;
      request.cancel();
    }
  });
  try {
    return await request;
  } catch (error) {
    if (tooLarge) throw new BodyTooLargeError(maxBytes);
    throw error;
  }
}
