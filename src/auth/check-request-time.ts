import { S3Error } from '../errors/s3-error.js';
import { MAX_SKEW_MS } from './constants.js';

/** A header-signed request must be within 15 minutes of our clock, either way. */
export function checkClockSkew(amzDate: string, date: Date, now: Date): void {
  if (Math.abs(date.getTime() - now.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: amzDate,
      ServerTime: now.toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
}

/** A presigned URL is valid from its X-Amz-Date (less the allowed skew) until X-Amz-Expires seconds after it. */
export function checkPresignedWindow(date: Date, expiresSeconds: number, now: Date): void {
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw new S3Error('AccessDenied', 'Request is not valid yet');
  }
  const expiresAt = new Date(date.getTime() + expiresSeconds * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(expiresSeconds),
      Expires: expiresAt.toISOString(),
      ServerTime: now.toISOString(),
    });
  }
}
