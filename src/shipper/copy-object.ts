import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import type { RegionClient, S3Response } from '../s3/s3-client.js';
import { discard, header } from '../s3/s3-client.js';
import { HashHoldBack } from '../util/verified-stream.js';
import { objectState, parseTagging, sameMetadata, sameTags, taggingXml, type ObjectState, type TagSet } from './object-state.js';
import { copyMultipart } from './copy-multipart.js';

/**
 * The source changed while it was being read: the key must ship again (not a failure). `bytes`: what was read
 * does not hash to (or is not as long as) what the source's ETag and size said.
 */
export class SourceChangedError extends Error {
  constructor(key: string, readonly bytes = false) {
    super(`source object ${key} changed during the copy`);
    this.name = 'SourceChangedError';
  }
}

/**
 * Bytes that do not match the ETag read before the copy mean a change only if the ETag has moved since. If it
 * has not, the source serves bytes that contradict its own ETag: copying again would loop for ever, so this is
 * an error answer that uses up an attempt and ends failed and visible.
 */
async function explainMismatch(t: CopyTarget, key: string, src: ObjectState, err: unknown): Promise<unknown> {
  if (!(err instanceof SourceChangedError) || !err.bytes) return err;
  const now = await headObject(t.source, t.sourceBucket, key, t.signal);
  if (!now || now.etag !== src.etag || now.size !== src.size) return err;
  return new Error(`source object ${key}: its bytes do not match its ETag ${src.etag} and size ${src.size}; the source region is inconsistent`);
}

export interface CopyTarget {
  source: RegionClient;
  target: RegionClient;
  sourceBucket: string;
  targetBucket: string;
  multipartThreshold: number;
  partSize: number;
  signal?: AbortSignal;
}

export interface CopyResult {
  result: 'shipped' | 'deleted';
  targetEtag: string | null;
  bytes: number;
  /** The target had to change (bytes, metadata, tags written, or a copy deleted); false when it already matched. */
  changed: boolean;
}

export async function headObject(client: RegionClient, bucket: string, key: string, signal?: AbortSignal): Promise<ObjectState | null> {
  const res = await client.send({ op: 'HeadObject', method: 'HEAD', bucket, key, accept: [404], signal });
  res.body.resume();
  return res.status === 404 ? null : objectState(res.headers);
}

async function getTags(client: RegionClient, bucket: string, key: string, signal?: AbortSignal): Promise<TagSet> {
  const res = await client.sendText({ op: 'GetObjectTagging', method: 'GET', bucket, key, query: 'tagging', accept: [404], signal });
  return res.status === 404 ? [] : parseTagging(res.text);
}

/**
 * GETs the source object (or `range` of it) only as it was when looked at: deleted (404), replaced (412 on
 * If-Match) or answering another ETag means it changed, which is no failure of the copy: it ships again.
 */
export async function getUnchanged(t: CopyTarget, key: string, src: ObjectState, range?: string): Promise<S3Response> {
  const headers: Record<string, string> = { 'if-match': src.etag };
  if (range !== undefined) headers.range = range;
  const res = await t.source.send({ op: 'GetObject', method: 'GET', bucket: t.sourceBucket, key, headers,
    accept: [404, 412], signal: t.signal });
  if (res.status === 404 || res.status === 412 || header(res.headers, 'etag') !== src.etag) {
    discard(res.body);
    throw new SourceChangedError(key);
  }
  return res;
}

/** Streams a whole object; the target gets Content-MD5 and never the last bytes unless they hash right. */
async function copyWhole(t: CopyTarget, key: string, src: ObjectState): Promise<void> {
  const get = await getUnchanged(t, key, src);
  const md5 = src.md5;
  const verify = new HashHoldBack((hex, bytes) =>
    bytes !== src.size || (md5 !== undefined && hex !== md5) ? new SourceChangedError(key, true) : null);
  const headers: Record<string, string> = { ...src.metadata, 'content-length': String(src.size) };
  if (md5) headers['content-md5'] = Buffer.from(md5, 'hex').toString('base64');
  const put = t.target.send({ op: 'PutObject', method: 'PUT', bucket: t.targetBucket, key, headers,
    body: verify, signal: t.signal });
  const piped = pipeline(get.body, verify).catch((err) => {
    verify.destroy(err as Error);
    throw err;
  });
  const [res] = await Promise.all([put, piped]);
  res.body.resume();
}

/**
 * Makes the target's copy of one key equal the source's current state (ship state, not requests):
 * present → bytes, metadata and tags; absent → delete. Throws SourceChangedError when the source moved.
 */
export async function replicateKey(t: CopyTarget, key: string): Promise<CopyResult> {
  const src = await headObject(t.source, t.sourceBucket, key, t.signal);
  if (!src) {
    // S3 answers a delete with 204 whether or not the key existed, so the target is looked at first: a key it
    // does not hold needs no delete, and the journal can tell a change that changed nothing.
    if (!await headObject(t.target, t.targetBucket, key, t.signal)) return { result: 'deleted', targetEtag: null, bytes: 0, changed: false };
    const res = await t.target.send({ op: 'DeleteObject', method: 'DELETE', bucket: t.targetBucket, key, accept: [404], signal: t.signal });
    res.body.resume();
    return { result: 'deleted', targetEtag: null, bytes: 0, changed: true };
  }
  const [srcTags, dst] = await Promise.all([getTags(t.source, t.sourceBucket, key, t.signal), headObject(t.target, t.targetBucket, key, t.signal)]);
  let bytes = 0;
  let changed = false;
  if (!dst || dst.etag !== src.etag || dst.size !== src.size || !sameMetadata(dst.metadata, src.metadata)) {
    try {
      if (src.size > t.multipartThreshold) await copyMultipart(t, key, src);
      else await copyWhole(t, key, src);
    } catch (err) {
      throw await explainMismatch(t, key, src, err);
    }
    bytes = src.size;
    changed = true;
  }
  // The target's tags and the source's last look are independent: ask for both at once.
  const [dstTags, after] = await Promise.all([getTags(t.target, t.targetBucket, key, t.signal),
    headObject(t.source, t.sourceBucket, key, t.signal)]);
  if (!sameTags(srcTags, dstTags)) {
    const body = taggingXml(srcTags);
    const res = await t.target.send({ op: 'PutObjectTagging', method: 'PUT', bucket: t.targetBucket, key, query: 'tagging',
      headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') }, body, signal: t.signal });
    res.body.resume();
    changed = true;
  }
  // The last look: if the source moved while we copied, what we wrote may be stale.
  if (!after || after.etag !== src.etag || !sameMetadata(after.metadata, src.metadata)) throw new SourceChangedError(key);
  return { result: 'shipped', targetEtag: src.etag, bytes, changed };
}
