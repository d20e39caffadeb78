import { S3Error } from '../errors/s3-error.js';
import { Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, UNSIGNED_PAYLOAD } from './constants.js';
import { headerValue } from './header-value.js';
import { payloadModeFor } from './payload-mode.js';
import type { AuthResult, RequestHeaders } from './types.js';

/** The principal the journal records for a request that carried no signature. */
export const ANONYMOUS = 'anonymous';

// Any of these in the query is an attempt to authenticate (SigV4 or SigV2 presigned), not an anonymous request.
const AUTH_QUERY = [Q_ALGORITHM, Q_CREDENTIAL, Q_SIGNATURE, 'AWSAccessKeyId', 'Signature'].map((n) => n.toLowerCase());

/**
 * Pure: true when the request carries no authentication at all, neither an Authorization header nor a signature
 * in the query. A request that tries to authenticate and fails is never treated as anonymous.
 */
export function carriesNoSignature(headers: RequestHeaders, rawQuery: string): boolean {
  if (headerValue(headers, 'authorization') !== undefined) return false;
  if (rawQuery === '') return true;
  return !rawQuery.split('&').some((part) => {
    const eq = part.indexOf('=');
    return AUTH_QUERY.includes(decodeURIComponentSafe(eq < 0 ? part : part.slice(0, eq)).toLowerCase());
  });
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Pure: what the gateway knows of an anonymous request's body. A SHA-256 or trailing checksum it declares is still
 * checked; chunk signatures cannot be, without a signature to chain from.
 */
export function anonymousAuth(headers: RequestHeaders): AuthResult {
  const payload = payloadModeFor(headerValue(headers, 'x-amz-content-sha256')?.trim() ?? UNSIGNED_PAYLOAD);
  if (payload.kind === 'streaming-signed') throw new S3Error('AccessDenied', 'A signed streaming body needs a signed request.');
  return { accessKeyId: ANONYMOUS, presigned: false, payload, signingKey: Buffer.alloc(0), scope: '', amzDate: '',
    seedSignature: '', signatureVersion: 4, anonymous: true };
}
