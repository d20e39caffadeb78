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
  const encoded = uriEncode(percentDecode(path, false), true);
  // Most paths are sent encoded as S3 signs them: one candidate, and no Set to build per request.
  const candidates = encoded === path ? [encoded] : [encoded, path];
  if (path.includes('+')) {
    const spaced = uriEncode(percentDecode(path, true), true);
    if (!candidates.includes(spaced)) candidates.push(spaced);
  }
  return candidates;
}
