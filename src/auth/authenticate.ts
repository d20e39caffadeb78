import { S3Error } from '../errors/s3-error.js';
import type { ClientCredential } from '../config/types.js';
import { canonicalHeaders } from './canonical-headers.js';
import { checkClockSkew, checkPresignedWindow } from './check-request-time.js';
import { checkSignedHeaders } from './check-signed-headers.js';
import {
  Q_ALGORITHM, Q_CONTENT_SHA256, Q_CREDENTIAL, Q_SIGNATURE, Q_V2_ACCESS_KEY, Q_V2_SIGNATURE, UNSIGNED_PAYLOAD,
} from './constants.js';
import { headerValue } from './header-value.js';
import { parseAuthorizationHeader, type SignatureParams } from './parse-authorization-header.js';
import { HEADER_SOURCE, QUERY_SOURCE, checkCredentialDate, type CredentialSource } from './parse-credential.js';
import { parsePresignedQuery } from './parse-presigned-query.js';
import { parseQuery } from './parse-query.js';
import { payloadModeFor } from './payload-mode.js';
import { requestDate } from './request-date.js';
import { deriveSigningKey } from './signing-key.js';
import { authenticateV2 } from './sigv2/authenticate-v2.js';
import { isV2Authorization } from './sigv2/parse-v2.js';
import type { AuthRequest, AuthResult } from './types.js';
import { verifySignature } from './verify-signature.js';

export type { AuthRequest, AuthResult, PayloadMode } from './types.js';

interface Mechanism {
  params: SignatureParams;
  source: CredentialSource;
  amzDate: string;
  presigned: boolean;
  payloadHash: string;
}

/** Where a request carries its signature; S3 refuses a request that carries more than one. */
interface Carrier {
  query: Map<string, string[]>;
  /** The Authorization header, trimmed; undefined when absent or blank. */
  authorization: string | undefined;
  version: 2 | 4;
}

function findCarrier(req: AuthRequest): Carrier {
  const query = parseQuery(req.rawQuery);
  const authorization = headerValue(req.headers, 'authorization')?.trim() || undefined;
  const queryV4 = query.has(Q_ALGORITHM) || query.has(Q_CREDENTIAL) || query.has(Q_SIGNATURE);
  const queryV2 = query.has(Q_V2_ACCESS_KEY) && query.has(Q_V2_SIGNATURE);
  if (authorization !== undefined && (queryV4 || queryV2)) {
    throw new S3Error('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, ' +
      'Signature query string parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' });
  }
  if (authorization === undefined && !queryV4 && !queryV2) throw new S3Error('AccessDenied');
  const v2 = authorization !== undefined ? isV2Authorization(authorization) : !queryV4;
  return { query, authorization, version: v2 ? 2 : 4 };
}

/** Checks a SigV4 request's form and its timing, and reads its parts. */
function readMechanism(req: AuthRequest, { query, authorization }: Carrier, now: Date): Mechanism {
  const contentSha256 = headerValue(req.headers, 'x-amz-content-sha256')?.trim();
  if (authorization !== undefined) {
    const params = parseAuthorizationHeader(authorization);
    const { amzDate, date } = requestDate(req.headers);
    checkCredentialDate(params.credential, amzDate, HEADER_SOURCE);
    checkClockSkew(amzDate, date, now);
    if (contentSha256 === undefined) {
      throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
    }
    return { params, source: HEADER_SOURCE, amzDate, presigned: false, payloadHash: contentSha256 };
  }
  const params = parsePresignedQuery(query);
  checkCredentialDate(params.credential, params.amzDate, QUERY_SOURCE);
  checkPresignedWindow(params.date, params.expiresSeconds, now);
  // The AWS SDK's presigner hoists x-amz-content-sha256 (UNSIGNED-PAYLOAD) into the query.
  const payloadHash = contentSha256 ?? query.get(Q_CONTENT_SHA256)?.[0] ?? UNSIGNED_PAYLOAD;
  return { params, source: QUERY_SOURCE, amzDate: params.amzDate, presigned: true, payloadHash };
}

/**
 * Verifies a request's AWS signature against the credential `lookup` returns for its access key: Signature
 * V4 from the Authorization header or a presigned URL, or Signature V2 in either place (see authenticateV2).
 * Throws the S3Error S3 itself would answer with. The body is not read here: createBodyDecoder verifies it
 * from the returned AuthResult.
 */
export function authenticate(
  req: AuthRequest,
  lookup: (accessKeyId: string) => ClientCredential | undefined,
  now: Date,
): AuthResult {
  const carrier = findCarrier(req);
  if (carrier.version === 2) return authenticateV2(req, carrier.query, carrier.authorization, lookup, now);
  const { params, source, amzDate, presigned, payloadHash } = readMechanism(req, carrier, now);
  const payload = payloadModeFor(payloadHash);
  const { credential, signedHeaders, signature } = params;
  const client = lookup(credential.accessKeyId);
  if (!client) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: credential.accessKeyId });
  checkSignedHeaders(req.headers, signedHeaders, source);
  const signingKey = deriveSigningKey(client.secretAccessKey, credential.date, credential.region, credential.service);
  verifySignature({
    method: req.method,
    rawPath: req.rawPath,
    rawQuery: req.rawQuery,
    omitQuery: presigned ? Q_SIGNATURE : undefined,
    canonicalHeaders: canonicalHeaders(req.headers, signedHeaders),
    signedHeaders,
    payloadHash,
    amzDate,
    scope: credential.scope,
    accessKeyId: credential.accessKeyId,
  }, signingKey, signature);
  return {
    signatureVersion: 4,
    accessKeyId: credential.accessKeyId,
    presigned,
    payload,
    signingKey,
    scope: credential.scope,
    amzDate,
    seedSignature: signature.toLowerCase(),
  };
}
