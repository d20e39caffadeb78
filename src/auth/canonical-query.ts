import { percentDecode } from './percent-decode.js';
import { uriEncode } from './uri-encode.js';

/**
 * The SigV4 canonical query string: every pair decoded and re-encoded strictly, a bare name given an empty
 * value, sorted by encoded name then value. `omit` drops a parameter by decoded name (X-Amz-Signature of
 * a presigned URL). `plusIsSpace` says how to read a literal `+`, which clients disagree about.
 */
export function canonicalQuery(rawQuery: string, plusIsSpace: boolean, omit?: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = percentDecode(eq < 0 ? part : part.slice(0, eq), plusIsSpace);
    if (omit !== undefined && key.toString('utf8') === omit) continue;
    const value = eq < 0 ? Buffer.alloc(0) : percentDecode(part.slice(eq + 1), plusIsSpace);
    pairs.push([uriEncode(key, false), uriEncode(value, false)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}
