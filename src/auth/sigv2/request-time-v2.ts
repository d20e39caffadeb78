import { S3Error } from '../../errors/s3-error.js';
import { parseAmzDate } from '../amz-date.js';
import { headerValue } from '../header-value.js';
import type { RequestHeaders } from '../types.js';

const MONTH = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
// RFC 2616's three date forms; RFC 1123's also with a numeric zone, as the S3 guide's examples write it.
const RFC_1123 = new RegExp(`^[A-Za-z]{3}, \\d{1,2} ${MONTH} \\d{4} ${TIME} (GMT|UTC|[+-]\\d{4})$`);
const RFC_850 = new RegExp(`^[A-Za-z]{6,9}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME = new RegExp(`^[A-Za-z]{3} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/** Parses an HTTP date (RFC 1123, RFC 850 or asctime), or SigV4's ISO 8601 basic form; undefined otherwise. */
export function parseHttpDate(value: string): Date | undefined {
  const iso = parseAmzDate(value);
  if (iso) return iso;
  let text: string;
  if (RFC_1123.test(value) || RFC_850.test(value)) text = value;
  // asctime carries no zone: HTTP says it is GMT, while Date.parse would read it as local time.
  else if (ASCTIME.test(value)) text = `${value} GMT`;
  else return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export interface V2RequestTime {
  /** The timestamp header's value as sent. */
  raw: string;
  date: Date;
  /** The Date line of the string to sign: empty when x-amz-date is present, as it signs among the x-amz-* headers. */
  dateLine: string;
}

/** The timestamp of a header-signed SigV2 request: x-amz-date when present (S3 then ignores Date), else Date. */
export function requestTimeV2(headers: RequestHeaders): V2RequestTime {
  const amz = headerValue(headers, 'x-amz-date')?.trim();
  const raw = amz ?? headerValue(headers, 'date')?.trim();
  const date = raw === undefined ? undefined : parseHttpDate(raw);
  if (!date) throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  return { raw: raw!, date, dateLine: amz === undefined ? raw! : '' };
}

/** A SigV2 presigned URL is valid until its Expires time (seconds since the epoch); it has no start. */
export function checkQueryExpiry(expiresAt: Date, now: Date): void {
  if (now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      Expires: expiresAt.toISOString(),
      ServerTime: now.toISOString(),
    });
  }
}
