import { percentDecode } from './percent-decode.js';
import { uriEncode } from './uri-encode.js';

/**
 * The canonical URIs worth trying, best first. S3 signs each path segment encoded once with its own rules,
 * but clients encode the wire path in different ways (some leave `!` or `(` bare, some escape `~`), so the
 * path is decoded and re-encoded with S3's rules first. A client that signed its wire path exactly as sent
 * is still recognised by the second candidate, and one that signed a bare `+` as a space (aws4 does) by
 * the third. S3 does not normalise `.`/`..` segments, and neither do we.
 */
export function canonicalUriCandidates(rawPath: string): string[] {
  const path = rawPath === '' ? '/' : rawPath;
  const candidates = [uriEncode(percentDecode(path, false), true), path];
  if (path.includes('+')) candidates.push(uriEncode(percentDecode(path, true), true));
  return [...new Set(candidates)];
}
