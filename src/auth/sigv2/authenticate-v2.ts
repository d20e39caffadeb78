import type { ClientCredential } from '../../config/types.js';
import { S3Error } from '../../errors/s3-error.js';
import { checkClockSkew } from '../check-request-time.js';
import type { AuthRequest, AuthResult } from '../types.js';
import { parseV2Header, parseV2Query, type V2Credentials } from './parse-v2.js';
import { checkQueryExpiry, requestTimeV2 } from './request-time-v2.js';
import { stringsToSignV2 } from './string-to-sign-v2.js';
import { verifySignatureV2 } from './verify-v2.js';

/**
 * Verifies a request's AWS Signature Version 2, from its `AWS AccessKeyId:Signature` Authorization header
 * or, when `authorization` is undefined, from its presigned URL's query. SigV2 signs no body (Content-MD5,
 * when sent, is the source's to check), so the payload is unsigned and there is no signing key to chain.
 */
export function authenticateV2(
  req: AuthRequest,
  query: Map<string, string[]>,
  authorization: string | undefined,
  lookup: (accessKeyId: string) => ClientCredential | undefined,
  now: Date,
): AuthResult {
  const presigned = authorization === undefined;
  let credentials: V2Credentials;
  let date: string;
  if (presigned) {
    const params = parseV2Query(query);
    checkQueryExpiry(params.expiresAt, now);
    credentials = params;
    date = params.expires;
  } else {
    credentials = parseV2Header(authorization);
    const time = requestTimeV2(req.headers);
    checkClockSkew(time.raw, time.date, now);
    date = time.dateLine;
  }
  const { accessKeyId, signature } = credentials;
  const client = lookup(accessKeyId);
  if (!client) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  verifySignatureV2(stringsToSignV2(req, date), client.secretAccessKey, signature, accessKeyId);
  return {
    signatureVersion: 2,
    accessKeyId,
    presigned,
    payload: { kind: 'unsigned' },
    signingKey: Buffer.alloc(0),
    scope: '',
    amzDate: '',
    seedSignature: '',
  };
}
