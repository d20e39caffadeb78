import { createHash } from 'node:crypto';
import { ALGORITHM } from './constants.js';

export interface CanonicalParts {
  method: string;
  uri: string;
  query: string;
  /** Lines of `name:value\n`, from canonicalHeaders. */
  headers: string;
  signedHeaders: string;
  payloadHash: string;
}

/** The SigV4 canonical request, newline-joined as the spec lays it out. */
export function canonicalRequest(p: CanonicalParts): string {
  return `${p.method}\n${p.uri}\n${p.query}\n${p.headers}\n${p.signedHeaders}\n${p.payloadHash}`;
}

// A character no single byte can carry: the canonical request came from strings, not from the wire.
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

/**
 * The string the request signature is the HMAC of. Header values arrive as Node and undici carry them, one
 * character per byte (latin1), and everything else in a canonical request is ASCII: hashed as latin1, the canonical
 * request is hashed over the very bytes that were on the wire, so UTF-8 metadata (as botocore sends it) verifies
 * and is re-signed as it is forwarded. A canonical request built from wider strings is hashed as UTF-8, as signers do.
 */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  const encoding = BEYOND_LATIN1.test(canonical) ? 'utf8' : 'latin1';
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical, encoding).digest('hex')}`;
}
