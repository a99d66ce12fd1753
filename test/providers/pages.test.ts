import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadShapeError } from '../../src/errors.ts';
import { PayloadIssues } from '../../src/payload.ts';
import {
  pageWorkersStarted,
  readPageOffThread,
  stopPageWorker,
} from '../../src/providers/pages/off-thread.ts';
import { PAGE_READERS, type PageKind } from '../../src/providers/pages/readers.ts';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/credentials.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * The directory listing's pages read in the page-reading worker (`providers/pages/`): what comes
 * back equals what the same reader gives on this thread, for the sandbox's real page bodies in
 * every format, for bodies that fail, and for the issues a lenient decode notes; one worker serves
 * every read; and a worker that stops fails the reads in flight, and the next read starts another.
 */

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

async function body(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  expect(response.status, url).toBe(200);
  return response.text();
}

const ispring = SANDBOX_CREDENTIALS.ispring;
const ispringHeaders = (accept: string) => ({
  accept,
  'x-auth-account-url': ispring.accountUrl,
  'x-auth-email': ispring.email,
  'x-auth-password': ispring.password,
});
const thrive = SANDBOX_CREDENTIALS.thrive;
const thriveHeaders = {
  accept: 'application/json',
  authorization: `Basic ${Buffer.from(`${thrive.tenantId}:${thrive.apiSecret}`).toString('base64')}`,
};

/** The reader on this thread: its value and the issues it noted, or the shape error it threw. */
async function onThisThread(kind: PageKind, text: string, argument: unknown) {
  const issues = new PayloadIssues();
  const read = PAGE_READERS[kind] as (body: string, issues: PayloadIssues, argument: unknown) => unknown;
  try {
    return { value: await read(text, issues, argument), issues: issues.list() };
  } catch (error) {
    return { error };
  }
}

async function offThread(kind: PageKind, text: string, argument: unknown) {
  try {
    return await readPageOffThread(kind, text, argument as never);
  } catch (error) {
    return { error };
  }
}

describe('pages read in the worker', () => {
  it('equal what the reader gives on this thread, for every page body of the sandbox and for broken ones', async () => {
    const cases: Array<{ kind: PageKind; text: string; argument: unknown }> = [];
    for (const accept of ['application/xml', 'application/json']) {
      let token: string | undefined;
      do {
        const url = `${sandbox.ispring.baseUrl}/users/v2?pageSize=25${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`;
        const text = await body(url, ispringHeaders(accept));
        cases.push({ kind: 'ispringUsers', text, argument: undefined });
        const read = await PAGE_READERS.ispringUsers(text, new PayloadIssues());
        token = read.nextPageToken;
      } while (token !== undefined);
    }
    for (let page = 1; ; page += 1) {
      const text = await body(`${sandbox.thrive.baseUrl}/users?page=${page}&perPage=25`, thriveHeaders);
      cases.push({ kind: 'thriveUsers', text, argument: undefined });
      // The same page asked with an `updatedSince` after every user's last change.
      cases.push({ kind: 'thriveUsers', text, argument: Date.parse('2100-01-01T00:00:00Z') });
      if ((await PAGE_READERS.thriveUsers(text, new PayloadIssues(), undefined)).received < 25) break;
    }
    const pages = cases.length;
    // Bodies that fail or leave values out: the worker must fail and note as the reader does here.
    const [xmlPage, jsonPage] = [cases.find((c) => c.text.startsWith('<'))!, cases.at(-1)!];
    cases.push(
      { kind: 'ispringUsers', text: xmlPage.text.slice(0, xmlPage.text.length / 2), argument: undefined },
      { kind: 'ispringUsers', text: '<response><notAPage/></response>', argument: undefined },
      { kind: 'ispringUsers', text: '', argument: undefined },
      {
        kind: 'thriveUsers',
        text: jsonPage.text.replace(/"email":"[^"]*"/, '"email":42'),
        argument: undefined,
      },
      { kind: 'thriveUsers', text: '{"results": 3}', argument: undefined },
      { kind: 'thriveUsers', text: '<html>maintenance</html>', argument: undefined },
    );

    const startedBefore = pageWorkersStarted();
    let users = 0;
    for (const { kind, text, argument } of cases) {
      const here = await onThisThread(kind, text, argument);
      const there = await offThread(kind, text, argument);
      if ('error' in here) {
        expect(here.error).toBeInstanceOf(PayloadShapeError);
        expect(there).toEqual({ error: here.error });
        expect((there as { error: unknown }).error).toBeInstanceOf(PayloadShapeError);
      } else {
        expect(there).toEqual(here);
        users += (here.value as { users: unknown[] }).users.length;
      }
    }
    expect(pages).toBeGreaterThan(6);
    expect(users).toBeGreaterThan(100);
    // The issue case above noted its left-out email in both.
    const noted = await offThread('thriveUsers', cases.at(-3)!.text, undefined);
    expect((noted as unknown as { issues: unknown[] }).issues).toEqual([
      expect.objectContaining({ path: expect.stringContaining('email'), received: 'a number' }),
    ]);
    // One worker served them all (started here, or by an earlier read of this process).
    expect(pageWorkersStarted()).toBeGreaterThanOrEqual(1);
    expect(pageWorkersStarted() - startedBefore).toBeLessThanOrEqual(1);
  });

  it('fail while in flight when the worker stops, and the next read starts another worker', async () => {
    const text = await body(`${sandbox.thrive.baseUrl}/users?page=1&perPage=50`, thriveHeaders);
    await readPageOffThread('thriveUsers', text, undefined);
    const started = pageWorkersStarted();
    // A page of 10,000 users takes the worker some 100 ms: it is stopped long before it answers.
    const page = JSON.parse(text) as { results: unknown[] };
    const large = JSON.stringify({
      ...page,
      results: Array.from({ length: 200 }, () => page.results).flat(),
    });
    const inFlight = readPageOffThread('thriveUsers', large, undefined);
    await stopPageWorker();
    await expect(inFlight).rejects.toThrow(/the page-reading worker stopped/);
    const again = await readPageOffThread('thriveUsers', text, undefined);
    expect(again.value.users.length).toBe(50);
    expect(pageWorkersStarted()).toBe(started + 1);
  });
});
