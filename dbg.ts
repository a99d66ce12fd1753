import { spawn } from 'node:child_process';
import { startSandbox, SANDBOX_CREDENTIALS } from './src/sandbox/index.ts';
import { childBaseEnv } from './src/dev/harness/children.ts';
const sandbox = await startSandbox();
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...childBaseEnv(), HOST: '127.0.0.1', PORT: '0', LOG_FORMAT: 'json',
  THRIVE_BASE_URL: sandbox.thrive.baseUrl, THRIVE_TENANT_ID: SANDBOX_CREDENTIALS.thrive.tenantId, THRIVE_CLIENT_ID: SANDBOX_CREDENTIALS.thrive.clientId, THRIVE_CLIENT_SECRET: SANDBOX_CREDENTIALS.thrive.clientSecret,
  ISPRING_BASE_URL: sandbox.ispring.baseUrl, ISPRING_CLIENT_ID: SANDBOX_CREDENTIALS.ispring.clientId, ISPRING_CLIENT_SECRET: SANDBOX_CREDENTIALS.ispring.clientSecret,
  DIRECTORY_REDIS_URL: 'redis://127.0.0.1:6379', CACHE_REDIS_PREFIX: 'dbg-' + Date.now() + ':', DIRECTORY_LEASE_SECONDS: '2' }, stdio: 'inherit' });
await new Promise((r) => setTimeout(r, 8000));
child.kill('SIGKILL'); await sandbox.close();
