import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { quantile } from '../lib/stats.js';
import { keyName } from '../lib/settings.js';
import type { LagJob, LagResult } from './protocol.js';
import { drain, keyPath, poolFor, s3Request } from './s3-request.js';

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

  const one = async (i: number) => {
    const key = keyName(j.prefix, i);
    const body = Buffer.from(base);
    body.writeUInt32BE(i, 0);
    const sent = performance.now();
    try {
      const res = await s3Request(ferry, j.ferry, 'PUT', keyPath(j.bucket, key), { body, length: body.length });
      await drain(res.body);
      if (res.statusCode !== 200) throw new Error(`PUT ${key}: HTTP ${res.statusCode}`);
    } catch (err) {
      errors++;
      firstError ??= (err as Error).message;
      return;
    }
    const ack = performance.now();
    acks.push(ack - sent);
    acked++;
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
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / j.perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    all.push(one(i));
  }
  await Promise.all(all);
  return { sent: total, acked, present: lags.length, errors, lagsMs: lags, ackP50: quantile([...acks].sort((a, b) => a - b), 0.5), firstError };
}
