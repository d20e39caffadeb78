import { FerryError } from '../errors/ferry-error.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds in a duration such as "90d", "12h", "30m", "45s", "500ms" or "2w"; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/** Like parseDuration, but a bad value is an operator error naming where it came from. */
export function requireDuration(text: string, where: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new FerryError(where.startsWith('--') ? 'OPTION_INVALID' : 'CONFIG_INVALID',
      `${where} "${text}" is not a duration`, 'write a number and a unit: 90d, 12h, 30m, 45s, 500ms, 2w');
  }
  return ms;
}

/**
 * A point in time given on the command line: an ISO 8601 date or date-time (UTC unless it says otherwise),
 * milliseconds since the epoch, or a duration meaning that long before `now` ("1h" = an hour ago).
 */
export function parseTimeArg(text: string, now: number, option: string): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (/^\d{12,}$/.test(text)) return Number(text);
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) {
    throw new FerryError('OPTION_INVALID', `${option} "${text}" is not a time`,
      'give an ISO date (2026-01-31, 2026-01-31T12:00:00Z) or a duration ago (15m, 2h, 7d)');
  }
  return ms;
}
