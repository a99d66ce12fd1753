import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack } from '../helpers/stack.ts';

/**
 * `CORS_ORIGINS` as a browser meets it: headless Chromium, on a page of a listed origin and on one
 * of another, calls the subgraph the way a web app's GraphQL client does (a JSON POST with custom
 * headers, so a preflight first). The headers themselves: test/subgraph/cors.test.ts.
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SECRET = 'router-shared-secret-for-cors-0123456789';
const thriveId = `thrive:${DEMO.thrive.multiPosition}`;
const BODY = JSON.stringify({
  query: `query OneUser($id: ID!) { user(id: $id) { id } }`,
  variables: { id: thriveId },
});

describe('CORS_ORIGINS in a real browser', () => {
  it(
    'a page of a listed origin reads the answer; a page of another origin is stopped by the browser',
    { timeout: 60_000 },
    async () => {
      if (!existsSync(CHROMIUM_PATH))
        throw new Error(
          `No Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH).`,
        );
      // Two web apps on loopback, on ports of their own: two origins that are not the subgraph's.
      const app = http.createServer((_req, res) =>
        res.setHeader('content-type', 'text/html').end('<!doctype html><title>app</title>'),
      );
      const other = http.createServer((_req, res) =>
        res.setHeader('content-type', 'text/html').end('<!doctype html><title>other</title>'),
      );
      const listen = (server: http.Server) =>
        new Promise<string>((resolve) =>
          server.listen(0, '127.0.0.1', () =>
            resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
          ),
        );
      const appOrigin = await listen(app);
      const otherOrigin = await listen(other);
      const stack = await startStack({ corsOrigins: [appOrigin], routerSecret: SECRET });
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        // What a web app's GraphQL client does: a JSON POST with the router's header (so a preflight).
        const call = (url: string) =>
          page.evaluate(
            async ({ url, body, secret }) => {
              try {
                const response = await fetch(url, {
                  method: 'POST',
                  headers: {
                    'content-type': 'application/json',
                    'router-authorization': secret,
                    'x-request-id': 'from-the-browser',
                  },
                  body,
                });
                return {
                  status: response.status,
                  requestId: response.headers.get('x-request-id'),
                  body: await response.json(),
                };
              } catch (error) {
                return { failed: String(error) };
              }
            },
            { url, body: BODY, secret: SECRET },
          );

        await page.goto(appOrigin);
        expect(await call(stack.subgraph.url)).toEqual({
          status: 200,
          requestId: 'from-the-browser',
          body: { data: { user: { id: thriveId } } },
        });

        await page.goto(otherOrigin);
        expect(await call(stack.subgraph.url)).toEqual({
          failed: expect.stringContaining('Failed to fetch'),
        });
      } finally {
        await browser.close();
        await stack.close();
        app.close();
        other.close();
      }
    },
  );
});
