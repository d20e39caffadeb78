import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';

const BASE64_SHA1 = /^[A-Za-z0-9+/]{27}=$/;

/**
 * Checks a SigV2 signature (base64 of an HMAC-SHA1 under the secret) against each candidate string to sign.
 * The error carries what S3's does, the string to sign as text and as bytes, so client authors can see where
 * their canonicalization differs.
 */
export function verifySignatureV2(candidates: Buffer[], secret: string, provided: string, accessKeyId: string): void {
  const providedBytes = BASE64_SHA1.test(provided) ? Buffer.from(provided, 'base64') : undefined;
  for (const toSign of candidates) {
    const expected = createHmac('sha1', secret).update(toSign).digest();
    if (providedBytes && timingSafeEqual(expected, providedBytes)) return;
  }
  const first = candidates[0];
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: accessKeyId,
    SignatureProvided: provided.slice(0, 128),
    StringToSign: first.toString('utf8'),
    StringToSignBytes: [...first].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  });
}
