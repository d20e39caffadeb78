/** The object a form upload stored, as its answer describes it. */
export interface StoredPost {
  bucket: string;
  key: string;
  /** The source's ETag, quoted. */
  etag: string;
  /** The object's URL (see objectLocation). */
  location: string;
}

export interface PostAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// The source's headers that describe the stored object; the rest belong to the PutObject exchange.
const KEPT = /^(x-amz-request-id|x-amz-id-2|x-amz-version-id|x-amz-expiration|x-amz-server-side-encryption.*|x-amz-checksum-.*)$/;

// Element text only needs these; S3 writes the ETag's quotes as they are.
function escapeText(s: string): string {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' }[c]!));
}

/** Pure: the URL of an uploaded object, with the key's `/` encoded as `%2F`, as S3 writes it in Location. */
export function objectLocation(origin: string, bucket: string, key: string, virtualHosted: boolean): string {
  const path = virtualHosted ? '' : `/${encodeURIComponent(bucket)}`;
  return `${origin}${path}/${encodeURIComponent(key)}`;
}

/**
 * Pure: where a successful upload sends the browser: success_action_redirect (or the older `redirect`) when it is
 * an absolute http(s) URL, with bucket, key and etag appended form-encoded; otherwise S3 ignores the field.
 */
export function redirectTarget(values: Map<string, string>, stored: StoredPost): string | undefined {
  const raw = values.get('success_action_redirect') ?? values.get('redirect');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const hash = raw.indexOf('#');
  const [base, fragment] = hash === -1 ? [raw, ''] : [raw.slice(0, hash), raw.slice(hash)];
  const query = new URLSearchParams({ bucket: stored.bucket, key: stored.key, etag: stored.etag }).toString();
  return `${base}${base.includes('?') ? '&' : '?'}${query}${fragment}`;
}

/**
 * Pure: S3's answer to a stored form upload: 303 to the redirect when there is one; else success_action_status
 * 201 (a PostResponse document), 200 (empty), or 204 for anything else, the default. ETag and Location always.
 */
export function postAnswer(values: Map<string, string>, stored: StoredPost,
  source: Record<string, string | string[] | undefined>): PostAnswer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value !== undefined && KEPT.test(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  headers.etag = stored.etag;
  const redirect = redirectTarget(values, stored);
  if (redirect !== undefined) {
    return { status: 303, headers: { ...headers, location: redirect, 'content-length': '0' }, body: '' };
  }
  headers.location = stored.location;
  const status = values.get('success_action_status');
  if (status === '201') {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>' +
      `<Location>${escapeText(stored.location)}</Location><Bucket>${escapeText(stored.bucket)}</Bucket>` +
      `<Key>${escapeText(stored.key)}</Key><ETag>${escapeText(stored.etag)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, 'content-type': 'application/xml',
      'content-length': String(Buffer.byteLength(body)) }, body };
  }
  if (status === '200') return { status: 200, headers: { ...headers, 'content-length': '0' }, body: '' };
  return { status: 204, headers, body: '' };
}
