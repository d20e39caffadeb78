import { randomBytes } from 'node:crypto';

// Random per process, so ids from several gateways never collide; a counter after it, so no random bytes per request.
const PREFIX = randomBytes(4).toString('hex').toUpperCase();
let counter = 0;

/** A unique request id of 16 hex digits, as S3's x-amz-request-id. */
export function nextRequestId(): string {
  counter = (counter + 1) >>> 0;
  return PREFIX + counter.toString(16).toUpperCase().padStart(8, '0');
}

/** The `x-amz-id-2` that goes with a request id Ferry made (S3 sends one with every answer, to find it in its logs). */
export function hostId(requestId: string): string {
  return Buffer.from(`ferry/${requestId}`).toString('base64');
}
