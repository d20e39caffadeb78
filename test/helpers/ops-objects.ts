import { RegionClient } from '../../src/s3/s3-client.js';
import type { LocalRegion } from '../../src/regions/s3rver-process.js';

/** A signed client straight to a local region (s3rver's fixed credentials). */
export function directClient(region: LocalRegion): RegionClient {
  return new RegionClient('test', { endpoint: region.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', signingRegion: 'us-east-1' },
    { connections: 32 });
}

/** PUTs every key (body from `body`) with `concurrency` requests in flight. */
export async function putKeys(client: RegionClient, bucket: string, keys: Iterable<string>, body: (key: string) => string = (k) => k,
  concurrency = 32): Promise<void> {
  const it = keys[Symbol.iterator]();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let n = it.next(); !n.done; n = it.next()) {
      const b = body(n.value);
      const res = await client.send({ op: 'PutObject', method: 'PUT', bucket, key: n.value, body: b,
        headers: { 'content-length': String(Buffer.byteLength(b)) } });
      res.body.resume();
    }
  }));
}

export async function deleteKey(client: RegionClient, bucket: string, key: string): Promise<void> {
  const res = await client.send({ op: 'DeleteObject', method: 'DELETE', bucket, key });
  res.body.resume();
}

/** `k000000`, `k000001`, ... with an optional prefix. */
export function keyRange(n: number, prefix = '', from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}k${String(from + i).padStart(6, '0')}`);
}
