import { AUTH_QUERY_PARAMS } from './constants.js';
import { percentDecode } from './percent-decode.js';

const AUTH_NAMES = new Set(AUTH_QUERY_PARAMS.map((n) => n.toLowerCase()));

/**
 * Removes a presigned URL's authentication parameters (SigV4's X-Amz-*, SigV2's AWSAccessKeyId, Expires and
 * Signature) from a raw query string and keeps every other part byte for byte, for forwarding the request
 * upstream under the gateway's own signature.
 */
export function stripAuthQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  return rawQuery
    .split('&')
    .filter((part) => {
      const eq = part.indexOf('=');
      const name = percentDecode(eq < 0 ? part : part.slice(0, eq), true).toString('utf8');
      return !AUTH_NAMES.has(name.toLowerCase());
    })
    .join('&');
}
