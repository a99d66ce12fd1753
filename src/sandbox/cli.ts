import { readSandboxUsers, readSandboxWebhooks, type SandboxWebhookTargets } from '../config.js';
import { EnvReader } from '../env.js';
import { SANDBOX_CREDENTIALS } from './credentials.js';
import { DEMO, ISPRING_ACCOUNT_PREFIXES, startSandbox, type Sandbox } from './index.js';

/**
 * `npm run sandbox`: both sandbox providers on fixed loopback ports, for use with any client.
 * Environment:
 * - SANDBOX_THRIVE_PORT (default 4010), SANDBOX_ISPRING_PORT (4011), SANDBOX_DELAY_MS (0);
 * - SANDBOX_USERS (unset): 1 to 100000 serves a large organisation of that many users per provider
 *   (seed/large.ts) instead of the demo organisation;
 * - SANDBOX_WEBHOOK_THRIVE_URL with SANDBOX_WEBHOOK_THRIVE_SECRET, SANDBOX_WEBHOOK_ISPRING_URL with
 *   SANDBOX_WEBHOOK_ISPRING_SECRET (unset): where each vendor's webhook deliveries are POSTed, signed
 *   with that secret (webhooks.ts), for the changes made to the organisation (changes.ts).
 * The last two are read as `npm start`'s demo mode reads them (src/config.ts).
 */

const HOST = '127.0.0.1';

function readInteger(name: string, fallback: number, max: number, problems: string[]): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) {
    problems.push(`${name} must be a whole number from 0 to ${max}; got ${JSON.stringify(raw)}.`);
    return fallback;
  }
  return Number(raw);
}

