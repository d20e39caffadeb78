import aws4 from 'aws4';
import type { RegionConfig } from '../config/types.js';

/** Encodes a key for an S3 path: every byte but RFC 3986 unreserved characters and '/'. */
export function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/** Path-style path for a bucket and optional key. */
export function objectPath(bucket: string, key?: string): string {
  return key === undefined ? `/${encodeURIComponent(bucket)}` : `/${encodeURIComponent(bucket)}/${encodeKey(key)}`;
}

// Parsed once per region configuration: every forwarded request is signed for the same endpoint.
const endpoints = new WeakMap<RegionConfig, { host: string; basePath: string }>();

function endpointOf(region: RegionConfig): { host: string; basePath: string } {
  let e = endpoints.get(region);
  if (!e) {
    const url = new URL(region.endpoint);
    e = { host: url.host, basePath: url.pathname === '/' ? '' : url.pathname };
    endpoints.set(region, e);
  }
  return e;
}

/**
 * Signs a request for a region with SigV4 (header form). The payload is declared UNSIGNED-PAYLOAD unless the
 * caller sets x-amz-content-sha256, so bodies can stream without being hashed first.
 */
export function signForRegion(region: RegionConfig, method: string, pathAndQuery: string,
  headers: Record<string, string>): { path: string; headers: Record<string, string> } {
  const { host, basePath } = endpointOf(region);
  const h: Record<string, string> = { ...headers };
  if (h['x-amz-content-sha256'] === undefined) h['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  h.host = host;
  const signed = aws4.sign({
    host, path: basePath + pathAndQuery, method, headers: h, service: 's3', region: region.signingRegion,
  }, { accessKeyId: region.accessKeyId, secretAccessKey: region.secretAccessKey });
  return { path: signed.path as string, headers: signed.headers as Record<string, string> };
}
