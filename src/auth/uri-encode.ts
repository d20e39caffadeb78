const KEEP = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') KEEP[c.charCodeAt(0)] = 1;
const ESCAPED = Array.from({ length: 256 }, (_, b) => '%' + b.toString(16).toUpperCase().padStart(2, '0'));
const ALREADY_CANONICAL = /^[A-Za-z0-9\-_.~/]*$/;

/**
 * Percent-encodes bytes the way S3's SigV4 does: RFC 3986 unreserved characters stay, every other byte
 * becomes `%XX` in upper case (so a space is `%20`, never `+`). `/` stays only in paths.
 */
export function uriEncode(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += KEEP[b] === 1 || (keepSlash && b === 0x2f) ? String.fromCharCode(b) : ESCAPED[b];
  }
  return out;
}

/** uriEncode for a string's UTF-8 bytes, skipping the work when nothing needs escaping. */
export function uriEncodeString(value: string, keepSlash: boolean): string {
  if (ALREADY_CANONICAL.test(value) && (keepSlash || !value.includes('/'))) return value;
  return uriEncode(Buffer.from(value, 'utf8'), keepSlash);
}
