import { createHmac } from 'node:crypto';
import type { RegionConfig } from '../config/types.js';
import { toAmzDate } from '../auth/amz-date.js';
import { canonicalQuery } from '../auth/canonical-query.js';
import { ALGORITHM, TERMINATOR, UNSIGNED_PAYLOAD } from '../auth/constants.js';
import { percentDecode } from '../auth/percent-decode.js';
import { deriveSigningKey } from '../auth/signing-key.js';
import { canonicalRequest, stringToSign } from '../auth/string-to-sign.js';
import { uriEncode } from '../auth/uri-encode.js';

/** Encodes a key for an S3 path: every byte but RFC 3986 unreserved characters and '/'. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** Path-style path for a bucket and optional key. */
export function objectPath(bucket: string, key?: string): string {
  return key === undefined ? `/${encodeURIComponent(bucket)}` : `/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
}

// Parsed once per region configuration: every forwarded request goes to the same endpoint.
const endpoints = new WeakMap<RegionConfig, { host: string; basePath: string }>();

/** The host and base path of a region's endpoint, parsed once per configuration. */
export function endpointOf(region: RegionConfig): { host: string; basePath: string } {
  let e = endpoints.get(region);
  if (!e) {
    const url = new URL(region.endpoint);
    e = { host: url.host, basePath: url.pathname === '/' ? '' : url.pathname };
    endpoints.set(region, e);
  }
  return e;
}

// Left out of the signature, as aws4 leaves them: hop-by-hop, or rewritten by proxies on the way.
const UNSIGNED = new Set(['authorization', 'connection', 'x-amzn-trace-id', 'user-agent', 'expect', 'presigned-expires', 'range']);

// Methods for which undici sends `content-length: 0`; for any other it leaves a zero length off the wire.
const SENDS_ZERO_LENGTH = new Set(['PUT', 'POST', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

let clock = { second: -1, amzDate: '' };

function amzDateOf(now: Date): string {
  const second = Math.floor(now.getTime() / 1000);
  if (second !== clock.second) clock = { second, amzDate: toAmzDate(now) };
  return clock.amzDate;
}

/**
 * Signs a request for a region with SigV4 (header form). The payload is declared UNSIGNED-PAYLOAD unless the
 * caller sets x-amz-content-sha256, so bodies can stream without being hashed first. The canonical request is
 * built with the same functions that verify clients' signatures, and signs what aws4 signs (its test holds the
 * two equal); signing keys come from the cache the verifier uses, so a request costs two hashes and no parsing.
 */
export function signForRegion(region: RegionConfig, method: string, pathAndQuery: string,
  headers: Record<string, string>, now = new Date()): { path: string; headers: Record<string, string> } {
  const { host, basePath } = endpointOf(region);
  const amzDate = amzDateOf(now);
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) out[name.toLowerCase()] = headers[name]!;
  // Sign only what goes on the wire: a signed header the transport drops fails the source's verification.
  if (out['content-length'] === '0' && !SENDS_ZERO_LENGTH.has(method.toUpperCase())) delete out['content-length'];
  out['x-amz-content-sha256'] ??= UNSIGNED_PAYLOAD;
  out.host = host;
  out['x-amz-date'] = amzDate;
  const names = Object.keys(out).filter((n) => !UNSIGNED.has(n)).sort();
  let block = '';
  for (const n of names) block += `${n}:${out[n]!.trim().replace(/\s+/g, ' ')}\n`;
  const path = basePath + pathAndQuery;
  const qi = path.indexOf('?');
  const rawPath = (qi === -1 ? path : path.slice(0, qi)) || '/';
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region.signingRegion}/s3/${TERMINATOR}`;
  const signedHeaders = names.join(';');
  const canonical = canonicalRequest({
    method,
    uri: uriEncode(percentDecode(rawPath, false), true),
    query: qi === -1 ? '' : canonicalQuery(path.slice(qi + 1), true),
    headers: block,
    signedHeaders,
    payloadHash: out['x-amz-content-sha256'],
  });
  const key = deriveSigningKey(region.secretAccessKey, day, region.signingRegion, 's3');
  const signature = createHmac('sha256', key).update(stringToSign(amzDate, scope, canonical), 'utf8').digest('hex');
  out.authorization = `${ALGORITHM} Credential=${region.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { path, headers: out };
}
