import type { Settings } from '../lib/settings.js';
import { latency, round } from '../lib/stats.js';
import { cpuSeconds } from '../lib/proc.js';
import type { LoadClient } from '../load/client.js';
import { startS3rver } from '../servers/s3rver.js';
import { FERRY_CLIENT, S3RVER_KEY, startFerryServer } from '../servers/ferry.js';

export interface LagCaseResult {
  objects: number;
  objectBytes: number;
  perSecond: number;
  seconds: number;
  acked: number;
  present: number;
  errors: number;
  lagMs: { p50: number; p99: number; max: number };
  ackP50Ms: number;
  ferryCpuPercent: number;
  pollMs: number;
  firstError?: string;
}

/**
 * Replication lag: objects PUT through Ferry at a steady rate between two s3rver regions; the lag of each is the
 * time from Ferry's 200 to the object being present (full size) in the target, seen by HEAD every 20 ms.
 */
export async function replicationLag(load: LoadClient, s: Settings, log: (l: string) => void): Promise<LagCaseResult> {
  const source = await startS3rver('lag-source', ['lag']);
  const target = await startS3rver('lag-target', ['lag-replica']);
  const ferry = await startFerryServer({ name: 'lag', sourceEndpoint: source.endpoint, targetEndpoint: target.endpoint,
    rule: { sourceBucket: 'lag', targetBucket: 'lag-replica' }, shipper: { enabled: true } });
  try {
    const pollMs = 20;
    // A short warm-up so connection set-up and JIT do not count.
    await load.run({ kind: 'lag', ferry: { endpoint: ferry.endpoint, ...FERRY_CLIENT, region: 'us-east-1' },
      region: { endpoint: target.endpoint, ...S3RVER_KEY, region: 'us-east-1' }, bucket: 'lag', targetBucket: 'lag-replica',
      prefix: 'warm/', size: s.lag.size, perSecond: s.lag.perSecond, seconds: 2, pollMs, timeoutMs: 30_000 });
    log(`lag: ${s.lag.perSecond}/s of ${s.lag.size} bytes for ${s.lag.seconds}s`);
    const cpu0 = cpuSeconds(ferry.pids());
    const t0 = performance.now();
    const r = await load.run({ kind: 'lag', ferry: { endpoint: ferry.endpoint, ...FERRY_CLIENT, region: 'us-east-1' },
      region: { endpoint: target.endpoint, ...S3RVER_KEY, region: 'us-east-1' }, bucket: 'lag', targetBucket: 'lag-replica',
      prefix: 'obj/', size: s.lag.size, perSecond: s.lag.perSecond, seconds: s.lag.seconds, pollMs, timeoutMs: 60_000 });
    const cpu = ((cpuSeconds(ferry.pids()) - cpu0) / ((performance.now() - t0) / 1000)) * 100;
    const l = latency(r.lagsMs);
    const out: LagCaseResult = {
      objects: r.sent, objectBytes: s.lag.size, perSecond: s.lag.perSecond, seconds: s.lag.seconds, acked: r.acked,
      present: r.present, errors: r.errors, lagMs: { p50: round(l.p50, 1), p99: round(l.p99, 1), max: round(l.max, 1) },
      ackP50Ms: round(r.ackP50, 1), ferryCpuPercent: round(cpu, 1), pollMs, firstError: r.firstError,
    };
    log(`lag: ${JSON.stringify(out)}`);
    return out;
  } finally {
    await ferry.stop();
    await Promise.all([source.stop(), target.stop()]);
  }
}
