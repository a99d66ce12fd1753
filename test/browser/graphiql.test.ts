import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_EXAMPLES } from '../../src/graphiql/examples.ts';
import { GRAPHIQL_ASSETS_PATH } from '../../src/graphiql/index.ts';
import { DEMO } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';
import { syncAll } from '../helpers/directory.ts';

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
  // As `npm start` runs: the directory on (its tab needs it), its first full syncs applied.
  stack = await startStack({ directory: {} });
  await syncAll(stack);
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

    const references = [...html.matchAll(/<(script|link)\b([^>]*)\b(?:src|href)="([^"]+)"/gi)].map(
      ([, tag, attributes, url]) => ({
        tag: /\brel="icon"/.test(attributes!) ? 'icon' : tag!.toLowerCase(),
        url: url!,
      }),
    );
    expect(references.filter((r) => r.tag === 'link').length).toBeGreaterThanOrEqual(1);
    expect(references.filter((r) => r.tag === 'icon')).toHaveLength(1);
    const contentTypes: Record<string, RegExp> = {
      script: /^text\/javascript/,
      link: /^text\/css/,
      icon: /^image\/svg\+xml$/,
    };
    for (const { tag, url } of references) {
      expect(url.startsWith(`${GRAPHIQL_ASSETS_PATH}/`), url).toBe(true);
      const resolved = new URL(url, stack.subgraph.url);
      expect(resolved.origin).toBe(origin);
      const response = await fetch(resolved);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toMatch(contentTypes[tag]!);
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

  it('links a favicon the subgraph serves itself, an SVG cached like the other assets', async () => {
    const html = await fetchPage();
    const links = [...html.matchAll(/<link\b[^>]*>/gi)].map(([tag]) => tag);
    const icons = links.filter((tag) => /\brel="icon"/.test(tag));
    expect(icons).toHaveLength(1);
    expect(icons[0]).toMatch(/\btype="image\/svg\+xml"/);
    const href = /\bhref="([^"]+)"/.exec(icons[0]!)?.[1];
    expect(href).toMatch(new RegExp(`^${GRAPHIQL_ASSETS_PATH}/favicon\\.[0-9a-f]{12}\\.svg$`));

    const first = await rawGet(href!);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/svg+xml');
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // An image and nothing else: no script, no style, nothing fetched from elsewhere.
    expect(first.body).not.toMatch(/<script|<style|\bon[a-z]+=|href=/i);
    const again = await rawGet(href!, { 'if-none-match': first.headers.etag! });
    expect(again.status).toBe(304);
    // Only the hashed name is served.
    expect((await rawGet(`${GRAPHIQL_ASSETS_PATH}/favicon.svg`)).status).toBe(404);
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
  it('the _service tab says how to read its answer, and the command it gives prints the SDL', async () => {
    const example = SANDBOX_EXAMPLES.find((e) => e.query.includes('_service'))!;
    // The lines of the command, indented in the comment: curl … | node -p '…'.
    const command = example.query
      .split('\n')
      .filter((line) => /^# {3}/.test(line))
      .map((line) => line.slice(1).trim().replace(/\\$/, '').trim())
      .join(' ');
    expect(command).toMatch(/^curl -s http:\/\/localhost:4001\/graphql /);
    const body = /-d '([^']+)'/.exec(command)?.[1];
    expect(JSON.parse(body!)).toEqual({ query: '{ _service { sdl } }' });
    const reader = /\| (node -p '[^']+')$/.exec(command)?.[1];
    expect(reader).toBeDefined();

    // What curl would print, given to the reader as it is in the comment.
    const answer = await fetch(stack.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body!,
    });
    const text = await answer.text();
    const printed = spawnSync('sh', ['-c', reader!], { input: text, encoding: 'utf8', timeout: 10_000 });
    expect(printed.stderr).toBe('');
    const sdl = (JSON.parse(text) as GraphQLResponse<{ _service: { sdl: string } }>).data!._service.sdl;
    expect(printed.stdout).toBe(`${sdl}\n`);
    expect(printed.stdout).toMatch(/^type User\n/m);
    expect(printed.stdout.split('\n').length).toBeGreaterThan(100);
  });

  it('are named operations, and the first one asks for the sandbox user the browser test expects', () => {
    expect(SANDBOX_EXAMPLES.length).toBeGreaterThanOrEqual(5);
    for (const example of SANDBOX_EXAMPLES) {
      expect(example.query).toMatch(/^\s*query [A-Z]\w*/m);
      expect(example.query).toMatch(/^#/);
    }
    expect(SANDBOX_EXAMPLES[0]!.query).toContain(`"ispring:${DEMO.ispring.inheritsThroughTwoDepartments}"`);
    expect(SANDBOX_EXAMPLES.some((example) => example.query.includes('_entities('))).toBe(true);
    expect(SANDBOX_EXAMPLES.some((example) => example.query.includes('_service'))).toBe(true);
    // A person of the organisation held by both providers, asked for by a spelling of its email
    // that only the normalisation finds.
    const person = SANDBOX_EXAMPLES.find((example) => example.query.includes('person(email:'))!;
    expect(person.query).toContain(`ispring:${DEMO.sharedEmail.ispringId}`);
    expect(person.query).not.toContain(DEMO.sharedEmail.email);
    expect(person.query.toLowerCase()).toContain(DEMO.sharedEmail.email);
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

interface OpenedPage {
  page: Page;
  /** Every request the browser made, the page's and its own (the favicon's among them). */
  requests: string[];
  /** Requests to any other origin: refused before they leave, and listed to fail the test. */
  foreignRequests: string[];
  graphqlPosts: Array<{ method: string; contentType: string | undefined; body: string }>;
  browserErrors: string[];
}

/** A headless Chromium (one per file), and a fresh context on the GraphiQL page. */
async function openGraphiQL(): Promise<OpenedPage> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}. Install Debian's chromium package ` +
        '(apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  browser ??= await chromium.launch({
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

  const opened: OpenedPage = { page, requests: [], foreignRequests: [], graphqlPosts: [], browserErrors: [] };
  // Seen at the context, so that what the browser asks for itself (the favicon) is listed too.
  context.on('request', (request) => void opened.requests.push(request.url()));
  await context.route('**/*', async (route) => {
    const request = route.request();
    if (new URL(request.url()).origin !== origin) {
      opened.foreignRequests.push(request.url());
      return route.abort('blockedbyclient');
    }
    if (new URL(request.url()).pathname === '/graphql' && request.method() !== 'GET') {
      opened.graphqlPosts.push({
        method: request.method(),
        contentType: request.headers()['content-type'],
        body: request.postData() ?? '',
      });
    }
    return route.continue();
  });
  page.on('pageerror', (error) => opened.browserErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.browserErrors.push(`console: ${message.text()}`);
  });

  const navigation = await page.goto(stack.subgraph.url);
  expect(navigation?.status()).toBe(200);
  expect(await page.title()).toBe('Learning directory subgraph — GraphiQL');
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  await expect
    .poll(() => page.locator('.graphiql-tab').count(), { timeout: 10_000 })
    .toBe(SANDBOX_EXAMPLES.length);
  return opened;
}

