import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { TransferJob, TransferResult } from './protocol.js';
import { drain, keyPath, poolFor, s3Request } from './s3-request.js';

const CHUNK = 1024 * 1024;
const block = randomBytes(CHUNK);

/** A generated body of `size` bytes, 1 MiB at a time (nothing of it is held but one block). */
async function* generated(size: number): AsyncGenerator<Buffer> {
  for (let left = size; left > 0; left -= CHUNK) yield left >= CHUNK ? block : block.subarray(0, left);
}

/** One large object PUT or GET over its own connection; MB/s counts 10^6 bytes. */
export async function runTransfer(j: TransferJob): Promise<TransferResult> {
  const pool = poolFor(j.target.endpoint, 2);
  const path = keyPath(j.bucket, j.key);
  const t0 = performance.now();
  let bytes: number;
  let status: number;
  if (j.method === 'PUT') {
    const res = await s3Request(pool, j.target, 'PUT', path, { body: Readable.from(generated(j.size), { objectMode: false }), length: j.size });
    await drain(res.body);
    status = res.statusCode;
    bytes = j.size;
  } else {
    const res = await s3Request(pool, j.target, 'GET', path);
    bytes = await drain(res.body);
    status = res.statusCode;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (status >= 300 || bytes !== j.size) throw new Error(`${j.method} ${path}: HTTP ${status}, ${bytes} of ${j.size} bytes`);
  return { bytes, seconds, mbPerSec: bytes / 1e6 / seconds, status };
}
