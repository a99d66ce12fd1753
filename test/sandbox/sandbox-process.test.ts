import { fork, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  SandboxChangeParams,
  SandboxInfo,
  SandboxWebhookReleaseParams,
} from '../../src/dev/harness/sandbox-process.ts';
import type { IspringUserProfile } from '../../src/providers/ispring/wire.ts';
import type { ThriveUser } from '../../src/providers/thrive/wire.ts';
import { SANDBOX_CREDENTIALS, type WebhookDelivery } from '../../src/sandbox/index.ts';

/**
 * The bench's out-of-process sandbox (src/dev/harness/sandbox-process.ts), driven over its IPC
 * channel as the bench drives it: the changes API and the webhook tools, with the answers crossing
 * the process boundary.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const thriveAuth = `Basic ${Buffer.from(`${SANDBOX_CREDENTIALS.thrive.tenantId}:${SANDBOX_CREDENTIALS.thrive.apiSecret}`).toString('base64')}`;

let child: ChildProcess;
let info: SandboxInfo;
let nextId = 1;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
let receiver: Server;
let receiverUrl: string;
const received: Array<{ signature: string | undefined; body: string }> = [];

function call<T>(method: string, params: unknown = null): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    child.send({ kind: 'call', id, method, params });
  });
}

const change = <T>(params: SandboxChangeParams) => call<T>('change', params);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ signature: req.headers['x-hmac-signature'] as string | undefined, body });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/thrive`;

  child = fork('src/dev/harness/sandbox-process.ts', [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SANDBOX_DELAY_MS: '0' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  info = await new Promise<SandboxInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code})`)));
    child.on('message', (raw: any) => {
      if (raw?.kind === 'ready') resolve(raw.info as SandboxInfo);
      else if (raw?.kind === 'reply') {
        const waiting = pending.get(raw.id);
        pending.delete(raw.id);
        if (raw.ok) waiting?.resolve(raw.value);
        else waiting?.reject(new Error(raw.error));
      }
    });
  });
});

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  }
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('the out-of-process sandbox', () => {
  it('makes changes over IPC that its servers serve, and sends their deliveries', async () => {
    await call('webhooksConfigure', { thrive: { url: receiverUrl, secret: 'ipc-secret' }, backoffMs: 10 });
    const added = await change<ThriveUser>({
      provider: 'thrive',
      operation: 'addUser',
      args: [{ firstName: 'Ipc', lastName: 'User', email: 'ipc.user@northwind.example' }],
    });
    await change({ provider: 'thrive', operation: 'updateUser', args: [added.id, { status: 'inactive' }] });
    const response = await fetch(`${info.thrive.baseUrl}/user/${added.id}`, {
      headers: { authorization: thriveAuth },
    });
    expect(await response.json()).toMatchObject({ id: added.id, firstName: 'Ipc', status: 'inactive' });

    await call('webhooksSettled');
    const deliveries = await call<WebhookDelivery[]>('webhookDeliveries');
    expect(deliveries.map((delivery) => [delivery.event, delivery.state])).toEqual([
      ['user.created', 'delivered'],
      ['user.deactivated', 'delivered'],
    ]);
    expect(received.map((request) => JSON.parse(request.body).eventType)).toEqual([
      'user.created',
      'user.deactivated',
    ]);
    for (const request of received) {
      expect(request.signature).toBe(
        `sha256=${createHmac('sha256', 'ipc-secret').update(request.body).digest('hex')}`,
      );
    }
  });

  it('holds, releases in reverse, replays and sends over IPC', async () => {
    await call('webhooksClear');
    received.length = 0;
    await call('webhooksHold', { provider: 'thrive' });
    const user = await change<ThriveUser>({
      provider: 'thrive',
      operation: 'addUser',
      args: [{ firstName: 'Order', lastName: 'Test', email: 'order.test@northwind.example' }],
    });
    await change({ provider: 'thrive', operation: 'updateUser', args: [user.id, { lastName: 'Later' }] });
    const release: SandboxWebhookReleaseParams = { provider: 'thrive', order: 'reverse' };
    await call('webhooksRelease', release);
    await call('webhooksSettled');
    expect(received.map((request) => JSON.parse(request.body).eventType)).toEqual([
      'user.updated',
      'user.created',
    ]);

    const [first] = await call<WebhookDelivery[]>('webhookDeliveries');
    const replayed = await call<WebhookDelivery>('webhooksReplay', { id: first!.id, signature: 'invalid' });
    expect(replayed).toMatchObject({ replayOf: first!.id, signature: 'invalid', body: first!.body });
    const sent = await call<WebhookDelivery>('webhooksSend', {
      provider: 'thrive',
      body: { eventType: 'x' },
    });
    expect(sent.event).toBe('x');
    await call('webhooksSettled');
    expect(received).toHaveLength(4);
  });

  it('changes iSpring over IPC too, and reports a bad change as an error', async () => {
    const profile = await change<IspringUserProfile>({
      provider: 'ispring',
      operation: 'addUser',
      args: [{ firstName: 'Ipc', lastName: 'Learner', email: 'ipc.learner@northwind.example' }],
    });
    const moved = await change<IspringUserProfile>({
      provider: 'ispring',
      operation: 'moveUser',
      args: [profile.userId, profile.departmentId!],
    });
    expect(moved.userId).toBe(profile.userId);
    await expect(
      change({ provider: 'ispring', operation: 'moveUser', args: ['nobody', 'x'] }),
    ).rejects.toThrow(/No iSpring user/);
    await expect(call('change', { provider: 'ispring', operation: 'constructor', args: [] })).rejects.toThrow(
      /unknown ispring change/,
    );
    await expect(call('change', { provider: 'other', operation: 'addUser', args: [] })).rejects.toThrow(
      /unknown provider/,
    );
  });
});
