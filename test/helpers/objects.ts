import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';

/** What a replica must equal: bytes (MD5), size, metadata and tags of one object. */
export interface StoredObject {
  md5: string;
  size: number;
  contentType?: string;
  metadata: Record<string, string>;
  tags: Record<string, string>;
}

export async function storedObject(client: S3Client, bucket: string, key: string): Promise<StoredObject | null> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const get = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const hash = createHash('md5');
    let size = 0;
    for await (const chunk of get.Body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
    const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    return {
      md5: hash.digest('hex'), size, contentType: head.ContentType, metadata: head.Metadata ?? {},
      tags: Object.fromEntries((tagging.TagSet ?? []).map((t) => [t.Key!, t.Value!])),
    };
  } catch (err) {
    if ((err as { name?: string }).name === 'NotFound' || (err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

export async function listKeys(client: S3Client, bucket: string, prefix?: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Compares source and replica key by key: key set, bytes, metadata and tags. Returns the differences. */
export async function compareBuckets(src: S3Client, srcBucket: string, dst: S3Client, dstBucket: string, prefix?: string): Promise<string[]> {
  const [a, b] = await Promise.all([listKeys(src, srcBucket, prefix), listKeys(dst, dstBucket, prefix)]);
  const diffs: string[] = [];
  const all = new Set([...a, ...b]);
  for (const key of all) {
    const [x, y] = await Promise.all([storedObject(src, srcBucket, key), storedObject(dst, dstBucket, key)]);
    if (JSON.stringify(x) !== JSON.stringify(y)) diffs.push(`${key}: ${JSON.stringify(x)} != ${JSON.stringify(y)}`);
  }
  return diffs;
}
