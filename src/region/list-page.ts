import { asArray, parseXml } from '../s3/xml.js';
import type { ListPage } from './region.js';

/** RFC 3986 encoding of a query, names sorted, as SigV4 canonicalises it. */
export function encodeQuery(params: Record<string, string | undefined>): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(params).filter((k) => params[k] !== undefined).sort()
    .map((k) => `${enc(k)}=${enc(params[k]!)}`).join('&');
}

/** A key as a listing with `encoding-type=url` names it: form-encoded, `+` for a space (as botocore decodes it). */
function urlDecodedKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Pure: the objects and continuation token of a ListObjectsV2 answer. Keys are asked for URL-encoded, since
 * XML 1.0 cannot carry every character a key may hold; a region that ignores the request (s3rver) says so by
 * leaving out EncodingType, and its keys are taken as the XML decoded them.
 */
export function parseListPage(xml: string): ListPage {
  const doc = parseXml(xml, true) as { ListBucketResult?: { Contents?: unknown; IsTruncated?: string; NextContinuationToken?: string; EncodingType?: string } };
  const r = doc.ListBucketResult ?? {};
  const encoded = String(r.EncodingType ?? '').toLowerCase() === 'url';
  const objects = asArray(r.Contents as Array<{ Key: unknown; Size: unknown; ETag?: unknown }>).map((c) => ({
    key: encoded ? urlDecodedKey(String(c.Key)) : String(c.Key), size: Number(c.Size), etag: String(c.ETag ?? '').replace(/^"|"$/g, ''),
  }));
  const next = String(r.IsTruncated) === 'true' && r.NextContinuationToken ? String(r.NextContinuationToken) : undefined;
  return { objects, next };
}
