import { Readable } from 'node:stream';
import type { Region } from '../region/region.js';
import { RegionError } from '../region/region-error.js';
import { HashHoldBack } from '../util/verified-stream.js';
import { sameMetadata, sameTags, type ObjectState, type TagSet } from './object-state.js';
import { traitsOf } from '../region/region-traits.js';
import { copyMultipart } from './copy-multipart.js';
import { formatMarker, REPLICA_MARKER } from '../s3/replica-marker.js';

/**
 * The source changed while it was being read: the key must ship again (not a failure). `bytes`: what was read
 * does not hash to (or is not as long as) what the source's ETag and size said.
 */
export class SourceChangedError extends Error {
  /** `seen`: what the last look found at the source, when it was the last look that found the change (null: gone). */
  constructor(key: string, readonly bytes = false, readonly seen?: ObjectState | null) {
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
  /**
   * The bytes of `sourceState`, held since the gateway forwarded them (`RecentPuts`): copied without reading the
   * source, checked against the state's ETag, and the state against the last look like any other.
   */
  sourceBody?: Buffer;
  /**
   * The target was seen without the key just before (a resync's walk): its HEAD is left out of a copy. A hint:
   * where the source turns out absent, the target is looked at all the same before deciding on a delete.
   */
  targetAbsent?: boolean;
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
 * Streams a whole object; the target gets Content-MD5 and never the last bytes unless they hash right. `body`:
 * the source's bytes when already open (read in the same answer as `src`), else they are asked for with If-Match.
 * Resolves with the ETag the target answered (undefined when it named none). `onRead`: called once the source's
 * last byte has been read (the PUT's answer may still be on its way).
 */
async function copyWhole(t: CopyTarget, key: string, src: ObjectState, tags: TagSet, body?: Readable,
  onRead?: () => void): Promise<string | undefined> {
  body ??= await getUnchanged(t, key, src);
  if (onRead) body.once('end', onRead);
  const md5 = src.md5;
  const verify = new HashHoldBack((hex, bytes) =>
    bytes !== src.size || (md5 !== undefined && hex !== md5) ? new SourceChangedError(key, true) : null);
  const put = t.target.put(t.targetBucket, key, { body: verify, length: src.size, md5, metadata: copyMetadata(t, src), tags }, t.signal);
  // pipe, not stream.pipeline: the same wiring without an AbortController and a DOMException per copy. Whichever
  // side fails, the other is ended too, so no source connection is left waiting on an unread body.
  const piped = new Promise<void>((resolve, reject) => {
    body.once('error', (err) => {
      verify.destroy(err);
      reject(err);
    });
    verify.once('error', (err) => {
      body.destroy();
      reject(err);
    });
    verify.once('finish', resolve);
    body.pipe(verify);
  });
  put.catch(() => body.destroy());
  const [res] = await Promise.all([put, piped]);
  return res.etag || undefined;
}

/**
 * The source's state and, for an object small enough to copy whole, its bytes, from one GET (no HEAD first):
 * state and bytes come from the same answer, so they agree. Null when the key is absent.
 */
async function readSource(t: CopyTarget, key: string): Promise<{ src: ObjectState; body?: Readable } | null> {
  let res: { state: ObjectState; body: Readable };
  try {
    res = await t.source.get(t.sourceBucket, key, { signal: t.signal });
  } catch (err) {
    if (err instanceof RegionError && err.kind === 'not-found') return null;
    throw err;
  }
  learnTagCounting(t.source, res.state);
  // A large object goes by parts, each read with If-Match: this answer gave its state, its bytes are not needed.
  if (res.state.size > t.multipartThreshold) return drop(res.body), { src: res.state };
  return { src: res.state, body: res.body };
}

/** Bytes already in memory as a stream of one chunk (a Buffer, not an object: the PUT counts its bytes). */
function held(body: Buffer | undefined): Readable | undefined {
  return body && Readable.from([body], { objectMode: false });
}

/** Lets go of a body that will not be copied: a small one is read off (its connection stays), a large one cut. */
function drop(body: Readable | undefined, size = Infinity): void {
  if (!body) return;
  body.on('error', () => {});
  if (size <= 1024 * 1024) body.resume();
  else body.destroy();
}

/** A GET answer that counts tags shows its region does (its answers can then be trusted to say "none"). */
function learnTagCounting(region: Region, state: ObjectState): void {
  if (state.tagCount !== undefined) traitsOf(region).countsTags = true;
}

/**
 * The source's tags: none without asking where its GET counted none, or where the region is known to count
 * tags and this answer named no count (S3 leaves the header out at zero). A HEAD-read state (`fromGet` false)
 * tells nothing: S3's HEAD never counts.
 */
async function sourceTags(t: CopyTarget, key: string, src: ObjectState, fromGet: boolean, asked?: Promise<TagSet>): Promise<TagSet> {
  if (src.tagCount === 0 || (fromGet && src.tagCount === undefined && traitsOf(t.source).countsTags)) return [];
  const tags = await (asked ?? t.source.getTags(t.sourceBucket, key, t.signal));
  // Tags a counting-free answer did not announce: this region does not count them, so it is always asked.
  if (fromGet && tags.length > 0 && src.tagCount === undefined) traitsOf(t.source).countsTags = false;
  return tags;
}

/**
 * Whether the target's tags after a PUT of `tags` are known without reading them: a PUT's x-amz-tagging replaces
 * the whole set on a region known to store it; a PUT without tags leaves none where the object had none before
 * or the region is known to drop old tags on a PUT. `before`: the target's tag count before (undefined: unknown).
 */
function tagsKnownAfterPut(target: Region, tags: TagSet, before: number | undefined): boolean {
  const tr = traitsOf(target);
  return tags.length > 0 ? tr.tagsOnPut === true : before === 0 || tr.resetsTagsOnPut === true;
}

/** What a tag read after a PUT shows of the target region's ways. */
function learnTagWrites(target: Region, sent: TagSet, before: number | undefined, after: TagSet): void {
  const tr = traitsOf(target);
  if (sent.length > 0 && before === 0) tr.tagsOnPut = sameTags(sent, after);
  if (sent.length === 0 && before !== undefined && before > 0) tr.resetsTagsOnPut = after.length === 0;
}

/** Whether the target's copy carries the marker this copy would write (none, when no marker is asked for). */
function sameMarker(t: CopyTarget, dst: ObjectState): boolean {
  const want = t.marker?.[REPLICA_MARKER];
  return want === undefined || (dst.replicaOf !== undefined && formatMarker(dst.replicaOf) === want);
}

/**
 * Makes the target's copy of one key equal the source's current state (ship state, not requests):
 * present → bytes, metadata and tags; absent → delete. Throws SourceChangedError when the source moved.
 * The source is read with one GET that gives its state and bytes together (or `t.sourceState`, when the caller
 * has looked already); the target's HEAD goes out at the same time (none where `t.targetAbsent` says the
 * target lacks the key: it is copied).
 */
export async function replicateKey(t: CopyTarget, key: string): Promise<CopyResult> {
  let dstP = t.targetAbsent ? Promise.resolve(null) : t.target.head(t.targetBucket, key, t.signal);
  dstP.catch(() => {});
  // Where the region is not known to count tags in its GET answers, its tags are asked for alongside the GET, so
  // the copy waits for one round trip, not two.
  // A state held since the gateway's PUT counts no tags (it is used only where GET answers do not either): they
  // are asked for at once.
  const tagsP = t.sourceBody !== undefined || (!t.sourceState && traitsOf(t.source).countsTags !== true)
    ? t.source.getTags(t.sourceBucket, key, t.signal) : undefined;
  tagsP?.catch(() => {});
  const read = t.sourceState ? { src: t.sourceState, body: held(t.sourceBody) } : await readSource(t, key);
  if (!read) {
    // S3 answers a delete with 204 whether or not the key existed, so the target is looked at first: a key it
    // does not hold needs no delete, and the journal can tell a change that changed nothing.
    if (t.targetAbsent) dstP = t.target.head(t.targetBucket, key, t.signal);
    if (!await dstP) return { result: 'deleted', targetEtag: null, bytes: 0, changed: false };
    await t.target.delete(t.targetBucket, key, t.signal);
    return { result: 'deleted', targetEtag: null, bytes: 0, changed: true };
  }
  const { src } = read;
  let body = read.body;
  let srcTags: TagSet;
  let dst: ObjectState | null;
  try {
    [srcTags, dst] = await Promise.all([sourceTags(t, key, src, !t.sourceState, tagsP), dstP]);
  } catch (err) {
    drop(body);
    throw err;
  }
  let bytes = 0;
  let changed = false;
  // The last look at the source goes out as soon as its bytes have all been read, while the target is still
  // answering the PUT: what it guards (the source moving while it was read) is over by then, so it checks just as
  // much, and the copy waits for two round trips instead of three.
  let lastLook: Promise<ObjectState | null> | undefined;
  const look = () => {
    lastLook = t.source.head(t.sourceBucket, key, t.signal);
    lastLook.catch(() => {});
  };
  // The ETag the target's object has: a multipart copy's is not the source's (other parts), and is asked for.
  let targetEtag = dst?.etag || undefined;
  // How many tags the target's object has (undefined: unknown), and whether what it has now is known.
  const tagsBefore = dst ? dst.tagCount : 0;
  let tagsKnown = tagsBefore === 0 && srcTags.length === 0;
  if (!dst || dst.etag !== src.etag || dst.size !== src.size || !sameMetadata(dst.metadata, src.metadata) || !sameMarker(t, dst)) {
    try {
      if (src.size > t.multipartThreshold) {
        drop(body);
        body = undefined;
        await copyMultipart(t, key, src);
        targetEtag = undefined;
        // NOTE: RGW 16.2 keeps no tags given to CreateMultipartUpload, so a multipart copy's tags are always looked at.
        tagsKnown = tagsBefore === 0 && srcTags.length === 0;
      } else {
        // A mirror copy's look waits for the copy to land: the other side's shipper writes into this bucket
        // without this side's journal knowing, and a copy of its that lands during ours crossed it (the key ships
        // again to settle it). Of two crossing copies, the look after the one that landed last sees the other.
        targetEtag = await copyWhole(t, key, src, srcTags, body, t.marker ? undefined : look);
        tagsKnown = tagsKnownAfterPut(t.target, srcTags, tagsBefore);
      }
    } catch (err) {
      throw await explainMismatch(t, key, src, err);
    }
    bytes = src.size;
    changed = true;
  } else {
    drop(body, src.size);
  }
  // The target's tags and the source's last look are independent: ask for both at once, and for the target's ETag
  // when the copy's answer did not give it (a CompleteMultipartUpload answer need not: Ceph RGW 16.2 sends <ETag/>).
  // The target's tags are not read where they are known: none before and none to write, or written by the PUT
  // on a region known to store x-amz-tagging (and to drop old tags on overwrite, where there were any).
  const [dstTags, after, landed] = await Promise.all([tagsKnown ? srcTags : t.target.getTags(t.targetBucket, key, t.signal),
    lastLook ?? t.source.head(t.sourceBucket, key, t.signal),
    targetEtag === undefined ? t.target.head(t.targetBucket, key, t.signal) : null]);
  if (!tagsKnown && changed && src.size <= t.multipartThreshold) learnTagWrites(t.target, srcTags, tagsBefore, dstTags);
  if (!sameTags(srcTags, dstTags)) {
    await t.target.putTags(t.targetBucket, key, srcTags, t.signal);
    changed = true;
  }
  // The last look: if the source moved while we copied, what we wrote may be stale.
  if (!after || after.etag !== src.etag || !sameMetadata(after.metadata, src.metadata)) throw new SourceChangedError(key, false, after);
  return { result: 'shipped', targetEtag: targetEtag ?? (landed?.etag || null), bytes, changed };
}
