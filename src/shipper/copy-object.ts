import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Region } from '../region/region.js';
import { RegionError } from '../region/region-error.js';
import { HashHoldBack } from '../util/verified-stream.js';
import { sameMetadata, sameTags, type ObjectState } from './object-state.js';
import { copyMultipart } from './copy-multipart.js';
import { formatMarker, REPLICA_MARKER } from '../s3/replica-marker.js';

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
  const now = await t.source.head(t.sourceBucket, key, t.signal);
  if (!now || now.etag !== src.etag || now.size !== src.size) return err;
  return new Error(`source object ${key}: its bytes do not match its ETag ${src.etag} and size ${src.size}; the source region is inconsistent`);
}

export interface CopyTarget {
  source: Region;
  target: Region;
  sourceBucket: string;
  targetBucket: string;
  multipartThreshold: number;
  partSize: number;
  signal?: AbortSignal;
  /** Metadata Ferry adds to the copies it writes (a mirror rule's replica marker), besides the source's. */
  marker?: Record<string, string>;
  /**
   * The source's state as the caller just read it (a mirror rule decides from it): copied as it is, and a source
   * that is no longer so (or gone) is a change, shipped again, never a delete made here.
   */
  sourceState?: ObjectState;
}

/** The metadata a copy of `src` is written with. */
export function copyMetadata(t: CopyTarget, src: ObjectState): Record<string, string> {
  return t.marker ? { ...src.metadata, ...t.marker } : src.metadata;
}

export interface CopyResult {
  result: 'shipped' | 'deleted';
  targetEtag: string | null;
  bytes: number;
  /** The target had to change (bytes, metadata, tags written, or a copy deleted); false when it already matched. */
  changed: boolean;
}

/**
 * GETs the source object (or `range` of it) only as it was when looked at: deleted (404), replaced (412 on
 * If-Match) or answering another ETag means it changed, which is no failure of the copy: it ships again.
 */
export async function getUnchanged(t: CopyTarget, key: string, src: ObjectState, range?: string): Promise<Readable> {
  let res: { etag: string; body: Readable };
  try {
    res = await t.source.get(t.sourceBucket, key, { ifMatch: src.etag, range, signal: t.signal });
  } catch (err) {
    if (err instanceof RegionError && (err.kind === 'not-found' || err.kind === 'precondition-failed')) throw new SourceChangedError(key);
    throw err;
  }
  if (res.etag !== src.etag) {
    res.body.on('error', () => {});
    res.body.destroy();
    throw new SourceChangedError(key);
  }
  return res.body;
}

/**
 * Streams a whole object; the target gets Content-MD5 and never the last bytes unless they hash right. Resolves
 * with the ETag the target answered (undefined when it named none).
 */
async function copyWhole(t: CopyTarget, key: string, src: ObjectState): Promise<string | undefined> {
  const body = await getUnchanged(t, key, src);
  const md5 = src.md5;
  const verify = new HashHoldBack((hex, bytes) =>
    bytes !== src.size || (md5 !== undefined && hex !== md5) ? new SourceChangedError(key, true) : null);
  const put = t.target.put(t.targetBucket, key, { body: verify, length: src.size, md5, metadata: copyMetadata(t, src) }, t.signal);
  const piped = pipeline(body, verify).catch((err) => {
    verify.destroy(err as Error);
    throw err;
  });
  const [res] = await Promise.all([put, piped]);
  return res.etag || undefined;
}

/** Whether the target's copy carries the marker this copy would write (none, when no marker is asked for). */
function sameMarker(t: CopyTarget, dst: ObjectState): boolean {
  const want = t.marker?.[REPLICA_MARKER];
  return want === undefined || (dst.replicaOf !== undefined && formatMarker(dst.replicaOf) === want);
}

/**
 * Makes the target's copy of one key equal the source's current state (ship state, not requests):
 * present → bytes, metadata and tags; absent → delete. Throws SourceChangedError when the source moved.
 */
export async function replicateKey(t: CopyTarget, key: string): Promise<CopyResult> {
  const src = t.sourceState ?? await t.source.head(t.sourceBucket, key, t.signal);
  if (!src) {
    // S3 answers a delete with 204 whether or not the key existed, so the target is looked at first: a key it
    // does not hold needs no delete, and the journal can tell a change that changed nothing.
    if (!await t.target.head(t.targetBucket, key, t.signal)) return { result: 'deleted', targetEtag: null, bytes: 0, changed: false };
    await t.target.delete(t.targetBucket, key, t.signal);
    return { result: 'deleted', targetEtag: null, bytes: 0, changed: true };
  }
  // A HEAD that counts the object's tags (x-amz-tagging-count: RGW always, S3 where there are some) saves reading
  // tags there are none of; a region that does not count them (s3rver) is always asked.
  const [srcTags, dst] = await Promise.all([src.tagCount === 0 ? [] : t.source.getTags(t.sourceBucket, key, t.signal),
    t.target.head(t.targetBucket, key, t.signal)]);
  let bytes = 0;
  let changed = false;
  // The ETag the target's object has: a multipart copy's is not the source's (other parts), and is asked for.
  let targetEtag = dst?.etag || undefined;
  if (!dst || dst.etag !== src.etag || dst.size !== src.size || !sameMetadata(dst.metadata, src.metadata) || !sameMarker(t, dst)) {
    try {
      if (src.size > t.multipartThreshold) {
        await copyMultipart(t, key, src);
        targetEtag = undefined;
      } else {
        targetEtag = await copyWhole(t, key, src);
      }
    } catch (err) {
      throw await explainMismatch(t, key, src, err);
    }
    bytes = src.size;
    changed = true;
  }
  // The target's tags and the source's last look are independent: ask for both at once, and for the target's ETag
  // when the copy's answer did not give it (a CompleteMultipartUpload answer need not: Ceph RGW 16.2 sends <ETag/>).
  // The target's tags are known without asking where it had none before: a new object, or one counted at zero (a PUT
  // adds no tags on any S3 service; whether it resets old ones does not matter then).
  const targetUntagged = !dst || dst.tagCount === 0;
  const [dstTags, after, landed] = await Promise.all([targetUntagged ? [] : t.target.getTags(t.targetBucket, key, t.signal),
    t.source.head(t.sourceBucket, key, t.signal),
    targetEtag === undefined ? t.target.head(t.targetBucket, key, t.signal) : null]);
  if (!sameTags(srcTags, dstTags)) {
    await t.target.putTags(t.targetBucket, key, srcTags, t.signal);
    changed = true;
  }
  // The last look: if the source moved while we copied, what we wrote may be stale.
  if (!after || after.etag !== src.etag || !sameMetadata(after.metadata, src.metadata)) throw new SourceChangedError(key);
  return { result: 'shipped', targetEtag: targetEtag ?? (landed?.etag || null), bytes, changed };
}
