import { randomBytes } from 'node:crypto';
import { latency } from '../lib/stats.js';
import { keyName } from '../lib/settings.js';
import type { OpsJob, OpsResult, PopulateJob, PopulateResult } from './protocol.js';
import { drain, keyPath, poolFor, s3Request } from './s3-request.js';

/** Small PUTs or GETs from `concurrency` loops until the time or the count runs out. */
export async function runOps(j: OpsJob): Promise<OpsResult> {
  const pool = poolFor(j.target.endpoint, j.concurrency);
  const body = randomBytes(j.size);
  const lat = new Float64Array(j.maxOps);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const end = t0 + j.seconds * 1000;
  const loop = async () => {
    while (issued < j.maxOps && performance.now() < end) {
      const i = issued++;
      const path = keyPath(j.bucket, keyName(j.prefix, i % j.keys));
      const s = performance.now();
      try {
        const res = j.method === 'PUT'
          ? await s3Request(pool, j.target, 'PUT', path, { body, length: body.length })
          : await s3Request(pool, j.target, 'GET', path);
        const n = await drain(res.body);
        if (res.statusCode >= 300 || (j.method === 'GET' && n !== j.size)) {
          errors++;
          firstError ??= `${j.method} ${path}: HTTP ${res.statusCode}, ${n} bytes`;
        }
      } catch (err) {
        errors++;
        firstError ??= `${j.method} ${path}: ${(err as Error).message}`;
      }
      lat[done++] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: j.concurrency }, loop));
  const seconds = (performance.now() - t0) / 1000;
  const l = latency(lat.subarray(0, done));
  return { ops: done, errors, seconds, opsPerSec: (done - errors) / seconds, p50: l.p50, p99: l.p99, max: l.max, firstError };
}

/** Stores `count` objects of `size` random-ish bytes (each differs in its first bytes) as prefix00000 ... */
export async function populate(j: PopulateJob): Promise<PopulateResult> {
  const pool = poolFor(j.target.endpoint, j.concurrency);
  const base = randomBytes(j.size);
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  const loop = async () => {
    while (next < j.count) {
      const i = next++;
      const body = Buffer.from(base);
      body.writeUInt32BE(i, 0);
      const res = await s3Request(pool, j.target, 'PUT', keyPath(j.bucket, keyName(j.prefix, i)),
        { body, length: body.length });
      await drain(res.body);
      if (res.statusCode >= 300) errors++;
    }
  };
  await Promise.all(Array.from({ length: j.concurrency }, loop));
  return { count: j.count, seconds: (performance.now() - t0) / 1000, errors };
}
