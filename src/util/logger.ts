import { pino, type Logger } from 'pino';

/** One JSON line per event on stdout. Secrets are never passed to the logger; redaction is a second guard. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'ferry' },
    redact: { paths: ['secretAccessKey', '*.secretAccessKey', 'authorization', '*.authorization', 'token', '*.token'], censor: '[redacted]' },
  });
}
