import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO, SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from '../../src/sandbox/index.ts';

/**
 * The vendors' webhook deliveries (src/sandbox/webhooks.ts) as a receiver sees them: a plain
 * node:http server here, which checks every signature itself with node:crypto, as the vendors'
 * docs define them (Thrive: `x-hmac-signature: sha256=<HMAC-SHA256(raw body, secret)>`; iSpring:
 * `X-Hub-Signature: <SHA-256(raw body + secret)>`).
 */

const THRIVE_SECRET = 'thrive-webhook-secret';
const ISPRING_SECRET = 'ispring-webhook-secret';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the receiver answers the next requests with (then 200). */
let answers: Array<number | 'hang'> = [];
let received: Received[] = [];
let receiver: Server;
let origin: string;
let sandbox: Sandbox;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  sandbox = await startSandbox({
    webhooks: {
      thrive: { url: `${origin}/webhooks/thrive`, secret: THRIVE_SECRET },
      ispring: { url: `${origin}/webhooks/ispring`, secret: ISPRING_SECRET },
      backoffMs: 10,
    },
  });
});

afterAll(async () => {
  await sandbox.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(async () => {
  await sandbox.webhooks.settled();
  sandbox.webhooks.configure({ attempts: 5, backoffMs: 10, timeoutMs: 5000 });
  sandbox.webhooks.clear();
  answers = [];
  received = [];
});

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Whether a Thrive delivery carries a valid signature, checked as a receiver would. */
function thriveSigned(request: Received, secret = THRIVE_SECRET): boolean {
  const header = request.headers['x-hmac-signature'];
  const expected = `sha256=${createHmac('sha256', secret).update(request.body, 'utf8').digest('hex')}`;
  return typeof header === 'string' && sameText(header, expected);
}

function ispringSigned(request: Received, secret = ISPRING_SECRET): boolean {
  const header = request.headers['x-hub-signature'];
  const expected = createHash('sha256')
    .update(request.body + secret, 'utf8')
    .digest('hex');
  return typeof header === 'string' && sameText(header, expected);
}

const at = (path: string) => received.filter((request) => request.path === path);
const isoMs = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('Thrive deliveries', () => {
  it('announce each change with the documented payload, signed, in order', async () => {
    const changes = sandbox.changes.thrive;
    const added = changes.addUser({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@northwind.example',
      status: 'active',
      departmentId: DEMO.thrive.childAudience,
    });
    changes.updateUser(added.id, { lastName: 'King' });
    changes.updateUser(added.id, { status: 'inactive' });
    changes.updateUser(added.id, { status: 'active' });
    changes.moveUser(added.id, DEMO.thrive.structure);
    changes.deleteUser(added.id);
    await sandbox.webhooks.settled();

    const deliveries = at('/webhooks/thrive');
    expect(deliveries).toHaveLength(6);
    for (const request of deliveries) {
      expect(thriveSigned(request)).toBe(true);
      expect(thriveSigned(request, `${THRIVE_SECRET}x`)).toBe(false);
      expect(request.headers['content-type']).toBe('application/json');
    }
    const payloads = deliveries.map((request) => JSON.parse(request.body));
    expect(payloads.map((payload) => payload.eventType)).toEqual([
      'user.created',
      'user.updated',
      'user.deactivated',
      'user.activated',
      'user.updated',
      'user.deactivated',
    ]);
    for (const payload of payloads) {
      expect(Object.keys(payload)).toEqual(['eventType', 'tenantId', 'user', 'createdAt', 'dispatchedAt']);
      expect(payload.tenantId).toBe(SANDBOX_CREDENTIALS.thrive.tenantId);
      expect(Object.keys(payload.user)).toEqual([
        'id',
        'reference',
        'firstName',
        'lastName',
        'email',
        'status',
        'role',
      ]);
      expect(payload.createdAt).toMatch(isoMs);
      expect(payload.dispatchedAt).toMatch(isoMs);
      expect(Date.parse(payload.dispatchedAt)).toBeGreaterThanOrEqual(Date.parse(payload.createdAt));
    }
    expect(payloads[0].user).toEqual({
      id: added.id,
      reference: added.ref,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@northwind.example',
      status: 'active',
      role: 'learner',
    });
    expect(payloads[1].user.lastName).toBe('King');
    expect(payloads[2].user.status).toBe('inactive');
    // The deletion keeps the record, obfuscated: that is what the event carries.
    expect(payloads[5].user).toEqual({
      id: added.id,
      reference: null,
      firstName: 'Deleted',
      lastName: 'User',
      email: null,
      status: 'inactive',
      role: 'learner',
    });
    // Each event's createdAt is its change's updatedAt.
    const served = sandbox.organisation.thrive.users.find((user) => user.id === added.id)!;
    expect(payloads[5].createdAt).toBe(served.updatedAt);
    expect(
      sandbox.webhooks.deliveries.map((d) => [d.provider, d.state, d.attempts.length, d.status]),
    ).toEqual(Array(6).fill(['thrive', 'delivered', 1, 200]));
  });

  it('audience changes send nothing', async () => {
    const audience = sandbox.changes.thrive.addAudience({ name: 'Quiet' });
    sandbox.changes.thrive.renameAudience(audience.id, 'Still quiet');
    sandbox.changes.thrive.deleteAudience(audience.id);
    await sandbox.webhooks.settled();
    expect(received).toEqual([]);
    expect(sandbox.webhooks.deliveries).toEqual([]);
  });

  it('retry a 500 after a backoff, with the same body and signature, until a 2xx', async () => {
    answers = [500, 502, 204];
    const started = Date.now();
    sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { jobTitle: 'Chief Executive' });
    await sandbox.webhooks.settled();
    expect(received).toHaveLength(3);
    expect(new Set(received.map((request) => request.body)).size).toBe(1);
    expect(received.every((request) => thriveSigned(request))).toBe(true);
    const [delivery] = sandbox.webhooks.deliveries;
    expect(delivery).toMatchObject({ state: 'delivered', status: 204 });
    expect(delivery!.attempts.map((attempt) => attempt.status)).toEqual([500, 502, 204]);
    // Backoffs of 10 and 20 ms came between them.
    expect(delivery!.attempts[2]!.at - delivery!.attempts[0]!.at).toBeGreaterThanOrEqual(30);
    expect(delivery!.attempts[0]!.at).toBeGreaterThanOrEqual(started);
  });

  it('give up after the attempts configured, and send the next delivery only then', async () => {
    sandbox.webhooks.configure({ attempts: 3 });
    answers = [503, 503, 503];
    sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'First' });
    sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'Second' });
    await sandbox.webhooks.settled();
    const [failed, next] = sandbox.webhooks.deliveries;
    expect(failed).toMatchObject({ state: 'failed', status: 503 });
    expect(failed!.attempts).toHaveLength(3);
    expect(next).toMatchObject({ state: 'delivered', status: 200 });
    expect(received.map((request) => JSON.parse(request.body).user.firstName)).toEqual([
      'First',
      'First',
      'First',
      'Second',
    ]);
    expect(next!.attempts[0]!.at).toBeGreaterThanOrEqual(failed!.attempts[2]!.at);
  });

  it('count a refused connection and a receiver that does not answer in time as failed attempts', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    sandbox.webhooks.configure({
      thrive: { url: `http://127.0.0.1:${port}/gone`, secret: 's' },
      attempts: 2,
    });
    try {
      sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'Nobody listens' });
      await sandbox.webhooks.settled();
      const [refused] = sandbox.webhooks.deliveries;
      expect(refused).toMatchObject({ state: 'failed' });
      expect(refused!.attempts.map((attempt) => attempt.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);

      sandbox.webhooks.configure({
        thrive: { url: `${origin}/webhooks/thrive`, secret: THRIVE_SECRET },
        timeoutMs: 200,
      });
      answers = ['hang', 200];
      sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'Slow' });
      await sandbox.webhooks.settled();
      const slow = sandbox.webhooks.deliveries[1]!;
      expect(slow.attempts.map((attempt) => attempt.error ?? attempt.status)).toEqual(['timeout', 200]);
      expect(slow.state).toBe('delivered');
    } finally {
      sandbox.webhooks.configure({ thrive: { url: `${origin}/webhooks/thrive`, secret: THRIVE_SECRET } });
      receiver.closeAllConnections();
    }
  });
});

