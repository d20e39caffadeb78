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

/** The string the request signature is the HMAC of. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
