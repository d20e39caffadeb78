import { S3Error } from '../errors/s3-error.js';
import { parseAmzDate, toAmzDate } from './amz-date.js';
import { headerValue } from './header-value.js';
import type { RequestHeaders } from './types.js';

/**
 * The timestamp of a header-signed request: x-amz-date, or else the Date header. A Date header in HTTP
 * form (`Fri, 24 May 2013 00:00:00 GMT`) is turned into the ISO 8601 basic form the string to sign uses.
 */
export function requestDate(headers: RequestHeaders): { amzDate: string; date: Date } {
  const amz = headerValue(headers, 'x-amz-date');
  const raw = amz ?? headerValue(headers, 'date');
  let date = raw === undefined ? undefined : parseAmzDate(raw.trim());
  if (date) return { amzDate: raw!.trim(), date };
  if (raw !== undefined && amz === undefined && /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(raw.trim())) {
    date = new Date(raw);
    if (!Number.isNaN(date.getTime())) return { amzDate: toAmzDate(date), date };
  }
  throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
}