/** Every request stayed on the machine: the subgraph's own origin, on loopback, and nothing else. */
function expectOnlyLocalRequests(opened: OpenedPage) {
  expect(opened.foreignRequests).toEqual([]);
  expect(opened.requests.length).toBeGreaterThan(0);
  for (const url of opened.requests) {
    expect(new URL(url).origin, url).toBe(origin);
    expect(['127.0.0.1', 'localhost', '[::1]'], url).toContain(new URL(url).hostname);
  }
}

const titleOf = (example: { query: string }) => /query (\w+)/.exec(example.query)![1]!;

/**
 * The lint marks of every CodeMirror editor in the page that lints (the query and variables
 * editors), after linting each afresh: what a user sees as squiggles and gutter markers.
 */
async function lintMarks(page: Page): Promise<Array<{ editor: string; marks: string[] }>> {
  return page.evaluate(() => {
    // Evaluated in the page (a DOM this project's compiler options do not type).
    const editors: any[] = [...(globalThis as any).document.querySelectorAll('.CodeMirror')];
    return editors
      .filter((element) => element.CodeMirror.getOption('lint'))
      .map((element) => {
        const cm = element.CodeMirror;
        cm.performLint();
        const marked = (cm.state.lint?.marked ?? []) as Array<{ __annotation?: { message?: string } }>;
        const inDom = [
          ...element.querySelectorAll('.CodeMirror-lint-mark-error, .CodeMirror-lint-mark-warning'),
          ...element.querySelectorAll('.CodeMirror-lint-marker-error, .CodeMirror-lint-marker-warning'),
        ];
        return {
          editor: element.closest('.graphiql-query-editor') ? 'query' : 'variables or headers',
          marks: [
            ...marked.map((mark) => mark.__annotation?.message ?? 'a lint mark'),
            ...inDom.map((node: any) => `${node.className}: ${node.textContent}`),
          ],
        };
      });
  });
}

