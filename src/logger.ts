import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { SecretRedactor } from './redaction.js';

export type { Logger };

export interface LoggerOptions {
  level: string;
  redactor: SecretRedactor;
  /**
   * `json`: one JSON object per line, for log collectors (the default). `pretty`: one coloured,
   * readable line per record, for a developer's terminal (`LOG_FORMAT`).
   */
  format?: 'json' | 'pretty';
  /** Where lines go; stdout by default. Tests pass a stream they read. */
  destination?: DestinationStream;
}

/**
 * The process logger. Credential headers are redacted by path, and every string message passes
 * the secret redactor, so no configured secret or issued token is written. Pretty output is the
 * same records through pino-pretty, in this thread (no transport worker), redaction included.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.format === 'pretty'
      ? PinoPretty({
          colorize: options.destination === undefined ? undefined : false,
          destination: options.destination ?? 1,
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : (options.destination ?? pino.destination(1));
  return pino(
    {
      level: options.level,
      redact: {
        paths: [
          '*.headers.authorization',
          '*.headers["x-auth-password"]',
          '*.headers["router-authorization"]',
        ],
        censor: '[REDACTED]',
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg) => (typeof arg === 'string' ? options.redactor.redact(arg) : arg));
          return method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/** `LOG_FORMAT=auto`: readable lines on a developer's terminal, JSON lines everywhere else. */
export function resolveLogFormat(
  format: 'json' | 'pretty' | 'auto',
  context: { production: boolean; terminal: boolean },
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return context.terminal && !context.production ? 'pretty' : 'json';
}
