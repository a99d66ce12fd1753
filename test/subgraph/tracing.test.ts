import { Trace } from '@apollo/usage-reporting-protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserModel } from '../../src/models.ts';
import { DEMO, SANDBOX_CREDENTIALS } from '../../src/sandbox/index.ts';
import { startStack, type GraphQLResponse, type Stack } from '../helpers/stack.ts';
import { expectNoneIn } from '../helpers/errors.ts';

/**
 * Federated inline tracing (`ftv1`): the trace the router asks for with
 * `apollo-federation-include-trace: ftv1`, decoded with Apollo's own protobuf, and its errors,
 * which must be the ones the response carries (code and message), never `<masked>`, and never
 * more than the response says.
 */

const thriveExternal = DEMO.thrive.multiPosition;
const thriveId = `thrive:${thriveExternal}`;
const ispringId = `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`;
const USER = `query ($id: ID!) { user(id: $id) { id displayName } }`;

interface Traced {
  status: number;
  body: GraphQLResponse & { extensions?: { ftv1?: unknown } };
  trace: Trace | undefined;
}

async function post(
  stack: Stack,
  query: string,
  variables?: Record<string, unknown>,
  options: { askForTrace?: boolean } = {},
): Promise<Traced> {
  const response = await fetch(stack.subgraph.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.askForTrace === false ? {} : { 'apollo-federation-include-trace': 'ftv1' }),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Traced['body'];
  const ftv1 = body.extensions?.ftv1;
  return {
    status: response.status,
    body,
    trace: typeof ftv1 === 'string' ? Trace.decode(Buffer.from(ftv1, 'base64')) : undefined,
  };
}

type Node = Trace.INode;

/** The node at `path` (response names and list indexes) below the root. */
function nodeAt(trace: Trace, path: ReadonlyArray<string | number>): Node | undefined {
  let node: Node | undefined | null = trace.root;
  for (const key of path) {
    node = node?.child?.find((child) =>
      typeof key === 'number' ? child.index === key : child.responseName === key,
    );
  }
  return node ?? undefined;
}

/** Every error in the trace, with the path of the node it hangs on. */
function traceErrors(trace: Trace): Array<{ path: Array<string | number>; error: Trace.IError }> {
  const found: Array<{ path: Array<string | number>; error: Trace.IError }> = [];
  const walk = (node: Node, path: Array<string | number>) => {
    for (const error of node.error ?? []) found.push({ path, error });
    for (const child of node.child ?? []) {
      walk(child, [...path, child.responseName ? child.responseName : (child.index ?? -1)]);
    }
  };
  if (trace.root) walk(trace.root, []);
  return found;
}

/** Each response error and the trace's error at its path: same message, same code, not masked. */
function expectTraceErrorsLikeResponse(traced: Traced) {
  const errors = traced.body.errors ?? [];
  expect(errors.length).toBeGreaterThan(0);
  const inTrace = traceErrors(traced.trace!);
  expect(inTrace).toHaveLength(errors.length);
  for (const error of errors) {
    const match = inTrace.find((entry) => JSON.stringify(entry.path) === JSON.stringify(error.path));
    expect(match, `trace error at ${JSON.stringify(error.path)}`).toBeDefined();
    expect(match!.error.message).toBe(error.message);
    expect(match!.error.message).not.toBe('<masked>');
    const json = JSON.parse(match!.error.json!) as { message: string; extensions?: Record<string, unknown> };
    expect(json.message).toBe(error.message);
    expect(json.extensions?.['code'], `code at ${JSON.stringify(error.path)}`).toBe(
      error.extensions?.['code'],
    );
  }
}

function expectNothingSecret(text: string, secrets: readonly string[]) {
  expectNoneIn(text, secrets);
  expect(text).not.toContain('http://127.0.0.1');
  expect(text).not.toContain('<masked>');
  expect(text).not.toMatch(/stacktrace|\bat .*\.[jt]s:\d+|node_modules/);
}

