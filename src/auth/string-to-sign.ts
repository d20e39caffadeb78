import { hash } from 'node:crypto';
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
const BEYOND_ASCII = /[^\u0000-\u007f]/;

/** SHA-256 of the canonical request in hex; one-shot `hash` costs a third of a Hash object's set-up and calls. */
function hashCanonical(canonical: string): string {
  // An ASCII string has the same bytes in latin1 and UTF-8, and `hash` takes strings as UTF-8.
  if (!BEYOND_ASCII.test(canonical) || BEYOND_LATIN1.test(canonical)) return hash('sha256', canonical, 'hex');
  return hash('sha256', Buffer.from(canonical, 'latin1'), 'hex');
}

/**
 * The string the request signature is the HMAC of. Header values arrive as Node and undici carry them, one
 * character per byte (latin1), and everything else in a canonical request is ASCII: hashed as latin1, the canonical
 * request is hashed over the very bytes that were on the wire, so UTF-8 metadata (as botocore sends it) verifies
 * and is re-signed as it is forwarded. A canonical request built from wider strings is hashed as UTF-8, as signers do.
 */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${hashCanonical(canonical)}`;
}