function banner(sandbox: Sandbox, delayMs: number, large: boolean): string {
  const thrive = SANDBOX_CREDENTIALS.thrive;
  const ispring = SANDBOX_CREDENTIALS.ispring;
  const org = sandbox.organisation;
  const tokenUrl = `${sandbox.thrive.origin}/oauth2/token/${thrive.tenantId}`;
  const basic = Buffer.from(`${thrive.tenantId}:${thrive.apiSecret}`).toString('base64');
  // The large organisation has no anchors: its first users (each provider's CEO) stand in.
  const examples = large
    ? {
        thriveUser: org.thrive.users[0]!.id,
        ispringUser: org.ispring.users[0]!.userId,
      }
    : { thriveUser: DEMO.thrive.multiPosition, ispringUser: DEMO.ispring.inheritsThroughTwoDepartments };
  const webhooks = sandbox.webhooks.targets;
  return [
    `Sandbox providers serving ${large ? 'a large organisation' : 'the demo organisation'} (${org.thrive.users.length} Thrive users, ${org.thrive.audiences.length} audiences; ${org.ispring.users.length} iSpring users, ${org.ispring.departments.length} departments, ${org.ispring.groups.length} groups)${delayMs > 0 ? `, ${delayMs} ms delay per response` : ''}.`,
    ...(webhooks.thrive || webhooks.ispring
      ? [
          `Webhook deliveries for changes: ${[
            webhooks.thrive ? `Thrive to ${webhooks.thrive.url}` : undefined,
            webhooks.ispring ? `iSpring to ${webhooks.ispring.url}` : undefined,
          ]
            .filter((part) => part !== undefined)
            .join('; ')}.`,
        ]
      : []),
    '',
    `Thrive Learning (JSON)  ${sandbox.thrive.baseUrl}`,
    `  Basic auth:  tenant id ${thrive.tenantId}, API secret ${thrive.apiSecret}`,
    `  OAuth 2.0:   POST ${tokenUrl} (a form body; the client in a Basic header)`,
    `               client id ${thrive.clientId}, client secret ${thrive.clientSecret}, scope ${thrive.defaultScope} (also ${thrive.scopes.filter((scope) => scope !== thrive.defaultScope).join(', ')})`,
    '',
    `iSpring Learn (XML; JSON with Accept: application/json)  ${sandbox.ispring.baseUrl}`,
    `  Also under ${ISPRING_ACCOUNT_PREFIXES.map((prefix) => `${sandbox.ispring.origin}${prefix}`).join(' and ')} (account-domain paths); the token only at /api/v3/token`,
    `  Token mode:  POST ${sandbox.ispring.baseUrl}/api/v3/token, client_id ${ispring.clientId}, client_secret ${ispring.clientSecret}`,
    `  Header mode: X-Auth-Account-Url: ${ispring.accountUrl}`,
    `               X-Auth-Email: ${ispring.email}`,
    `               X-Auth-Password: ${ispring.password}`,
    '',
    'Point the subgraph at them (OAuth and token mode):',
    `  THRIVE_BASE_URL=${sandbox.thrive.baseUrl} THRIVE_TENANT_ID=${thrive.tenantId} THRIVE_CLIENT_ID=${thrive.clientId} THRIVE_CLIENT_SECRET=${thrive.clientSecret} \\`,
    `  ISPRING_BASE_URL=${sandbox.ispring.baseUrl} ISPRING_CLIENT_ID=${ispring.clientId} ISPRING_CLIENT_SECRET=${ispring.clientSecret} npm start`,
    'or (Basic and header mode):',
    `  THRIVE_BASE_URL=${sandbox.thrive.baseUrl} THRIVE_TENANT_ID=${thrive.tenantId} THRIVE_API_SECRET=${thrive.apiSecret} \\`,
    `  ISPRING_BASE_URL=${sandbox.ispring.baseUrl} ISPRING_ACCOUNT_URL=${ispring.accountUrl} ISPRING_EMAIL=${ispring.email} ISPRING_PASSWORD=${ispring.password} npm start`,
    '',
    'Example ids:',
    ...(
      (large
        ? [
            ['Thrive CEO', `thrive:${examples.thriveUser}`],
            ['iSpring CEO', `ispring:${examples.ispringUser}`],
          ]
        : [
            ['Thrive user with several positions', `thrive:${DEMO.thrive.multiPosition}`],
            [
              'iSpring user inheriting via two departments',
              `ispring:${DEMO.ispring.inheritsThroughTwoDepartments}`,
            ],
            ['iSpring department five levels deep', `ispring:${DEMO.ispring.deepDepartment}`],
            [
              `One person in both (${DEMO.sharedEmail.email})`,
              `thrive:${DEMO.sharedEmail.thriveId}  ispring:${DEMO.sharedEmail.ispringId}`,
            ],
          ]) as ReadonlyArray<readonly [string, string]>
    ).map(([label, ids]) => `  ${`${label}:`.padEnd(62)}${ids}`),
    '',
    'Try:',
    `  curl -s -H 'Authorization: Basic ${basic}' ${sandbox.thrive.baseUrl}/user/${examples.thriveUser}`,
    `  curl -s -H 'X-Auth-Account-Url: ${ispring.accountUrl}' -H 'X-Auth-Email: ${ispring.email}' -H 'X-Auth-Password: ${ispring.password}' ${sandbox.ispring.baseUrl}/user/${examples.ispringUser}/v2`,
    '',
    'Ctrl-C stops them.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const problems: string[] = [];
  const thrivePort = readInteger('SANDBOX_THRIVE_PORT', 4010, 65_535, problems);
  const ispringPort = readInteger('SANDBOX_ISPRING_PORT', 4011, 65_535, problems);
  const delayMs = readInteger('SANDBOX_DELAY_MS', 0, 60_000, problems);
  const env = new EnvReader(process.env);
  const users = readSandboxUsers(env);
  const webhooks: SandboxWebhookTargets = readSandboxWebhooks(env);
  problems.push(...env.problems);
  if (problems.length > 0) {
    process.stderr.write(
      `Invalid sandbox settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`,
    );
    process.exit(1);
  }

  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      host: HOST,
      thrivePort,
      ispringPort,
      delayMs,
      ...(users === undefined ? {} : { users }),
      webhooks,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `a port is already in use (Thrive ${thrivePort}, iSpring ${ispringPort}); choose others with SANDBOX_THRIVE_PORT and SANDBOX_ISPRING_PORT.`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`The sandbox could not start: ${message}\n`);
    process.exit(1);
  }
  process.stdout.write(banner(sandbox, delayMs, users !== undefined));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping the sandbox providers.\n`);
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The sandbox failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
