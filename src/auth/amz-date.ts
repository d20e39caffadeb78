const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// Requests signed within the same second carry the same timestamp: the last one parsed is kept.
let last: { value: string; date: Date } | undefined;

/** Parses `yyyyMMddTHHmmssZ`; undefined when the form or the calendar date is wrong. */
export function parseAmzDate(value: string): Date | undefined {
  if (last?.value === value) return new Date(last.date.getTime());
  const date = parseUncached(value);
  if (date) last = { value, date };
  return date;
}

function parseUncached(value: string): Date | undefined {
  const m = ISO_BASIC.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return toAmzDate(date) === value ? date : undefined;
}

/** Formats a date as SigV4's ISO 8601 basic timestamp. */
export function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
