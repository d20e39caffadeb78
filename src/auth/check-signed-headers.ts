import { S3Error } from '../errors/s3-error.js';
import type { CredentialSource } from './parse-credential.js';
import type { RequestHeaders } from './types.js';

// Its value is already bound by the canonical request's last line, signed or not.
const BOUND_ANYWAY = new Set(['x-amz-content-sha256']);

/**
 * Host must be signed, so a signature cannot be replayed against another endpoint; and as S3 does, every
 * x-amz-* header present must be signed, so nothing that changes the operation (x-amz-copy-source,
 * x-amz-acl, ...) can be added to a signed request in transit.
 */
export function checkSignedHeaders(headers: RequestHeaders, signedHeaders: readonly string[], source: CredentialSource): void {
  if (!signedHeaders.includes('host')) {
    throw new S3Error(source.code, `${source.prefix}'Host' must be a signed header.`);
  }
  const signed = new Set(signedHeaders);
  const unsigned = Object.keys(headers).filter(
    (name) => name.startsWith('x-amz-') && !signed.has(name) && !BOUND_ANYWAY.has(name) && headers[name] !== undefined,
  );
  if (unsigned.length > 0) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }
}
