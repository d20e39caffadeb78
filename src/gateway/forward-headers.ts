import type { IncomingHttpHeaders } from 'node:http';

/** Headers that belong to one connection, never forwarded either way (RFC 9110 section 7.6.1). */
export const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer',
  'transfer-encoding', 'upgrade',
]);

// The client's signature and its inputs are replaced by Ferry's own for the source.
const AUTH_HEADERS = new Set(['authorization', 'x-amz-date', 'date', 'host', 'x-amz-content-sha256', 'expect',
  'x-amz-security-token']);

// Present only because the client framed its body as aws-chunked; the source receives plain bytes.
const CHUNKED_HEADERS = new Set(['x-amz-decoded-content-length', 'x-amz-trailer', 'x-amz-sdk-checksum-algorithm']);

export interface ForwardBody {
  /** The body is aws-chunked and Ferry forwards it decoded. */
  decoded: boolean;
  /** Byte length of what Ferry sends, when known. */
  length?: number;
}

/** Pure: the headers to send upstream (before signing), from the client's. */
export function forwardHeaders(incoming: IncomingHttpHeaders, body: ForwardBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || AUTH_HEADERS.has(name)) continue;
    if (body.decoded && (CHUNKED_HEADERS.has(name) || name.startsWith('x-amz-checksum-'))) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (body.decoded) {
    const enc = (out['content-encoding'] ?? '').split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked');
    if (enc.length) out['content-encoding'] = enc.join(', ');
    else delete out['content-encoding'];
  }
  if (body.length !== undefined) out['content-length'] = String(body.length);
  return out;
}

/** Pure: the source's response headers as the client receives them (hop-by-hop ones dropped). */
export function responseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}
