import { pino, type Logger } from 'pino';
import type { SecretRedactor } from './errors.js';

export type { Logger };

/**
 * The process logger: JSON lines on stdout. Credential headers are redacted by path, and every
 * string message passes the secret redactor, so no configured secret or issued token is written.
 */
export function createLogger(options: { level: string; redactor: SecretRedactor }): Logger {
  return pino({
    level: options.level,
    redact: {
      paths: ['*.headers.authorization', '*.headers["x-auth-password"]', '*.headers["router-authorization"]'],
      censor: '[REDACTED]',
    },
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((arg) => (typeof arg === 'string' ? options.redactor.redact(arg) : arg));
        return method.apply(this, redacted as Parameters<typeof method>);
      },
    },
  });
}
