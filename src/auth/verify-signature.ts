import { createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalUriCandidates } from './canonical-uri.js';
import { canonicalRequest, stringToSign } from './string-to-sign.js';

export interface SignedRequest {
  method: string;
  rawPath: string;
  rawQuery: string;
  /** Decoded name of a query parameter outside the signature (X-Amz-Signature of a presigned URL). */
  omitQuery?: string;
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
  accessKeyId: string;
}

/**
 * Checks a request signature, trying each plausible canonical form (see canonicalUriCandidates; a literal
 * `+` in the query may mean a space or a plus) before failing. The error carries what S3's does, the
 * canonical request and string to sign as we computed them, so client authors can see the difference.
 */
export function verifySignature(req: SignedRequest, signingKey: Buffer, provided: string): void {
  const providedBytes = /^[0-9a-fA-F]{64}$/.test(provided) ? Buffer.from(provided, 'hex') : undefined;
  const queries = [canonicalQuery(req.rawQuery, true, req.omitQuery)];
  if (req.rawQuery.includes('+')) queries.push(canonicalQuery(req.rawQuery, false, req.omitQuery));
  let first: { canonical: string; toSign: string } | undefined;
  for (const uri of canonicalUriCandidates(req.rawPath)) {
    for (const query of queries) {
      const canonical = canonicalRequest({
        method: req.method,
        uri,
        query,
        headers: req.canonicalHeaders,
        signedHeaders: req.signedHeaders.join(';'),
        payloadHash: req.payloadHash,
      });
      const toSign = stringToSign(req.amzDate, req.scope, canonical);
      const expected = createHmac('sha256', signingKey).update(toSign, 'utf8').digest();
      if (providedBytes && timingSafeEqual(expected, providedBytes)) return;
      first ??= { canonical, toSign };
    }
  }
  throw new S3Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: req.accessKeyId,
    SignatureProvided: provided.slice(0, 128),
    StringToSign: first!.toSign,
    CanonicalRequest: first!.canonical,
  });
}