describe('iSpring deliveries', () => {
  it('list the registrations made together in one USER_REGISTERED delivery, signed', async () => {
    const people = ['ann', 'bob', 'cy'].map((name) =>
      sandbox.changes.ispring.addUser({
        firstName: name,
        lastName: 'Smith',
        email: `${name}@northwind.example`,
        login: name,
        departmentId: DEMO.ispring.deepDepartment,
      }),
    );
    await sandbox.webhooks.settled();
    const later = sandbox.changes.ispring.addUser({
      firstName: 'Dee',
      lastName: 'Smith',
      email: 'dee@northwind.example',
    });
    await sandbox.webhooks.settled();

    const deliveries = at('/webhooks/ispring');
    expect(deliveries).toHaveLength(2);
    for (const request of deliveries) {
      expect(ispringSigned(request)).toBe(true);
      expect(ispringSigned(request, `${ISPRING_SECRET}x`)).toBe(false);
      // A plain hash of the concatenation, not an HMAC.
      expect(request.headers['x-hub-signature']).not.toBe(
        createHmac('sha256', ISPRING_SECRET).update(request.body).digest('hex'),
      );
    }
    expect(JSON.parse(deliveries[0]!.body)).toEqual({
      type: 'USER_REGISTERED',
      payloads: people.map((person, i) => ({
        userId: person.userId,
        departmentId: DEMO.ispring.deepDepartment,
        login: ['ann', 'bob', 'cy'][i],
        email: `${['ann', 'bob', 'cy'][i]}@northwind.example`,
      })),
    });
    expect(JSON.parse(deliveries[1]!.body)).toEqual({
      type: 'USER_REGISTERED',
      payloads: [
        {
          userId: later.userId,
          departmentId: DEMO.ispring.rootDepartment,
          login: 'dee@northwind.example',
          email: 'dee@northwind.example',
        },
      ],
    });
  });

  it('send nothing for updates, moves, deletions, departments or groups', async () => {
    const changes = sandbox.changes.ispring;
    changes.updateUser(DEMO.ispring.deepUser, { firstName: 'Changed', status: 3 });
    changes.moveUser(DEMO.ispring.deepUser, DEMO.ispring.rootDepartment);
    const department = changes.addDepartment({ name: 'Silent' });
    changes.renameDepartment(department.departmentId, 'Still silent');
    changes.deleteDepartment(department.departmentId);
    const group = changes.addGroup({ name: 'Silent group' });
    changes.deleteGroup(group.groupId);
    changes.deleteUser(DEMO.ispring.noSupervisor);
    await sandbox.webhooks.settled();
    expect(received).toEqual([]);
    expect(sandbox.webhooks.deliveries).toEqual([]);
  });

  it('retry anything but 200, even another 2xx', async () => {
    answers = [201, 200];
    sandbox.changes.ispring.addUser({ firstName: 'Eve', lastName: 'Smith', email: 'eve@northwind.example' });
    await sandbox.webhooks.settled();
    expect(sandbox.webhooks.deliveries[0]!.attempts.map((attempt) => attempt.status)).toEqual([201, 200]);
  });

  it('sendConfirmation sends CONFIRMATION with the code as a JSON string, signed', async () => {
    const delivery = sandbox.webhooks.sendConfirmation('1759b14e-d387-11ed-88a2-42349c105193');
    expect(delivery.event).toBe('CONFIRMATION');
    await sandbox.webhooks.settled();
    const [request] = at('/webhooks/ispring');
    expect(ispringSigned(request!)).toBe(true);
    const body = JSON.parse(request!.body);
    expect(body).toEqual({
      type: 'CONFIRMATION',
      payloads: ['{"code":"1759b14e-d387-11ed-88a2-42349c105193"}'],
    });
    expect(JSON.parse(body.payloads[0]).code).toBe('1759b14e-d387-11ed-88a2-42349c105193');
    const generated = sandbox.webhooks.sendConfirmation();
    expect(JSON.parse(JSON.parse(generated.body).payloads[0]).code).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('tools for tests', () => {
  it('send a body with a bad signature or none', async () => {
    sandbox.webhooks.send('thrive', { eventType: 'user.updated', user: null }, { signature: 'invalid' });
    sandbox.webhooks.send('ispring', { type: 'USER_REGISTERED', payloads: [] }, { signature: 'invalid' });
    sandbox.webhooks.send('thrive', { eventType: 'user.updated', user: null }, { signature: 'missing' });
    sandbox.webhooks.send('thrive', { eventType: 'user.updated', tenantId: 't', user: null });
    await sandbox.webhooks.settled();
    const [badThrive, missing, nullUser] = at('/webhooks/thrive');
    const [badIspring] = at('/webhooks/ispring');
    expect(badThrive!.headers['x-hmac-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(thriveSigned(badThrive!)).toBe(false);
    expect(badIspring!.headers['x-hub-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(ispringSigned(badIspring!)).toBe(false);
    expect(missing!.headers).not.toHaveProperty('x-hmac-signature');
    expect(thriveSigned(nullUser!)).toBe(true);
    expect(JSON.parse(nullUser!.body).user).toBeNull();
    expect(sandbox.webhooks.deliveries.map((d) => [d.event, d.signature])).toEqual([
      ['user.updated', 'invalid'],
      ['USER_REGISTERED', 'invalid'],
      ['user.updated', 'missing'],
      ['user.updated', 'valid'],
    ]);
  });

  it('replay a past delivery byte for byte, or with a bad signature', async () => {
    sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'Replayed' });
    await sandbox.webhooks.settled();
    const original = sandbox.webhooks.deliveries[0]!;
    const again = sandbox.webhooks.replay(original.id);
    const tampered = sandbox.webhooks.replay(original.id, { signature: 'invalid' });
    expect(again.replayOf).toBe(original.id);
    await sandbox.webhooks.settled();
    const [first, second, third] = at('/webhooks/thrive');
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-hmac-signature']).toBe(first!.headers['x-hmac-signature']);
    expect(thriveSigned(second!)).toBe(true);
    expect(third!.body).toBe(first!.body);
    expect(thriveSigned(third!)).toBe(false);
    expect(tampered.signature).toBe('invalid');
    expect(() => sandbox.webhooks.replay(9999)).toThrow(/No webhook delivery #9999/);
  });

  it('hold deliveries, then release them reversed or in any order', async () => {
    sandbox.webhooks.hold('thrive');
    const id = DEMO.thrive.ceo;
    for (const name of ['One', 'Two', 'Three']) sandbox.changes.thrive.updateUser(id, { firstName: name });
    await sandbox.webhooks.settled();
    expect(received).toEqual([]);
    expect(sandbox.webhooks.deliveries.map((d) => d.state)).toEqual(['held', 'held', 'held']);
    sandbox.webhooks.release('thrive', 'reverse');
    await sandbox.webhooks.settled();
    const names = () => received.map((request) => JSON.parse(request.body).user.firstName);
    expect(names()).toEqual(['Three', 'Two', 'One']);
    // The newest change was announced first: its event is the latest by createdAt.
    const createdAt = received.map((request) => Date.parse(JSON.parse(request.body).createdAt));
    expect(createdAt[0]).toBeGreaterThan(createdAt[2]!);

    received = [];
    sandbox.webhooks.hold();
    for (const name of ['A', 'B', 'C']) sandbox.changes.thrive.updateUser(id, { firstName: name });
    const held = sandbox.webhooks.deliveries.slice(3).map((d) => d.id);
    expect(() => sandbox.webhooks.release('thrive', [held[0]!])).toThrow(/exactly the held/);
    sandbox.webhooks.release('thrive', [held[1]!, held[2]!, held[0]!]);
    await sandbox.webhooks.settled();
    expect(names()).toEqual(['B', 'C', 'A']);
    // Releasing Thrive left iSpring held.
    sandbox.changes.ispring.addUser({ firstName: 'Held', lastName: 'Back', email: 'held@northwind.example' });
    await sandbox.webhooks.settled();
    expect(at('/webhooks/ispring')).toEqual([]);
    sandbox.webhooks.release();
    await sandbox.webhooks.settled();
    expect(at('/webhooks/ispring')).toHaveLength(1);
  });

  it('send nothing for a provider without a URL, and refuse a bad configuration', async () => {
    sandbox.webhooks.configure({ thrive: null });
    try {
      sandbox.changes.thrive.updateUser(DEMO.thrive.ceo, { firstName: 'Unannounced' });
      await sandbox.webhooks.settled();
      expect(received).toEqual([]);
      expect(() => sandbox.webhooks.send('thrive', {})).toThrow(/No thrive webhook URL/);
      expect(sandbox.webhooks.targets).toEqual({
        ispring: { url: `${origin}/webhooks/ispring`, secret: ISPRING_SECRET },
      });
      expect(() => sandbox.webhooks.configure({ attempts: 0 })).toThrow(RangeError);
      expect(() => sandbox.webhooks.configure({ ispring: { url: 'ftp://x', secret: 's' } })).toThrow(/http/);
      expect(() => sandbox.webhooks.configure({ ispring: { url: origin, secret: '' } })).toThrow(/secret/);
    } finally {
      sandbox.webhooks.configure({ thrive: { url: `${origin}/webhooks/thrive`, secret: THRIVE_SECRET } });
    }
  });
});
