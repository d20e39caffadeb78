import { createHash } from 'node:crypto';
import type { CopyTarget } from './copy-object.js';
import { SourceChangedError, copyMetadata, getUnchanged } from './copy-object.js';
import { type ObjectState } from './object-state.js';
import type { PartRef } from '../region/region.js';
import { RegionError } from '../region/region-error.js';
import { backoffDelay } from './backoff.js';

const ABORT_ATTEMPTS = 3;

/**
 * Aborts one of our uploads, trying again: the fault that ended the copy can take the abort too, and an upload
 * left open keeps its parts stored for ever (until a restarted shipper's sweep of abandoned uploads).
 */
async function abortUpload(t: CopyTarget, key: string, uploadId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await t.target.abortMultipart(t.targetBucket, key, uploadId);
      return;
    } catch (err) {
      if (err instanceof RegionError && err.kind === 'not-found') return;
      if (attempt === ABORT_ATTEMPTS) return;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, 50, 400)));
    }
  }
}

/**
 * After a CreateMultipartUpload that got no answer (a reset, a timeout): the target may have created the upload all
 * the same, and nobody holds its id. The key is leased to this copy and the bucket is written by shippers alone,
 * so every open upload of this key is one of ours. Regions without ListMultipartUploads (s3rver) are skipped.
 */
async function abortUploadsOf(t: CopyTarget, key: string): Promise<void> {
  const uploads = await t.target.listMultipartUploads(t.targetBucket, key).catch(() => []);
  for (const u of uploads) if (u.key === key) await abortUpload(t, key, u.uploadId);
}

/** Reads one part of the source into `into` (reused across parts, so a copy holds one part buffer). */
async function readPart(t: CopyTarget, key: string, src: ObjectState, start: number, end: number, into: Buffer): Promise<Buffer> {
  const body = await getUnchanged(t, key, src, `bytes=${start}-${end}`);
  const part = into.subarray(0, end - start + 1);
  let at = 0;
  for await (const chunk of body) {
    const c = chunk as Buffer;
    if (at + c.length > part.length) throw new SourceChangedError(key, true);
    c.copy(part, at);
    at += c.length;
  }
  if (at !== part.length) throw new SourceChangedError(key, true);
  return part;
}

/**
 * Copies a large object as a multipart upload, one part in memory at a time (memory is bounded by the part
 * size, never by the object size). Each part carries Content-MD5; the whole is checked against a plain-MD5
 * source ETag before completing, so a source that changed mid-copy never becomes the target's object.
 */
export async function copyMultipart(t: CopyTarget, key: string, src: ObjectState): Promise<void> {
  let uploadId: string;
  try {
    uploadId = await t.target.createMultipart(t.targetBucket, key, copyMetadata(t, src), t.signal);
  } catch (err) {
    if (!(err instanceof RegionError) || err.kind === 'unreachable') await abortUploadsOf(t, key);
    throw err;
  }
  const whole = createHash('md5');
  const parts: PartRef[] = [];
  const buffer = Buffer.allocUnsafe(Math.min(t.partSize, src.size));
  try {
    for (let start = 0, n = 1; start < src.size; start += t.partSize, n++) {
      const end = Math.min(src.size, start + t.partSize) - 1;
      const part = await readPart(t, key, src, start, end, buffer);
      whole.update(part);
      parts.push({ partNumber: n, etag: await t.target.uploadPart(t.targetBucket, key, uploadId, n, part, t.signal) });
    }
    const md5 = src.md5;
    if (md5 !== undefined && whole.digest('hex') !== md5) throw new SourceChangedError(key, true);
    await t.target.completeMultipart(t.targetBucket, key, uploadId, parts, t.signal);
  } catch (err) {
    // Whatever ended the copy (a fault, a changed source, the shipper stopping), no upload of ours is left behind.
    await abortUpload(t, key, uploadId);
    throw err;
  }
}
