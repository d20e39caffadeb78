import { createHash } from 'node:crypto';
import type { CopyTarget } from './copy-object.js';
import { SourceChangedError, getUnchanged } from './copy-object.js';
import { header } from '../s3/s3-client.js';
import { type ObjectState } from './object-state.js';
import { parseXml } from '../s3/xml.js';

/** Reads one part of the source into `into` (reused across parts, so a copy holds one part buffer). */
async function readPart(t: CopyTarget, key: string, src: ObjectState, start: number, end: number, into: Buffer): Promise<Buffer> {
  const res = await getUnchanged(t, key, src, `bytes=${start}-${end}`);
  const part = into.subarray(0, end - start + 1);
  let at = 0;
  for await (const chunk of res.body) {
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
  const created = await t.target.sendText({ op: 'CreateMultipartUpload', method: 'POST', bucket: t.targetBucket, key,
    query: 'uploads', headers: { ...src.metadata }, signal: t.signal });
  const uploadId = String((parseXml(created.text) as { InitiateMultipartUploadResult?: { UploadId?: string } })
    .InitiateMultipartUploadResult?.UploadId ?? '');
  const uid = encodeURIComponent(uploadId);
  const whole = createHash('md5');
  const parts: string[] = [];
  const buffer = Buffer.allocUnsafe(Math.min(t.partSize, src.size));
  try {
    for (let start = 0, n = 1; start < src.size; start += t.partSize, n++) {
      const end = Math.min(src.size, start + t.partSize) - 1;
      const part = await readPart(t, key, src, start, end, buffer);
      whole.update(part);
      const res = await t.target.send({ op: 'UploadPart', method: 'PUT', bucket: t.targetBucket, key,
        query: `partNumber=${n}&uploadId=${uid}`,
        headers: { 'content-length': String(part.length), 'content-md5': createHash('md5').update(part).digest('base64') },
        body: part, signal: t.signal });
      res.body.resume();
      parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${header(res.headers, 'etag') ?? ''}</ETag></Part>`);
    }
    const md5 = src.md5;
    if (md5 !== undefined && whole.digest('hex') !== md5) throw new SourceChangedError(key, true);
    const body = `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
    const done = await t.target.sendText({ op: 'CompleteMultipartUpload', method: 'POST', bucket: t.targetBucket, key,
      query: `uploadId=${uid}`, headers: { 'content-type': 'application/xml' }, body, signal: t.signal });
    if (done.text.includes('<Error>')) throw new Error(`CompleteMultipartUpload failed: ${done.text.slice(0, 200)}`);
  } catch (err) {
    await t.target.send({ op: 'AbortMultipartUpload', method: 'DELETE', bucket: t.targetBucket, key, query: `uploadId=${uid}`, accept: [404, 405, 501] })
      .then((r) => r.body.resume(), () => undefined);
    throw err;
  }
}