describe('with inline tracing on (the default)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack?.close());

  it('asked with apollo-federation-include-trace: ftv1, a base64 trace of every field resolved', async () => {
    const traced = await post(stack, USER, { id: thriveId });
    expect(traced.body.errors).toBeUndefined();
    expect(traced.body.data).toEqual({ user: { id: thriveId, displayName: expect.any(String) } });
    expect(typeof traced.body.extensions?.ftv1).toBe('string');
    expect(traced.body.extensions!.ftv1).toMatch(/^[A-Za-z0-9+/]+=*$/);

    const trace = traced.trace!;
    expect(Number(trace.durationNs)).toBeGreaterThan(0);
    expect(trace.startTime).toBeTruthy();
    expect(trace.endTime).toBeTruthy();
    const user = nodeAt(trace, ['user']);
    expect(user).toMatchObject({ responseName: 'user', type: 'User', parentType: 'Query' });
    expect(user!.child?.map((child) => child.responseName).sort()).toEqual(['displayName', 'id']);
    expect(nodeAt(trace, ['user', 'displayName'])).toMatchObject({ type: 'String!', parentType: 'User' });
    expect(Number(user!.endTime)).toBeGreaterThanOrEqual(Number(user!.startTime));
    expect(traceErrors(trace)).toEqual([]);
  });

  it('lists: one node per index, with aliases kept', async () => {
    const traced = await post(stack, `query ($ids: [ID!]!) { people: users(ids: $ids) { displayName } }`, {
      ids: [thriveId, ispringId],
    });
    expect(traced.body.errors).toBeUndefined();
    const people = nodeAt(traced.trace!, ['people']);
    expect(people).toMatchObject({ responseName: 'people', originalFieldName: 'users' });
    expect(people!.child?.map((child) => child.index)).toEqual([0, 1]);
    expect(nodeAt(traced.trace!, ['people', 1, 'displayName'])).toBeDefined();
  });

  it('without the header: no trace', async () => {
    const traced = await post(stack, USER, { id: thriveId }, { askForTrace: false });
    expect(traced.body.errors).toBeUndefined();
    expect(traced.body.extensions?.ftv1).toBeUndefined();
  });

  it('an error a resolver throws as a GraphQLError: the same message and code in the trace', async () => {
    const traced = await post(
      stack,
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
      { r: [{ __typename: 'Nope', id: 'x' }] },
    );
    expect(traced.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expectTraceErrorsLikeResponse(traced);
  });

  it('a bad id: the trace error has the response error’s message and its BAD_USER_INPUT code', async () => {
    const traced = await post(stack, `{ bad: user(id: "nope") { id } }`);
    expect(traced.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['BAD_USER_INPUT']);
    expectTraceErrorsLikeResponse(traced);
  });

  it('an unexpected error is "Internal server error" in the trace, as in the response', async () => {
    // Provoked without touching the sources: a cached user whose displayName throws on read.
    const unknownExternal = 'tracingpoisoned0000000001';
    expect((await post(stack, USER, { id: thriveId })).body.errors).toBeUndefined(); // caches the real user
    const real = await stack.cache.get(`user:thrive:${thriveExternal}`);
    expect(real?.kind).toBe('user');
    const model = real!.value as UserModel;
    const poisoned = Object.defineProperties(
      { ...model, id: `thrive:${unknownExternal}`, externalId: unknownExternal },
      {
        displayName: {
          enumerable: true,
          get: () => {
            throw new Error('internal detail at /srv/app/src/secret-module.ts:42');
          },
        },
        toJSON: { value: () => ({ id: `thrive:${unknownExternal}` }) },
      },
    );
    await stack.cache.set(`user:thrive:${unknownExternal}`, { kind: 'user', value: poisoned }, { ttl: 600 });

    const traced = await post(stack, `{ user(id: "thrive:${unknownExternal}") { id displayName } }`);
    expect(traced.body.errors).toEqual([
      expect.objectContaining({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      }),
    ]);
    const text = JSON.stringify(Trace.toObject(traced.trace!));
    expect(text).not.toContain('secret-module');
    expectTraceErrorsLikeResponse(traced);
  });
});

describe('a provider down', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ unreachable: 'ispring' });
  });
  afterAll(() => stack?.close());

  it('the trace error carries the response’s message and UPSTREAM_UNAVAILABLE, not <masked>', async () => {
    const traced = await post(stack, `query ($ids: [ID!]!) { users(ids: $ids) { id displayName } }`, {
      ids: [thriveId, ispringId],
    });
    expect(traced.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(traced.trace).toBeDefined();
    expectTraceErrorsLikeResponse(traced);
  });

  it('the message in the trace is the response’s, and nothing of the upstream URL', async () => {
    const traced = await post(stack, USER, { id: ispringId });
    const [error] = traceErrors(traced.trace!);
    expect(error?.error.message).toBe(traced.body.errors![0]!.message);
    expectNothingSecret(JSON.stringify(Trace.toObject(traced.trace!)), stack.secrets);
  });
});

describe('a wrong secret', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ wrongSecret: 'thrive', modes: { thrive: 'basic' } });
  });
  afterAll(() => stack?.close());

  it('no secret, no upstream URL and no stack anywhere in the decoded trace', async () => {
    const traced = await post(stack, `query ($ids: [ID!]!) { users(ids: $ids) { id displayName } }`, {
      ids: [thriveId, ispringId],
    });
    expect(traced.body.errors?.map((error) => error.extensions?.['code'])).toEqual(['UPSTREAM_AUTH']);
    expect(stack.secrets).toContain('wrong-thrive-secret');
    const text = JSON.stringify(Trace.toObject(traced.trace!));
    expectNothingSecret(text, [
      ...stack.secrets,
      Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:wrong-thrive-secret`).toString('base64'),
      Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString(
        'base64',
      ),
      'Basic ',
    ]);
    expect(traceErrors(traced.trace!).map((entry) => entry.error.message)).toEqual([
      traced.body.errors![0]!.message,
    ]);
  });
});

describe('INLINE_TRACING=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ inlineTracing: false });
  });
  afterAll(() => stack?.close());

  it('no ftv1, even when the router asks for it', async () => {
    const traced = await post(stack, USER, { id: thriveId });
    expect(traced.body.errors).toBeUndefined();
    expect(traced.body.data).toEqual({ user: { id: thriveId, displayName: expect.any(String) } });
    expect(traced.body.extensions?.ftv1).toBeUndefined();
  });
});
