import { pino, type DestinationStream, type Logger } from 'pino';
import { isColorSupported, prettyFactory } from 'pino-pretty';
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
      ? prettyDestination(options.destination)
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

/**
 * `LOG_FORMAT=pretty`: each JSON record pino writes becomes one line, `time LEVEL: message {…}`,
 * where `{…}` is every other key of the record as one line of JSON (pid and hostname left out).
 * Errors (`err`) stay in that JSON too, their stack's line breaks escaped like any string's:
 * pino-pretty's own stream would print them on lines of their own, whatever `singleLine` says.
 * Coloured when stdout is a terminal that supports it; never when writing to a given stream.
 */
function prettyDestination(given: DestinationStream | undefined): DestinationStream {
  const prettify = prettyFactory({
    colorize: given === undefined ? isColorSupported : false,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    errorLikeObjectKeys: [],
    messageFormat: oneLineMessage,
  });
  const out = given ?? pino.destination({ dest: 1, sync: true });
  return {
    write(record: string) {
      const line = prettify(record);
      if (line) out.write(line);
    },
  };
}

/**
 * The message of a pretty line, on that line: a message with a line break (Apollo's, an upstream
 * error's) gets `\n` written out, and no other control character reaches the terminal.
 */
function oneLineMessage(log: Record<string, unknown>, messageKey: string): string {
  const message = log[messageKey];
  if (message === undefined) return '';
  return String(message)
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, '');
}

/** `LOG_FORMAT=auto`: readable lines on a developer's terminal, JSON lines everywhere else. */
export function resolveLogFormat(
  format: 'json' | 'pretty' | 'auto',
  context: { production: boolean; terminal: boolean },
): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return context.terminal && !context.production ? 'pretty' : 'json';
}
