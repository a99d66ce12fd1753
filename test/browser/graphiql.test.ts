import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_EXAMPLES } from '../../src/graphiql/examples.ts';
import { GRAPHIQL_ASSETS_PATH } from '../../src/graphiql/index.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';

/**
 * GraphiQL as a user meets it: the page the subgraph serves to a browser at /graphql, its assets
 * (from node_modules, never a CDN: the machines have no internet), the example tabs against the
 * sandbox organisation, and a real headless Chromium that loads the page and runs the first tab.
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT_PATH = fileURLToPath(new URL('../../test-results/graphiql.png', import.meta.url));

let stack: Stack;
let origin: string;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await startStack();
  origin = new URL(stack.subgraph.url).origin;
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

async function fetchPage(): Promise<string> {
  const response = await fetch(stack.subgraph.url, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  return response.text();
}

/**
 * GET with the path sent exactly as written (fetch would resolve `..` and `%2e%2e` first) and only
 * the headers given (fetch adds `cache-control: no-cache` to a conditional request).
 */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${origin}/`, { path, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject);
  });
}

describe('the GraphiQL page', () => {
  it('answers a browser at /graphql with HTML whose scripts and styles are all served from /graphiql', async () => {
    const html = await fetchPage();
    expect(html).toContain('<title>Learning directory subgraph — GraphiQL</title>');

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="/);
      // No inline script: a strict script-src 'self' in front of the subgraph must not break the page.
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);

    const references = [...html.matchAll(/<(script|link)\b[^>]*\b(?:src|href)="([^"]+)"/gi)].map(
      ([, tag, url]) => ({ tag: tag!.toLowerCase(), url: url! }),
    );
    expect(references.filter((r) => r.tag === 'link').length).toBeGreaterThanOrEqual(1);
    for (const { tag, url } of references) {
      expect(url.startsWith(`${GRAPHIQL_ASSETS_PATH}/`), url).toBe(true);
      const resolved = new URL(url, stack.subgraph.url);
      expect(resolved.origin).toBe(origin);
      const response = await fetch(resolved);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toMatch(
        tag === 'script' ? /^text\/javascript/ : /^text\/css/,
      );
      expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
    }

    // No CDN: no absolute URL at all, to this host or any other.
    const absoluteUrls = [...html.matchAll(/(?:https?:)?\/\/[^\s"'<>]+/gi)].map(([url]) => url);
    expect(absoluteUrls.filter((url) => new URL(url, stack.subgraph.url).origin !== origin)).toEqual([]);
  });

  it('serves the assets to be cached for good, and answers a revalidation with 304', async () => {
    const html = await fetchPage();
    const scriptUrl = /<script\b[^>]*\bsrc="([^"]*graphiql[^"]*\.js)"/.exec(html)?.[1];
    expect(scriptUrl).toBeDefined();
    const first = await rawGet(scriptUrl!);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toMatch(/\bimmutable\b/);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    const etag = first.headers.etag;
    expect(etag).toBeTruthy();

    const again = await rawGet(scriptUrl!, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers 404, and never a file, for anything under /graphiql outside its allow-list', async () => {
    const html = await fetchPage();
    const servedName = /\bsrc="\/graphiql\/(graphiql\.min\.[0-9a-f]+\.js)"/.exec(html)?.[1];
    expect(servedName).toBeDefined();
    const attempts = [
      '/graphiql/../package.json',
      '/graphiql/%2e%2e/package.json',
      '/graphiql/%2E%2E%2Fpackage.json',
      '/graphiql/..%2f..%2fpackage.json',
      `/graphiql/../graphiql/${servedName}/../../package.json`,
      '/graphiql//etc/passwd',
      '/graphiql/nope.js',
      // The packages' own names: only the hashed names of the page are served.
      '/graphiql/graphiql.min.js',
      '/graphiql/graphiql.min.js.map',
      '/graphiql/index.umd.js.map',
      '/graphiql/',
      '/graphiql',
    ];
    for (const path of attempts) {
      const answer = await rawGet(path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers['content-type'] ?? '', path).not.toMatch(/javascript|css/);
      expect(answer.body, path).not.toContain('"dependencies"');
      expect(answer.body, path).not.toContain('root:');
      expect(answer.body.length, path).toBeLessThan(1000);
    }
  });
});

describe('the example tabs', () => {
  it('are named operations, and the first one asks for the sandbox user the browser test expects', () => {
    expect(SANDBOX_EXAMPLES.length).toBeGreaterThanOrEqual(5);
    for (const example of SANDBOX_EXAMPLES) {
      expect(example.query).toMatch(/^\s*query [A-Z]\w*/m);
      expect(example.query).toMatch(/^#/);
    }
    expect(SANDBOX_EXAMPLES[0]!.query).toContain(`"ispring:${DEMO.ispring.inheritsThroughTwoDepartments}"`);
    expect(SANDBOX_EXAMPLES.some((example) => example.query.includes('_entities('))).toBe(true);
    expect(SANDBOX_EXAMPLES.some((example) => example.query.includes('_service'))).toBe(true);
  });

  it.each(SANDBOX_EXAMPLES.map((example) => [/query (\w+)/.exec(example.query)![1]!, example] as const))(
    '%s returns data without errors against the sandbox',
    async (_name, example) => {
      const response = await stack.query(example.query, example.variables as Record<string, unknown>);
      expect(response.errors).toBeUndefined();
      const fields = Object.entries(response.data ?? {});
      expect(fields.length).toBeGreaterThan(0);
      for (const [field, value] of fields) {
        // null is what an id no one has gives: every id of the examples must find something.
        expect(value, field).not.toBeNull();
        if (Array.isArray(value)) {
          expect(value.length, field).toBeGreaterThan(0);
          expect(value, field).not.toContain(null);
        }
      }
    },
  );
});

describe('GraphiQL in a real browser', () => {
  it('loads from the subgraph alone and runs the first example tab', { timeout: 60_000 }, async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(
        `No Chromium at ${CHROMIUM_PATH}. Install Debian's chromium package ` +
          '(apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.',
      );
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      timeout: 30_000,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        // The machine has no network: background fetches would only pile up refused connections.
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // A fresh context: no tabs stored from an earlier visit, so GraphiQL opens the example tabs.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);

    const foreignRequests: string[] = [];
    const graphqlPosts: Array<{ method: string; contentType: string | undefined; body: string }> = [];
    await page.route('**/*', async (route) => {
      const request = route.request();
      if (new URL(request.url()).origin !== origin) {
        foreignRequests.push(request.url());
        return route.abort('blockedbyclient');
      }
      if (new URL(request.url()).pathname === '/graphql' && request.method() !== 'GET') {
        graphqlPosts.push({
          method: request.method(),
          contentType: request.headers()['content-type'],
          body: request.postData() ?? '',
        });
      }
      return route.continue();
    });
    const browserErrors: string[] = [];
    page.on('pageerror', (error) => browserErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(`console: ${message.text()}`);
    });

    const navigation = await page.goto(stack.subgraph.url);
    expect(navigation?.status()).toBe(200);
    expect(await page.title()).toBe('Learning directory subgraph — GraphiQL');

    // GraphiQL 4 edits with CodeMirror 5, whose element holds its editor instance.
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    await queryEditor.waitFor();
    await expect
      .poll(() => page.locator('.graphiql-tab').count(), { timeout: 10_000 })
      .toBe(SANDBOX_EXAMPLES.length);
    const firstTabTitle = /query (\w+)/.exec(SANDBOX_EXAMPLES[0]!.query)![1]!;
    await expect
      .poll(() => page.locator('.graphiql-tab-active').innerText(), { timeout: 10_000 })
      .toContain(firstTabTitle);
    expect(await queryEditor.evaluate((element: any) => element.CodeMirror.getValue())).toBe(
      SANDBOX_EXAMPLES[0]!.query,
    );

    await page.locator('button.graphiql-execute-button').click();
    const responseEditor = page.locator('.graphiql-response .CodeMirror');
    await responseEditor.waitFor();
    await expect
      .poll(() => responseEditor.evaluate((element: any) => element.CodeMirror.getValue() as string), {
        timeout: 20_000,
      })
      .toContain('"data"');
    const shown = JSON.parse(
      await responseEditor.evaluate((element: any) => element.CodeMirror.getValue() as string),
    ) as GraphQLResponse<{ user: { displayName: string } }>;

    // The name is the sandbox's own, not copied from a run.
    const noah = stack.sandbox.organisation.ispring.users.find(
      (user) => user.userId === DEMO.ispring.inheritsThroughTwoDepartments,
    )!;
    const field = (name: string) => noah.fields?.find((f) => f.name === name)?.value;
    expect(shown.errors).toBeUndefined();
    expect(shown.data?.user.displayName).toBe(`${field('FIRST_NAME')} ${field('LAST_NAME')}`);
    // What the browser shows is what a plain POST of the tab gets.
    expect(shown).toEqual(await stack.query(SANDBOX_EXAMPLES[0]!.query));

    const execution = graphqlPosts.find((post) => post.body.includes(firstTabTitle));
    expect(execution).toMatchObject({ method: 'POST', contentType: 'application/json' });

    await mkdir(path.dirname(SCREENSHOT_PATH), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_PATH });
    console.log(`GraphiQL screenshot: ${SCREENSHOT_PATH}`);

    expect(foreignRequests).toEqual([]);
    expect(browserErrors).toEqual([]);
  });
});
