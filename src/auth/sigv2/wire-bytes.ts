/**
 * The bytes a header value (or a request path) had on the wire. Node decodes them as latin1, one character
 * per byte, while clients sign the UTF-8 bytes they sent, so a non-ASCII `x-amz-meta-*` value only verifies
 * from its original bytes. A string holding a character above U+00FF did not come from Node's parser, so
 * it is taken as text and encoded as UTF-8.
 */
export function wireBytes(value: string): Buffer {
  return /[^\u0000-\u00ff]/.test(value) ? Buffer.from(value, 'utf8') : Buffer.from(value, 'latin1');
}

/** Strips spaces and tabs only: String#trim would also eat U+00A0, which is a UTF-8 continuation byte here. */
export function trimWire(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}
