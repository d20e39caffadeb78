import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from '../lib/stats.js';
import { keyName } from '../lib/settings.js';
import type { LagJob, LagResult } from './protocol.js';
import { drain, keyPath, poolFor, s3Request } from './s3-request.js';

/**
 * The i-th object's key: a folder per hundred objects. s3rver lists a bucket by walking its folders and stat-ing
 * every file of each folder it enters (in its own order, skipping folders before `start-after`), so with every key
 * in one folder each listing of the watcher stat-ed two files per object ever written: at 500/s that walk, not the
 * shipper, took the target s3rver's core. In folders of a hundred, a listing from the oldest unseen object enters
 * the few folders still being filled.
 */
export function lagKey(prefix: string, i: number): string {
  return keyName(`${prefix}${String(Math.floor(i / 100)).padStart(3, '0')}/`, i);
}

const indexOf = (key: string) => Number(key.slice(key.lastIndexOf('/') + 1));

/**
 * PUTs objects through Ferry at a steady rate (on a fixed schedule, not back to back) and, from each
 * acknowledgement on, HEADs the target region every `pollMs` until the object is there with its full size.
 */
export async function runLag(j: LagJob): Promise<LagResult> {
  const ferry = poolFor(j.ferry.endpoint, 32);
  const region = poolFor(j.region.endpoint, 32);
  const base = randomBytes(j.size);
  const total = Math.round(j.perSecond * j.seconds);
  const lags: number[] = [];
  const acks: number[] = [];
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();

  const byList = j.watch === 'list';
  const ackedAt: Array<number | undefined> = new Array(total);
  const one = async (i: number) => {
    const key = lagKey(j.prefix, i);
    const body = Buffer.from(base);
    body.writeUInt32BE(i, 0);
    const sent = performance.now();
    try {
      const res = await s3Request(ferry, j.ferry, 'PUT', keyPath(j.bucket, key), { body, length: body.length });
      await drain(res.body);
      if (res.statusCode !== 200) throw new Error(`PUT ${key}: HTTP ${res.statusCode}`);
    } catch (err) {
      ackedAt[i] = -1; // never acknowledged: not watched for
      errors++;
      firstError ??= (err as Error).message;
      return;
    }
    const ack = performance.now();
    acks.push(ack - sent);
    acked++;
    if (byList) {
      ackedAt[i] = ack;
      return;
    }
    while (performance.now() - ack < j.timeoutMs) {
      const res = await s3Request(region, j.region, 'HEAD', keyPath(j.targetBucket, key));
      await drain(res.body);
      if (res.statusCode === 200 && Number(res.headers['content-length']) === j.size) {
        lags.push(performance.now() - ack);
        return;
      }
      await sleep(j.pollMs);
    }
    firstError ??= `${key} not in the target ${j.timeoutMs} ms after its acknowledgement`;
  };

  const all: Promise<void>[] = [];
  // The watcher starts with the first PUT (its promise is awaited after the last one is answered).
  const watcher = byList ? watchByListing(j, total, ackedAt, lags) : Promise.resolve(undefined);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / j.perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    all.push(one(i));
  }
  await Promise.all(all);
  firstError ??= await watcher.then((missing) => missing);
  return { sent: total, acked, present: lags.length, errors, lagsMs: lags, ackP50: quantile([...acks].sort((a, b) => a - b), 0.5), firstError };
}

/**
 * Watches the target by listing it: every pollMs, one ListObjectsV2 from just before the oldest object not yet
 * seen, up to 1000 keys; an acknowledged object listed at its full size is present (lag: from its acknowledgement
 * to the listing that showed it). Ends when every object is seen, or `timeoutMs` after the last PUT was sent;
 * resolves with what is missing then, if anything.
 */
async function watchByListing(j: LagJob, total: number, ackedAt: Array<number | undefined>, lags: number[]): Promise<string | undefined> {
  const region = poolFor(j.region.endpoint, 4);
  const seen = new Uint8Array(total);
  let oldest = 0;
  const end = performance.now() + j.seconds * 1000 + j.timeoutMs;
  while (oldest < total && performance.now() < end) {
    const asked = performance.now();
    const startAfter = oldest > 0 ? `&start-after=${encodeURIComponent(lagKey(j.prefix, oldest - 1))}` : '';
    const res = await s3Request(region, j.region, 'GET', keyPath(j.targetBucket),
      { query: `list-type=2&max-keys=1000&prefix=${encodeURIComponent(j.prefix)}${startAfter}` });
    const text = await res.body.text();
    const now = performance.now();
    for (const m of text.matchAll(/<Key>([^<]*)<\/Key>(?:(?!<\/Contents>).)*?<Size>(\d+)<\/Size>/gs)) {
      const i = m[1]!.startsWith(j.prefix) ? indexOf(m[1]!) : -1;
      if (!(i >= 0 && i < total) || seen[i] || Number(m[2]) !== j.size) continue;
      const ack = ackedAt[i];
      if (ack === undefined || ack < 0) continue; // listed before its PUT was answered: seen on a later listing
      seen[i] = 1;
      lags.push(Math.max(0, now - ack));
    }
    while (oldest < total && (seen[oldest] || ackedAt[oldest] === -1)) oldest++;
    const wait = j.pollMs - (performance.now() - asked);
    if (wait > 0) await sleep(wait);
  }
  return oldest < total ? `${total - lags.length} objects not seen in the target ${j.timeoutMs} ms after the last PUT` : undefined;
}
