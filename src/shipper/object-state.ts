import type { IncomingHttpHeaders } from 'undici/types/header.js';
import { asArray, parseXml } from '../s3/xml.js';
import { parseMarker, REPLICA_MARKER, type Stamp } from '../s3/replica-marker.js';

/** System metadata that a replica must carry, besides every `x-amz-meta-*` header. */
export const COPIED_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-disposition',
  'cache-control', 'expires'];

/** What the shipper compares and copies: identity (ETag, size) and metadata. */
export interface ObjectState {
  etag: string;
  size: number;
  metadata: Record<string, string>;
  /** The MD5 of the bytes, when the ETag is one (single-part upload, no SSE-KMS or SSE-C). */
  md5?: string;
  /** How many tags the object has, when the region says (x-amz-tagging-count); undefined when it does not. */
  tagCount?: number;
  /** Last-Modified in ms since the epoch, when the region sent it. */
  lastModified?: number;
  /** Set on a copy a mirror rule's shipper made: where and when the change it copies was made. */
  replicaOf?: Stamp;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Pure: the state of an object from a HEAD or GET answer. */
export function objectState(headers: IncomingHttpHeaders): ObjectState {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const v = first(value);
    if (v === undefined) continue;
    if (name === REPLICA_MARKER) continue;
    if (COPIED_HEADERS.includes(name) || name.startsWith('x-amz-meta-')) metadata[name] = v;
  }
  const etag = first(headers.etag) ?? '';
  // With SSE-KMS or SSE-C, S3's ETag is not the MD5 of the bytes, whatever it looks like.
  const sse = first(headers['x-amz-server-side-encryption']) ?? '';
  const opaque = sse.startsWith('aws:kms') || headers['x-amz-server-side-encryption-customer-algorithm'] !== undefined;
  const counted = first(headers['x-amz-tagging-count']);
  const tagCount = counted !== undefined && /^\d+$/.test(counted) ? Number(counted) : undefined;
  // A range's answer (206) names the object's size after the slash of Content-Range.
  const range = /\/(\d+)$/.exec(first(headers['content-range']) ?? '');
  const size = Number(range ? range[1] : first(headers['content-length']) ?? 0);
  const state: ObjectState = { etag, size, metadata, md5: opaque ? undefined : md5OfEtag(etag), tagCount };
  const modified = Date.parse(first(headers['last-modified']) ?? '');
  if (Number.isFinite(modified)) state.lastModified = modified;
  const replicaOf = parseMarker(first(headers[REPLICA_MARKER]));
  if (replicaOf) state.replicaOf = replicaOf;
  return state;
}

export function sameMetadata(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** An ETag that is the MD5 of the bytes (single-part upload, no SSE-KMS), so bytes can be checked against it. */
export function md5OfEtag(etag: string): string | undefined {
  const m = /^"?([0-9a-f]{32})"?$/i.exec(etag);
  return m ? m[1]!.toLowerCase() : undefined;
}

export type TagSet = Array<{ Key: string; Value: string }>;

/** Pure: the tags in a GetObjectTagging answer. */
export function parseTagging(xml: string): TagSet {
  // Ceph RGW 16.2 answers 200 with an empty body for an object whose tags were given to CreateMultipartUpload
  // (it keeps none of them, and its HEAD says x-amz-tagging-count: 0): no tags, not a malformed answer.
  if (xml.trim() === '') return [];
  const doc = parseXml(xml, true) as { Tagging?: { TagSet?: { Tag?: unknown } | string } };
  const set = doc.Tagging?.TagSet;
  if (!set || typeof set !== 'object') return [];
  return asArray(set.Tag as TagSet[number] | TagSet).map((t) => ({ Key: String(t.Key), Value: String(t.Value ?? '') }));
}

function esc(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]!));
}

/** Pure: a PutObjectTagging body. */
export function taggingXml(tags: TagSet): string {
  return '<?xml version="1.0" encoding="UTF-8"?><Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>' +
    tags.map((t) => `<Tag><Key>${esc(t.Key)}</Key><Value>${esc(t.Value)}</Value></Tag>`).join('') + '</TagSet></Tagging>';
}

export function sameTags(a: TagSet, b: TagSet): boolean {
  const norm = (t: TagSet) => JSON.stringify([...t].sort((x, y) => (x.Key < y.Key ? -1 : 1)));
  return norm(a) === norm(b);
}
