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

/**
 * Signs a request for a region with SigV4 (header form). The payload is declared UNSIGNED-PAYLOAD unless the
 * caller sets x-amz-content-sha256, so bodies can stream without being hashed first.
 */
export function signForRegion(region: RegionConfig, method: string, pathAndQuery: string,
  headers: Record<string, string>): { path: string; headers: Record<string, string> } {
  const url = new URL(region.endpoint);
  const h: Record<string, string> = { ...headers };
  if (h['x-amz-content-sha256'] === undefined) h['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  h.host = url.host;
  const basePath = url.pathname === '/' ? '' : url.pathname;
  const signed = aws4.sign({
    host: url.host, path: basePath + pathAndQuery, method, headers: h, service: 's3', region: region.signingRegion,
  }, { accessKeyId: region.accessKeyId, secretAccessKey: region.secretAccessKey });
  return { path: signed.path as string, headers: signed.headers as Record<string, string> };
}