describe('GraphiQL in a real browser', () => {
  it('loads from the subgraph alone and runs the first example tab', { timeout: 60_000 }, async () => {
    const opened = await openGraphiQL();
    const { page } = opened;

    // GraphiQL 4 edits with CodeMirror 5, whose element holds its editor instance.
    const queryEditor = page.locator('.graphiql-query-editor .CodeMirror');
    const firstTabTitle = titleOf(SANDBOX_EXAMPLES[0]!);
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

    const execution = opened.graphqlPosts.find((post) => post.body.includes(firstTabTitle));
    expect(execution).toMatchObject({ method: 'POST', contentType: 'application/json' });

    // The browser fetched the page's icon, from the subgraph.
    const iconHref = await page.locator('link[rel="icon"]').getAttribute('href');
    expect(iconHref).toMatch(/^\/graphiql\/favicon\.[0-9a-f]{12}\.svg$/);
    await expect
      .poll(() => opened.requests.includes(new URL(iconHref!, origin).href), { timeout: 10_000 })
      .toBe(true);

    await mkdir(path.dirname(SCREENSHOT_PATH), { recursive: true });
    await page.screenshot({ path: SCREENSHOT_PATH });
    console.log(`GraphiQL screenshot: ${SCREENSHOT_PATH}`);

    expectOnlyLocalRequests(opened);
    expect(opened.browserErrors).toEqual([]);
  });

  it(
    'shows no error marker in any example tab, the _entities one included',
    { timeout: 60_000 },
    async () => {
      const opened = await openGraphiQL();
      const { page } = opened;
      const editorValue = (selector: string) =>
        page.locator(selector).evaluate((element: any) => element.CodeMirror.getValue() as string);
      const setEditorValue = (selector: string, value: string) =>
        page
          .locator(selector)
          .evaluate((element: any, text: string) => element.CodeMirror.setValue(text), value);
      const QUERY = '.graphiql-query-editor .CodeMirror';
      const VARIABLES = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';

      const tabs = page.locator('.graphiql-tab');
      const checked: string[] = [];
      for (const [index, example] of SANDBOX_EXAMPLES.entries()) {
        await tabs.nth(index).locator('button.graphiql-tab-button').click();
        // GraphiQL swaps the editor's content after the tab switch; on a busy machine that takes
        // longer than the poll's default second.
        await expect
          .poll(() => page.locator('.graphiql-tab-active').innerText(), { timeout: 10_000 })
          .toContain(titleOf(example));
        await expect.poll(() => editorValue(QUERY), { timeout: 10_000 }).toBe(example.query);
        const marks = await lintMarks(page);
        expect(marks.map((e) => e.editor)).toContain('query');
        expect(marks, titleOf(example)).toEqual(marks.map((e) => ({ editor: e.editor, marks: [] })));
        checked.push(titleOf(example));
      }
      expect(checked).toContain('EntityRepresentations');

      // Then, in a new tab, that the linting works in this page and has the schema: a field the
      // schema lacks is marked in the query, and a variable the query does not declare in the
      // variables. Last, not first: on a busy machine a tab switch soon after a new tab was opened
      // showed the new tab's default query in the tab switched to.
      await page.locator('button.graphiql-tab-add').click();
      await expect.poll(() => page.locator('.graphiql-tab').count()).toBe(SANDBOX_EXAMPLES.length + 1);
      await setEditorValue(QUERY, 'query Probe {\n  noSuchField\n}\n');
      await expect
        .poll(async () => (await lintMarks(page)).find((e) => e.editor === 'query')?.marks ?? [], {
          timeout: 15_000,
        })
        .toContainEqual(expect.stringContaining('noSuchField'));
      await setEditorValue(VARIABLES, '{ "notDeclared": 1 }');
      await expect
        .poll(async () => (await lintMarks(page)).flatMap((e) => e.marks), { timeout: 10_000 })
        .toContainEqual(expect.stringContaining('notDeclared'));
      expectOnlyLocalRequests(opened);
      expect(opened.browserErrors).toEqual([]);
    },
  );
});
